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
  limit: number;
  cursor?: string;
}

const UsernamePosition = z.object({ username: z.string().max(150) });

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
        ],
      };
      const [rows, total] = await Promise.all([
        db.user.findMany({ where: { AND: [where, after ? { username: { gt: after.username } } : {}] }, orderBy: { username: 'asc' }, take: query.limit + 1 }),
        db.user.count({ where }),
      ]);
      const items = rows.slice(0, query.limit);
      const nextCursor = rows.length > query.limit ? encodeCursor({ username: items[items.length - 1].username }) : null;
      return { items, nextCursor, total };
    },

    get: (actor: Actor, userId: string) => access.visible(actor, userId),

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
