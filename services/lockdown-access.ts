import { notFoundError } from '../domain/errors';
import { type Actor } from '../domain/permissions';
import { visibleLockdowns } from './authorization';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';

/** Who asks: the authenticated user, as the rules need them. */
export type Requester = Actor & { username: string };

/**
 * The lockdown `lockdownId` if `actor` sees it (domain/permissions.ts `visibleLockdowns`), else
 * 404 — the same answer as for an id that does not exist, so ids cannot be probed. Every use
 * case on one lockdown starts here, before any other rule is asked.
 */
export async function visibleLockdown(db: Db, actor: Actor, lockdownId: string): Promise<LockdownRow> {
  const lockdown = isUuid(lockdownId) ? await db.lockdown.findFirst({ where: { AND: [{ id: lockdownId }, await visibleLockdowns(db, actor)] } }) : null;
  if (!lockdown) throw notFoundError('Lockdown');
  return lockdown;
}
