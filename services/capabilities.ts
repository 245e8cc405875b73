import { type Actor } from '../domain/permissions';
import { accountCapabilities, canChangeConfiguration, canConfigureFlows, canGrantPermissions, hasPermission } from './authorization';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';

/**
 * What the caller may do, so a client shows only what the API will allow — globally, and on
 * one user (`userId`): each account action as domain/permissions.ts decides it for the routes.
 */
export function createCapabilities(db: Db) {
  return {
    async of(actor: Actor, userId?: string) {
      const target =
        userId !== undefined && isUuid(userId)
          ? await db.user.findUnique({ where: { id: userId }, select: { id: true, username: true, type: true, isSuperuser: true } })
          : null;
      const [changeUser, viewAudit, configure, changeSecuritySettings, user] = await Promise.all([
        hasPermission(db, actor, 'change_user', userId),
        hasPermission(db, actor, 'view_audit'),
        canConfigureFlows(db, actor),
        canChangeConfiguration(db, actor, { securitySetting: true }),
        userId === undefined ? null : accountCapabilities(db, actor, target),
      ]);
      return { changeUser, viewAudit, configure, changeSecuritySettings, grantPermissions: canGrantPermissions(actor), user };
    },
  };
}
