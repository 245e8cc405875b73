import { invalid, notFoundError } from '../domain/errors';
import { PASSWORD_SET, RECOVERY_LINK_CREATED, USER_ACTIVATED } from '../domain/events';
import { unrecordableText } from '../domain/prompt';
import { generateKey, hashKey, hashPassword } from '../lib/credentials';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { Requester } from './lockdowns';

/**
 * Restoring access after a lockdown (activate, set a password, create a recovery link).
 * Each change and its audit event are written in one transaction: there is no restored
 * account without its event, and no event for a change that did not happen. Permission is
 * checked by the caller (domain/permissions.ts) before any of these run.
 */
export interface RestoreMeta {
  reason?: string;
  clientIp: string | null;
}

/** Credentials that let someone in without a new password: what a lockdown with sessions or tokens kept leaves behind. */
const LOGIN_TOKEN_INTENTS = ['api', 'app_password', 'verification'] as const;

export function createRestoreAccess(db: Db) {
  async function findUser(id: string) {
    const user = isUuid(id) ? await db.user.findUnique({ where: { id } }) : null;
    if (!user) throw notFoundError('User');
    return user;
  }

  function checkedReason(reason: string | undefined): string | null {
    if (reason === undefined || reason.trim() === '') return null;
    const problem = unrecordableText(reason, 1_000);
    if (problem) throw invalid(`The reason ${problem}.`, [{ field: 'body.reason', message: problem }]);
    return reason;
  }

  function eventOf(action: string, actor: Requester, user: { id: string; username: string }, meta: RestoreMeta, reason: string | null, extra: Record<string, unknown> = {}) {
    return {
      action,
      actorId: actor.id,
      actorSnapshot: { id: actor.id, username: actor.username },
      clientIp: meta.clientIp,
      context: { affected_user: user.username, affected_user_id: user.id, ...(reason ? { reason } : {}), ...extra },
    };
  }

  return {
    /**
     * Re-activates the user. The answer says which live sessions and tokens the user still
     * has (a lockdown whose stage kept them, or ones made since): activating makes them work again.
     */
    async activate(actor: Requester, userId: string, meta: RestoreMeta) {
      const reason = checkedReason(meta.reason);
      const found = await findUser(userId);
      const now = new Date();
      const [sessions, tokens] = await Promise.all([
        db.session.count({ where: { userId: found.id, expiresAt: { gt: now } } }),
        db.token.count({ where: { userId: found.id, intent: { in: [...LOGIN_TOKEN_INTENTS] }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } }),
      ]);
      const kept = { sessions, tokens };
      const [user] = await db.$transaction([
        db.user.update({ where: { id: found.id }, data: { isActive: true } }),
        db.event.create({ data: eventOf(USER_ACTIVATED, actor, found, meta, reason, { was_active: found.isActive, sessions_kept: sessions, tokens_kept: tokens }) }),
      ]);
      const warning =
        sessions + tokens > 0
          ? `${sessions} session(s) and ${tokens} token(s) of this user were kept by the lockdown (or created since) and work again now; ` +
            'end them (DELETE the sessions and tokens) unless you are sure they are the user’s own.'
          : null;
      return { user, credentialsKept: kept, warning };
    },

    async setPassword(actor: Requester, userId: string, password: string, meta: RestoreMeta): Promise<void> {
      const reason = checkedReason(meta.reason);
      const user = await findUser(userId);
      const passwordHash = await hashPassword(password);
      await db.$transaction([
        db.user.update({ where: { id: user.id }, data: { passwordHash } }),
        db.event.create({ data: eventOf(PASSWORD_SET, actor, user, meta, reason) }),
      ]);
    },

    /** A single-use, expiring `recovery` token; returns its key (shown once) and expiry. */
    async createRecoveryLink(actor: Requester, userId: string, ttlMinutes: number, meta: RestoreMeta) {
      const reason = checkedReason(meta.reason);
      const user = await findUser(userId);
      const key = generateKey();
      const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
      const identifier = `recovery-${user.id}-${Date.now()}-${key.slice(0, 6)}`;
      await db.$transaction([
        db.token.create({ data: { userId: user.id, intent: 'recovery', identifier, keyHash: hashKey(key), expiresAt } }),
        db.event.create({ data: eventOf(RECOVERY_LINK_CREATED, actor, user, meta, reason, { expires_at: expiresAt.toISOString() }) }),
      ]);
      return { key, expiresAt };
    },
  };
}

export type RestoreAccess = ReturnType<typeof createRestoreAccess>;
