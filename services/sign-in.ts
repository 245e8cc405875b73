import { logsInWithPassword, mayAuthenticate } from '../domain/accounts';
import { invalid } from '../domain/errors';
import { generateKey, hashKey, hashPassword, isExpired, verifyPassword } from '../lib/credentials';
import type { Db } from '../lib/db';

/**
 * Logging in with a password, redeeming a recovery link, logging out. A failed login says
 * nothing about why: unknown user, wrong or unusable password, inactive account, or an
 * account that never logs in with a password (service accounts, the anonymous user) all
 * cost one argon2 verification and answer the same. How often one may try is the HTTP
 * layer's (api/routes/auth.ts: per client address, and per address and username); an
 * opt-in lockout after N failures would count in `login` below, per username, on the
 * `null` answer.
 */
export interface LoginMeta {
  clientIp: string | null;
  userAgent: string | null;
  sessionTtlHours: number;
}

const INVALID_RECOVERY = 'This recovery link is invalid or has expired. Ask an administrator for a new one.';

export function createSignIn(db: Db) {
  return {
    /** A new session of the user, or `null` for every kind of failure. */
    async login(username: string, password: string, meta: LoginMeta) {
      const user = await db.user.findUnique({ where: { username } });
      // One argon2 verification whatever happens, so timing does not tell the failures apart.
      const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
      if (!user || !passwordOk || !mayAuthenticate(user) || !logsInWithPassword(user)) return null;
      const sessionKey = generateKey();
      const expiresAt = new Date(Date.now() + meta.sessionTtlHours * 3_600_000);
      await db.session.create({
        data: { userId: user.id, keyHash: hashKey(sessionKey), expiresAt, lastIp: meta.clientIp, lastUserAgent: meta.userAgent?.slice(0, 500) ?? null },
      });
      return { user, sessionKey, expiresAt };
    },

    /** Sets the password of the recovery token's user and uses the token up, in one transaction. */
    async redeemRecovery(key: string, password: string): Promise<{ userId: string }> {
      const token = await db.token.findUnique({ where: { keyHash: hashKey(key) }, include: { user: { select: { username: true, type: true } } } });
      if (!token || token.intent !== 'recovery' || isExpired(token.expiresAt) || !logsInWithPassword(token.user)) {
        throw invalid(INVALID_RECOVERY, [{ field: 'body.token', message: 'invalid or expired' }], 'invalid_token');
      }
      const passwordHash = await hashPassword(password);
      const used = await db.$transaction(async (tx) => {
        const { count } = await tx.token.deleteMany({ where: { id: token.id } });
        if (count === 1) await tx.user.update({ where: { id: token.userId }, data: { passwordHash } });
        return count === 1;
      });
      if (!used) throw invalid('This recovery link was already used.', [{ field: 'body.token', message: 'already used' }], 'invalid_token');
      return { userId: token.userId };
    },

    async logout(sessionId: string | null): Promise<void> {
      if (sessionId) await db.session.deleteMany({ where: { id: sessionId } });
    },
  };
}
