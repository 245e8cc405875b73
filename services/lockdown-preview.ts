import { isProtectedAccount } from '../domain/accounts';
import { denied, invalid } from '../domain/errors';
import type { Actor } from '../domain/permissions';
import { lookupKeys, matchEntries, parsePastedTargets, parseTargetCsv, TARGET_REFUSAL_MESSAGES, type TargetRefusal } from '../domain/target-list';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { lastLockdowns, lockedDownUsers } from './account-lockdown-state';
import { lockdownPreviewScope, targetsActorMayNotLock } from './authorization';
import { matchingUsers, type UserFilter } from './user-directory';

export interface LockdownPreviewRequest {
  users?: string[];
  filter?: UserFilter;
  pasted?: string;
  csv?: string;
}

/** No username or email is longer; a longer entry names nobody and is not looked up. */
const LONGEST_ENTRY = 320;
/** Lookups per query, well under PostgreSQL's 65,535 parameters. */
const CHUNK = 5_000;
const PREVIEW_USER = { id: true, username: true, name: true, email: true, type: true } as const;

type PreviewUser = Prisma.UserGetPayload<{ select: typeof PREVIEW_USER }>;

interface Refused {
  entry: string;
  reason: TargetRefusal;
  message: string;
  user: { id: string; username: string } | null;
  lockdownId: string | null;
}

/**
 * Who a selection would lock and who it cannot, before anything starts (POST
 * /lockdowns/preview): rows picked by id, "select all matching" a filter of the users list,
 * a pasted list and an uploaded file — each entry once, each user once. Nothing is recorded.
 * Entries are looked up among the users the caller may learn about (services/authorization.ts
 * `lockdownPreviewScope`); anything else is "cannot be locked by you", whatever it is.
 */
export function createLockdownPreview(db: Db, config: Config) {
  /** The most entries, or filter matches, one preview looks at. */
  const limit = Math.max(20_000, config.LOCKDOWN_MAX_TARGETS);

  function entriesOf(request: LockdownPreviewRequest): string[] {
    let fromFile: string[] = [];
    if (request.csv !== undefined) {
      try {
        fromFile = parseTargetCsv(request.csv);
      } catch (err) {
        const problem = (err as Error).message;
        throw invalid(`The file cannot be read as CSV: ${problem}`, [{ field: 'body.csv', message: problem }]);
      }
    }
    const entries = [...new Set([...(request.users ?? []), ...(request.pasted === undefined ? [] : parsePastedTargets(request.pasted)), ...fromFile])];
    if (entries.length > limit) throw invalid(`At most ${limit} entries can be previewed at once.`, [{ field: 'body', message: `more than ${limit} entries` }]);
    return entries;
  }

  async function lookUp(scope: Prisma.UserWhereInput, entries: string[]): Promise<PreviewUser[]> {
    const found: PreviewUser[] = [];
    const searchable = entries.filter((entry) => entry.length <= LONGEST_ENTRY);
    for (let start = 0; start < searchable.length; start += CHUNK) {
      const { ids, names, emails } = lookupKeys(searchable.slice(start, start + CHUNK));
      const named: Prisma.UserWhereInput[] = [
        ...(ids.length ? [{ id: { in: ids } }] : []),
        ...(names.length ? [{ username: { in: names, mode: 'insensitive' as const } }] : []),
        ...(emails.length ? [{ email: { in: emails, mode: 'insensitive' as const } }] : []),
      ];
      if (named.length) found.push(...(await db.user.findMany({ where: { AND: [scope, { OR: named }] }, select: PREVIEW_USER })));
    }
    return found;
  }

  async function preview(actor: Actor, request: LockdownPreviewRequest) {
    const scope = await lockdownPreviewScope(db, actor);
    if (!scope) throw denied('This needs the change_user permission, globally or on some users.');
    const entries = entriesOf(request);
    const [candidates, matching] = await Promise.all([
      lookUp(scope.users, entries),
      request.filter ? db.user.findMany({ where: matchingUsers(scope.users, request.filter), orderBy: { username: 'asc' }, take: limit + 1, select: PREVIEW_USER }) : [],
    ]);
    if (matching.length > limit) throw invalid(`The filter matches more than ${limit} users: narrow it.`, [{ field: 'body.filter', message: `more than ${limit} users` }]);

    // Each entry resolved (or not), then the filter's matches; a user named twice counts once.
    const refused: Refused[] = [];
    const chosen = new Map<string, { entry: string; user: PreviewUser }>();
    for (const match of matchEntries(entries, candidates)) {
      if (match.user) {
        if (!chosen.has(match.user.id)) chosen.set(match.user.id, { entry: match.entry, user: match.user });
      } else {
        const reason: TargetRefusal = match.ambiguous > 1 ? 'ambiguous' : scope.everyone ? 'not_found' : 'not_permitted';
        refused.push({ entry: match.entry, reason, message: TARGET_REFUSAL_MESSAGES[reason], user: null, lockdownId: null });
      }
    }
    for (const user of matching) if (!chosen.has(user.id)) chosen.set(user.id, { entry: user.username, user });

    const ids = [...chosen.keys()];
    const mayNot = new Set(await targetsActorMayNotLock(db, actor, ids, ids.length > 1));
    const checkState = ids.filter((id) => !mayNot.has(id) && !isProtectedAccount(chosen.get(id)!.user));
    const locked = await lockedDownUsers(db, checkState);
    const last = await lastLockdowns(db, actor, [...locked]);

    const lockable: { id: string; username: string; name: string; email: string }[] = [];
    for (const [id, { entry, user }] of chosen) {
      const reason: TargetRefusal | null = mayNot.has(id) ? 'not_permitted' : isProtectedAccount(user) ? 'protected' : locked.has(id) ? 'already_locked' : null;
      if (reason === null) {
        lockable.push({ id: user.id, username: user.username, name: user.name, email: user.email });
        continue;
      }
      // Someone the caller may not lock is told as an unknown entry would be: no user, no state.
      const shown = reason === 'not_permitted' && id !== actor.id ? null : { id: user.id, username: user.username };
      refused.push({ entry, reason, message: TARGET_REFUSAL_MESSAGES[reason], user: shown, lockdownId: last.get(id)?.id ?? null });
    }
    return {
      lockable,
      refused,
      counts: { entries: lockable.length + refused.length, lockable: lockable.length, refused: refused.length },
      maxTargets: config.LOCKDOWN_MAX_TARGETS,
      includesYou: lockable.some((user) => user.id === actor.id),
    };
  }

  return { preview };
}
