import { isProtectedAccount } from '../domain/accounts';
import { conflictError, denied, invalid, notFoundError } from '../domain/errors';
import { USER_DELETED, USER_UPDATED } from '../domain/events';
import { canChangeAccount, hasPermission } from '../domain/permissions';
import { unrecordableText } from '../domain/prompt';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { LockdownService, Requester } from './lockdowns';
import type { createRestoreAccess } from './restore-access';

export interface AccountChange {
  name?: string;
  email?: string;
  isActive?: boolean;
  reason?: string;
}

/**
 * Changing and deleting accounts (PATCH/DELETE /users/:id). No path turns a user inactive
 * while a credential of theirs still works: `isActive: false` and deletion run the per-user
 * lockdown (deactivate, sessions, tokens, verify, one audit event naming the cause) and
 * answer only once it finished; re-activation goes through the audited restore.
 */
export function createUserAccounts(db: Db, lockdowns: LockdownService, restore: ReturnType<typeof createRestoreAccess>) {
  /** Permission before existence, so nothing is learnt about ids by probing. */
  async function changeableUser(actor: Requester, userId: string) {
    if (!(await hasPermission(db, actor, 'change_user', userId))) throw denied('This needs the change_user permission.');
    const user = isUuid(userId) ? await db.user.findUnique({ where: { id: userId } }) : null;
    if (!user) throw notFoundError('User');
    if (!(await canChangeAccount(db, actor, user))) throw denied('Only a superuser can change a superuser’s account.');
    return user;
  }

  function checkedReason(reason: string | undefined): string | undefined {
    if (reason === undefined || reason.trim() === '') return undefined;
    const problem = unrecordableText(reason, 1_000);
    if (problem) throw invalid(`The reason ${problem}.`, [{ field: 'body.reason', message: problem }]);
    return reason;
  }

  function refuseProtected(user: { username: string; type: string }, what: string) {
    if (isProtectedAccount(user)) throw invalid(`Protected accounts (the anonymous user and internal service accounts) cannot be ${what}.`, [{ field: 'params.id', message: 'protected account' }], 'protected_account');
  }

  return {
    async update(actor: Requester, userId: string, change: AccountChange, meta: { clientIp: string | null }) {
      const user = await changeableUser(actor, userId);
      const reason = checkedReason(change.reason);
      if (change.isActive === false) refuseProtected(user, 'deactivated');

      const profile = { ...(change.name !== undefined ? { name: change.name } : {}), ...(change.email !== undefined ? { email: change.email } : {}) };
      const changed = Object.keys(profile).filter((key) => profile[key as keyof typeof profile] !== user[key as keyof typeof profile]);
      if (changed.length > 0) {
        await db.$transaction([
          db.user.update({ where: { id: user.id }, data: profile }),
          db.event.create({
            data: {
              action: USER_UPDATED,
              actorId: actor.id,
              actorSnapshot: { id: actor.id, username: actor.username },
              clientIp: meta.clientIp,
              context: { affected_user: user.username, affected_user_id: user.id, fields: changed, ...(reason ? { reason } : {}) },
            },
          }),
        ]);
      }
      // Deactivating runs even on an inactive user: what matters is that no credential is left.
      if (change.isActive === false) await lockdowns.deactivate(actor, user, 'user_deactivated', { clientIp: meta.clientIp, reason });
      if (change.isActive === true && !user.isActive) await restore.activate(actor, user.id, { reason, clientIp: meta.clientIp });
      return db.user.findUniqueOrThrow({ where: { id: user.id } });
    },

    /**
     * Deletes the user after the per-user lockdown ended every credential and wrote its
     * event; the `user_deleted` event is written with the deletion. The user's rows in
     * lockdown results go with the account (the audit events stay).
     */
    async remove(actor: Requester, userId: string, meta: { clientIp: string | null; reason?: string }) {
      const user = await changeableUser(actor, userId);
      if (user.id === actor.id) throw conflictError('You cannot delete your own account.', 'own_account');
      refuseProtected(user, 'deleted');
      const reason = checkedReason(meta.reason);
      const lockdown = await lockdowns.deactivate(actor, user, 'user_deleted', { clientIp: meta.clientIp, reason });
      await db.$transaction([
        db.event.create({
          data: {
            action: USER_DELETED,
            actorId: actor.id,
            actorSnapshot: { id: actor.id, username: actor.username },
            clientIp: meta.clientIp,
            lockdownId: lockdown.id,
            context: { affected_user: user.username, affected_user_id: user.id, lockdown_id: lockdown.id, ...(reason ? { reason } : {}) },
          },
        }),
        db.user.delete({ where: { id: user.id } }),
      ]);
    },
  };
}
