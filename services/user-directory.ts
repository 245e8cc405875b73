import { z } from 'zod';
import { isProtectedAccount } from '../domain/accounts';
import { denied } from '../domain/errors';
import { type Actor } from '../domain/permissions';
import type { Prisma } from '../generated/prisma/client';
import { manageableUsers } from './authorization';
import type { Db } from '../lib/db';
import type { AccountAccess } from './account-access';
import { lastLockdowns, lockedDownUsers } from './account-lockdown-state';
import { decodeCursor, encodeCursor } from './cursor';

/** The filter of the users list: a text in the username, name or email, and the status. */
export interface UserFilter {
  search?: string;
  isActive?: boolean;
  /** Only users whose password is locked after repeated failed logins (true), or only the others (false). */
  passwordLocked?: boolean;
}

export interface UserSearch extends UserFilter {
  limit: number;
  cursor?: string;
}

/** Password lockout (services/password-lockout.ts): a user whose password is locked, and the status as the API shows it. */
const PASSWORD_LOCKED = { passwordLockout: { lockedAt: { not: null } } };

/** The users of `scope` that match `filter`: the users list's filter, also "select all matching" of the lockdown preview. */
export function matchingUsers(scope: Prisma.UserWhereInput, filter: UserFilter): Prisma.UserWhereInput {
  const contains = filter.search ? { contains: filter.search, mode: 'insensitive' as const } : undefined;
  return {
    AND: [
      scope,
      contains ? { OR: [{ username: contains }, { name: contains }, { email: contains }] } : {},
      filter.isActive !== undefined ? { isActive: filter.isActive } : {},
      filter.passwordLocked === undefined ? {} : filter.passwordLocked ? PASSWORD_LOCKED : { NOT: PASSWORD_LOCKED },
    ],
  };
}

const UsernamePosition = z.object({ username: z.string().max(150) });

const LOCK_STATUS = { passwordLockout: { select: { lockedAt: true } } } as const;
function withLockStatus<T extends { passwordLockout: { lockedAt: Date | null } | null }>({ passwordLockout, ...user }: T) {
  return { ...user, passwordLocked: passwordLockout?.lockedAt != null };
}

/**
 * Reading accounts: the users one manages (GET /users), one user, their sessions and tokens
 * (never a key: only digests are stored). Who sees what is services/authorization.ts.
 */
export function createUserDirectory(db: Db, access: AccountAccess) {
  return {
    /**
     * A page of the users the actor manages (everyone with change_user held globally, else
     * those they hold it on), by username, and how many match the filter in all.
     */
    async list(actor: Actor, query: UserSearch) {
      const managed = await manageableUsers(db, actor);
      if (!managed) throw denied('This needs the change_user permission, globally or on some users.');
      const after = decodeCursor(query.cursor, UsernamePosition);
      const where = matchingUsers(managed, query);
      const [rows, total] = await Promise.all([
        db.user.findMany({ where: { AND: [where, after ? { username: { gt: after.username } } : {}] }, orderBy: { username: 'asc' }, take: query.limit + 1, include: LOCK_STATUS }),
        db.user.count({ where }),
      ]);
      const page = rows.slice(0, query.limit);
      const locked = await lockedDownUsers(db, page.map((user) => user.id));
      const items = page.map((user) => ({ ...withLockStatus(user), isProtected: isProtectedAccount(user), isLockedDown: locked.has(user.id) }));
      const nextCursor = rows.length > query.limit ? encodeCursor({ username: page[page.length - 1].username }) : null;
      return { items, nextCursor, total };
    },

    /** One user, whether they are locked down (and their password locked), and the last lockdown that acted on them (as the actor may see it). */
    async get(actor: Actor, userId: string) {
      const user = await access.visible(actor, userId);
      const [locked, last, lockout] = await Promise.all([
        lockedDownUsers(db, [user.id]),
        lastLockdowns(db, actor, [user.id]),
        db.passwordLockout.findUnique({ where: { userId: user.id }, select: { lockedAt: true } }),
      ]);
      return { ...withLockStatus({ ...user, passwordLockout: lockout }), isProtected: isProtectedAccount(user), isLockedDown: locked.has(user.id), lastLockdown: last.get(user.id) ?? null };
    },

    async sessions(actor: Actor, userId: string) {
      const user = await access.visible(actor, userId);
      return db.session.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
    },

    async tokens(actor: Actor, userId: string) {
      const user = await access.visible(actor, userId);
      return db.token.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
    },
  };
}
