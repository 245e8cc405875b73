import { isLockedDown } from '../domain/accounts';
import { DomainError } from '../domain/errors';
import type { LockdownStatus, TargetStatus } from '../domain/lockdown-status';
import type { Actor } from '../domain/permissions';
import type { Prisma } from '../generated/prisma/client';
import { isUsablePasswordHash } from '../lib/credentials';
import type { Db } from '../lib/db';
import { visibleLockdowns } from './authorization';

/**
 * Whether accounts are locked down (domain/accounts.ts `isLockedDown`, read from the stored
 * account) and the last lockdown that acted on one — for the user page, the lockdown preview
 * and the answer to a request that would lock an account already locked.
 */

/** The target rows of lockdowns that acted (or act) on their user: not those that ended before touching anyone. */
const ACTED: Prisma.LockdownTargetWhereInput = { OR: [{ status: { in: ['locked', 'failed', 'running'] } }, { lockdown: { status: 'running' } }] };

export interface LastLockdown {
  /** The lockdown, or null when the viewer may not see it (it names users they do not manage). */
  id: string | null;
  status: LockdownStatus | null;
  actor: { username: string } | null;
  reason: string | null;
  cause: string | null;
  selfService: boolean;
  /** This user's result in it. */
  result: TargetStatus;
  error: string | null;
  requestedAt: string;
  completedAt: string | null;
}

/** Of `userIds`, those locked down. */
export async function lockedDownUsers(db: Db, userIds: string[]): Promise<Set<string>> {
  const locked = new Set<string>();
  for (let start = 0; start < userIds.length; start += 5_000) {
    const rows = await db.user.findMany({
      where: { id: { in: userIds.slice(start, start + 5_000) }, isActive: false },
      select: { id: true, isActive: true, passwordHash: true, _count: { select: { sessions: true, tokens: true } } },
    });
    for (const row of rows) {
      const state = { isActive: row.isActive, hasUsablePassword: isUsablePasswordHash(row.passwordHash), sessions: row._count.sessions, tokens: row._count.tokens };
      if (isLockedDown(state)) locked.add(row.id);
    }
  }
  return locked;
}

/**
 * The last lockdown that acted on each of `userIds` (newest request first), as `viewer` may see
 * it: who asked, why and its link only when the viewer sees that lockdown (`visibleLockdowns`);
 * when and this user's result always (whoever asks may see the user).
 */
export async function lastLockdowns(db: Db, viewer: Actor, userIds: string[]): Promise<Map<string, LastLockdown>> {
  if (userIds.length === 0) return new Map();
  const targets = await db.lockdownTarget.findMany({
    where: { AND: [{ userId: { in: userIds } }, ACTED] },
    orderBy: [{ userId: 'asc' }, { lockdown: { createdAt: 'desc' } }],
    distinct: ['userId'],
    include: { lockdown: { select: { id: true, status: true, actorUsername: true, reason: true, cause: true, selfService: true, createdAt: true } } },
  });
  const visible = new Set(
    (await db.lockdown.findMany({ where: { AND: [{ id: { in: targets.map((target) => target.lockdownId) } }, await visibleLockdowns(db, viewer)] }, select: { id: true } })).map(
      (row) => row.id,
    ),
  );
  return new Map(
    targets.map((target) => {
      const { lockdown } = target;
      const seen = visible.has(lockdown.id);
      const last: LastLockdown = {
        id: seen ? lockdown.id : null,
        status: seen ? lockdown.status : null,
        actor: seen ? { username: lockdown.actorUsername } : null,
        reason: seen ? lockdown.reason : null,
        cause: lockdown.cause,
        selfService: lockdown.selfService,
        result: target.status,
        error: target.error,
        requestedAt: lockdown.createdAt.toISOString(),
        completedAt: target.completedAt?.toISOString() ?? null,
      };
      return [target.userId, last];
    }),
  );
}

/**
 * A lockdown of one user who is already locked down changes nothing: 409 `already_locked`,
 * naming the lockdown that locked them (when the caller sees it). Bulk requests are never
 * refused for it (see README § How a lockdown runs).
 */
export async function refuseLockedDown(db: Db, actor: Actor, user: { id: string; username: string }): Promise<void> {
  if (!(await lockedDownUsers(db, [user.id])).has(user.id)) return;
  const last = (await lastLockdowns(db, actor, [user.id])).get(user.id);
  const by = last?.id ? ` by lockdown ${last.id} (${last.requestedAt}${last.actor ? `, requested by ${last.actor.username}` : ''})` : last ? ` on ${last.requestedAt}` : '';
  throw new DomainError(
    'conflict',
    'already_locked',
    `${user.username} is already locked${by}: inactive, no usable password, no session and no token. Nothing was started.`,
    [{ id: user.id, reason: 'already_locked', lockdownId: last?.id ?? null }],
  );
}
