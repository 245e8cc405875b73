import { PASSWORD_SET, RECOVERY_LINK_CREATED, USER_ACTIVATED, type EventAction } from '../domain/events';
import type { ActorRef } from '../domain/stages';
import { generateKey, hashKey, hashPassword } from '../lib/credentials';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { checkedReason, refuseTokenOnly, type AccountAccess } from './account-access';
import { writeAuditEvent } from './audit-log';
import type { Requester } from './lockdowns';

/**
 * Restoring access after a lockdown (activate, set a password, create a recovery link).
 * Each is allowed by `canChangeAccount` (domain/permissions.ts) — the same rule whether the
 * account is activated here or by PATCH /users/:id — and each change and its audit event are
 * written in one transaction: there is no restored account without its event, and no event
 * for a change that did not happen.
 */
export interface RestoreMeta {
  reason?: string;
  clientIp: string | null;
}

/** Credentials that let someone in without a new password: what a lockdown with sessions or tokens kept leaves behind. */
const LOGIN_TOKEN_INTENTS = ['api', 'app_password', 'verification'] as const;

export function createRestoreAccess(db: Db, access: AccountAccess) {
  function eventContext(user: { id: string; username: string }, reason: string | undefined, extra: Record<string, unknown> = {}) {
    return { affected_user: user.username, affected_user_id: user.id, ...(reason ? { reason } : {}), ...extra };
  }

  async function audited<T>(action: EventAction, actor: ActorRef, meta: RestoreMeta, context: Record<string, unknown>, change: (tx: Prisma.TransactionClient) => Promise<T>) {
    return db.$transaction(async (tx) => {
      const result = await change(tx);
      await writeAuditEvent(tx, action, actor, { clientIp: meta.clientIp }, context);
      return result;
    });
  }

  return {
    /**
     * Re-activates the user. The answer says which live sessions and tokens the user still
     * has (a lockdown whose stage kept them, or ones made since): activating makes them work
     * again, so the warning names the routes that end them.
     */
    async activate(actor: Requester, userId: string, meta: RestoreMeta) {
      const found = await access.changeable(actor, userId);
      const reason = checkedReason(meta.reason);
      const now = new Date();
      const [sessions, tokens] = await Promise.all([
        db.session.count({ where: { userId: found.id, expiresAt: { gt: now } } }),
        db.token.count({ where: { userId: found.id, intent: { in: [...LOGIN_TOKEN_INTENTS] }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } }),
      ]);
      const context = eventContext(found, reason, { was_active: found.isActive, sessions_kept: sessions, tokens_kept: tokens });
      const user = await audited(USER_ACTIVATED, actor, meta, context, (tx) => tx.user.update({ where: { id: found.id }, data: { isActive: true } }));
      const warning =
        sessions + tokens > 0
          ? `${sessions} session(s) and ${tokens} token(s) of this user were kept by the lockdown (or created since) and work again now; ` +
            `end them (DELETE /api/v1/users/${found.id}/sessions/<sessionId> and DELETE /api/v1/tokens/<tokenId>, ids from GET /api/v1/users/${found.id}/sessions and /tokens) ` +
            'unless you are sure they are the user’s own.'
          : null;
      return { user, credentialsKept: { sessions, tokens }, warning };
    },

    async setPassword(actor: Requester, userId: string, password: string, meta: RestoreMeta): Promise<void> {
      const user = await access.changeable(actor, userId);
      refuseTokenOnly(user);
      const reason = checkedReason(meta.reason);
      const passwordHash = await hashPassword(password);
      await audited(PASSWORD_SET, actor, meta, eventContext(user, reason), async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
        // A new password ends a password lockout (services/password-lockout.ts): the one being guessed at is gone.
        await tx.passwordLockout.deleteMany({ where: { userId: user.id } });
      });
    },

    /** A single-use, expiring `recovery` token; returns its key (shown once) and expiry. */
    async createRecoveryLink(actor: Requester, userId: string, ttlMinutes: number, meta: RestoreMeta) {
      const user = await access.changeable(actor, userId);
      refuseTokenOnly(user);
      const reason = checkedReason(meta.reason);
      const key = generateKey();
      const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
      const identifier = `recovery-${user.id}-${Date.now()}-${key.slice(0, 6)}`;
      await audited(RECOVERY_LINK_CREATED, actor, meta, eventContext(user, reason, { expires_at: expiresAt.toISOString() }), (tx) =>
        tx.token.create({ data: { userId: user.id, intent: 'recovery', identifier, keyHash: hashKey(key), expiresAt } }),
      );
      return { key, expiresAt };
    },
  };
}

export type RestoreAccess = ReturnType<typeof createRestoreAccess>;
