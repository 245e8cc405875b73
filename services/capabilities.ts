import { type Actor } from '../domain/permissions';
import { accountCapabilities, canChangeConfiguration, canConfigureFlows, canGrantPermissions, canListLockdowns, hasPermission, manageableUsers } from './authorization';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { lockedDownUsers } from './account-lockdown-state';

/**
 * What the caller may do, so a client shows only what the API will allow — globally, and on
 * one user (`userId`): each account action as services/authorization.ts decides it for the
 * routes; `lockdown` also false for a user already locked down (POST /lockdowns answers 409).
 */
export function createCapabilities(db: Db) {
  async function onUser(actor: Actor, userId: string) {
    const target = isUuid(userId) ? await db.user.findUnique({ where: { id: userId }, select: { id: true, username: true, type: true, isSuperuser: true } }) : null;
    const actions = await accountCapabilities(db, actor, target);
    if (actions.lockdown && target && (await lockedDownUsers(db, [target.id])).has(target.id)) actions.lockdown = false;
    return actions;
  }

  return {
    async of(actor: Actor, userId?: string) {
      const [changeUser, viewAudit, configure, changeSecuritySettings, managed, listLockdowns, user] = await Promise.all([
        hasPermission(db, actor, 'change_user', userId),
        hasPermission(db, actor, 'view_audit'),
        canConfigureFlows(db, actor),
        canChangeConfiguration(db, actor, { securitySetting: true }),
        manageableUsers(db, actor),
        canListLockdowns(db, actor),
        userId === undefined ? null : onUser(actor, userId),
      ]);
      return {
        changeUser,
        viewAudit,
        configure,
        changeSecuritySettings,
        grantPermissions: canGrantPermissions(actor),
        listUsers: managed !== null,
        listLockdowns,
        user,
      };
    },
  };
}
