import { z } from 'zod';
import { denied } from '../domain/errors';
import { type Actor } from '../domain/permissions';
import { manageableUsers } from './authorization';
import type { Db } from '../lib/db';
import type { AccountAccess } from './account-access';
import { decodeCursor, encodeCursor } from './cursor';

export interface UserSearch {
  search?: string;
  isActive?: boolean;
  passwordLocked?: boolean;
  limit: number;
  cursor?: string;
}

const UsernamePosition = z.object({ username: z.string().max(150) });

/** Password lockout (services/password-lockout.ts): a user whose password is locked, and the status as the API shows it. */
const PASSWORD_LOCKED = { passwordLockout: { lockedAt: { not: null } } };
const LOCK_STATUS = { passwordLockout: { select: { lockedAt: true } } } as const;
function withLockStatus<T extends { passwordLockout: { lockedAt: Date | null } | null }>({ passwordLockout, ...user }: T) {
  return { ...user, passwordLocked: passwordLockout?.lockedAt != null };
}

/**
 * Reading accounts: the users one manages (GET /users), one user, their sessions and tokens
 * (never a key: only digests are stored). Who sees what is domain/permissions.ts.
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
      const contains = query.search ? { contains: query.search, mode: 'insensitive' as const } : undefined;
      const where = {
        AND: [
          managed,
          contains ? { OR: [{ username: contains }, { name: contains }, { email: contains }] } : {},
          query.isActive !== undefined ? { isActive: query.isActive } : {},
          query.passwordLocked === undefined ? {} : query.passwordLocked ? PASSWORD_LOCKED : { NOT: PASSWORD_LOCKED },
        ],
      };
      const [rows, total] = await Promise.all([
        db.user.findMany({ where: { AND: [where, after ? { username: { gt: after.username } } : {}] }, orderBy: { username: 'asc' }, take: query.limit + 1, include: LOCK_STATUS }),
        db.user.count({ where }),
      ]);
      const items = rows.slice(0, query.limit).map(withLockStatus);
      const nextCursor = rows.length > query.limit ? encodeCursor({ username: items[items.length - 1].username }) : null;
      return { items, nextCursor, total };
    },

    async get(actor: Actor, userId: string) {
      const user = await access.visible(actor, userId);
      const lockout = await db.passwordLockout.findUnique({ where: { userId: user.id }, select: { lockedAt: true } });
      return withLockStatus({ ...user, passwordLockout: lockout });
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
