import { isProtectedAccount, logsInWithPassword } from '../domain/accounts';
import { conflictError, denied, invalid } from '../domain/errors';
import { USER_DELETED, USER_UPDATED } from '../domain/events';
import { canCreateUser } from './authorization';
import type { UserType } from '../domain/accounts';
import { hashPassword, unusablePasswordHash } from '../lib/credentials';
import type { Db } from '../lib/db';
import { checkedReason, type AccountAccess } from './account-access';
import { fieldDiff, writeAuditEvent, type AuditMeta } from './audit-log';
import type { LockdownService, Requester } from './lockdowns';
import type { RestoreAccess } from './restore-access';
import { conflictOnDuplicate } from './unique-violation';

export interface NewAccount {
  username: string;
  name?: string;
  email?: string;
  password?: string;
  type?: UserType;
  isSuperuser?: boolean;
}

export interface AccountChange {
  name?: string;
  email?: string;
  isActive?: boolean;
  reason?: string;
}

/**
 * Creating, changing and deleting accounts (POST, PATCH and DELETE /users). Who may is
 * `canCreateUser` and `canChangeAccount` (domain/permissions.ts); every change is written
 * with its audit event in one transaction. No path turns a user inactive while a credential
 * of theirs still works: `isActive: false` and deletion run the per-user lockdown
 * (deactivate, sessions, tokens, verify, one audit event naming the cause) and answer only
 * once it finished; re-activation goes through the audited restore. A protected account,
 * which no lockdown touches, is closed by a superuser in one transaction instead: inactive,
 * every session and token deleted, the event written — or deleted with all of it.
 */
export function createUserAccounts(db: Db, access: AccountAccess, lockdowns: LockdownService, restore: RestoreAccess) {
  /** Deactivates a protected account (a superuser's decision): inactive and every credential gone, with its event, at once. */
  async function closeProtected(actor: Requester, user: { id: string; username: string; isActive: boolean }, meta: AuditMeta, reason: string | undefined) {
    await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { isActive: false } });
      const sessions = await tx.session.deleteMany({ where: { userId: user.id } });
      const tokens = await tx.token.deleteMany({ where: { userId: user.id } });
      await writeAuditEvent(tx, USER_UPDATED, actor, meta, {
        affected_user: user.username,
        affected_user_id: user.id,
        fields: ['isActive'],
        diff: fieldDiff({ isActive: user.isActive }, { isActive: false }),
        cause: 'user_deactivated',
        sessions_revoked: sessions.count,
        tokens_revoked: tokens.count,
        ...(reason ? { reason } : {}),
      });
    });
  }

  return {
    async create(actor: Requester, account: NewAccount, meta: AuditMeta) {
      if (!(await canCreateUser(db, actor, account))) {
        throw denied('This needs the change_user permission; only superusers create superusers and internal service accounts.');
      }
      const type = account.type ?? 'internal';
      if (account.password !== undefined && !logsInWithPassword({ username: account.username, type })) {
        throw invalid('Service accounts authenticate with tokens only: create them without a password.', [{ field: 'body.password', message: 'service accounts have no password' }], 'no_password_login');
      }
      const data = { username: account.username, name: account.name ?? '', email: account.email ?? '', type, isSuperuser: account.isSuperuser ?? false };
      const passwordHash = account.password ? await hashPassword(account.password) : unusablePasswordHash();
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const user = await tx.user.create({ data: { ...data, passwordHash } });
          const diff = fieldDiff(null, { ...data, password: account.password ? 'set' : null }, ['password']);
          await writeAuditEvent(tx, 'user_created', actor, meta, { affected_user: user.username, affected_user_id: user.id, diff });
          return user;
        }),
        'A user with this username already exists.',
        'username_taken',
      );
    },

    async update(actor: Requester, userId: string, change: AccountChange, meta: AuditMeta) {
      const user = await access.changeable(actor, userId);
      const reason = checkedReason(change.reason);
      const before = { name: user.name, email: user.email };
      const after = { name: change.name ?? user.name, email: change.email ?? user.email };
      const diff = fieldDiff(before, after);
      const fields = Object.keys(diff);
      if (fields.length > 0) {
        await db.$transaction(async (tx) => {
          await tx.user.update({ where: { id: user.id }, data: after });
          await writeAuditEvent(tx, USER_UPDATED, actor, meta, { affected_user: user.username, affected_user_id: user.id, fields, diff, ...(reason ? { reason } : {}) });
        });
      }
      if (change.isActive === false) {
        // Deactivating runs even on an inactive user: what matters is that no credential is left.
        if (isProtectedAccount(user)) await closeProtected(actor, user, meta, reason);
        else await lockdowns.deactivate(actor, user, 'user_deactivated', { clientIp: meta.clientIp, reason });
      }
      if (change.isActive === true && !user.isActive) await restore.activate(actor, user.id, { reason, clientIp: meta.clientIp });
      return db.user.findUniqueOrThrow({ where: { id: user.id } });
    },

    /**
     * Deletes the user after the per-user lockdown ended every credential and wrote its
     * event; the `user_deleted` event is written with the deletion. The user's rows in
     * lockdown results go with the account (the audit events stay).
     */
    async remove(actor: Requester, userId: string, meta: AuditMeta & { reason?: string }) {
      const user = await access.changeable(actor, userId);
      if (user.id === actor.id) throw conflictError('You cannot delete your own account.', 'own_account');
      const reason = checkedReason(meta.reason);
      const context = { affected_user: user.username, affected_user_id: user.id, ...(reason ? { reason } : {}) };
      if (isProtectedAccount(user)) {
        // No lockdown touches a protected account: its sessions and tokens go with it, counted in the event.
        await db.$transaction(async (tx) => {
          const sessions = await tx.session.count({ where: { userId: user.id } });
          const tokens = await tx.token.count({ where: { userId: user.id } });
          await writeAuditEvent(tx, USER_DELETED, actor, meta, { ...context, sessions_revoked: sessions, tokens_revoked: tokens });
          await tx.user.delete({ where: { id: user.id } });
        });
        return;
      }
      const lockdown = await lockdowns.deactivate(actor, user, 'user_deleted', { clientIp: meta.clientIp, reason });
      await db.$transaction(async (tx) => {
        await writeAuditEvent(tx, USER_DELETED, actor, meta, { ...context, lockdown_id: lockdown.id }, lockdown.id);
        await tx.user.delete({ where: { id: user.id } });
      });
    },
  };
}
