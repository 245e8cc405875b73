import { logsInWithPassword, mayAuthenticate } from '../domain/accounts';
import { invalid } from '../domain/errors';
import { generateKey, hashKey, hashPassword, isExpired, verifyPassword } from '../lib/credentials';
import type { Db } from '../lib/db';
import type { PasswordLockout } from './password-lockout';

/**
 * Logging in with a password, redeeming a recovery link, logging out. A failed login says
 * nothing about why: unknown user, wrong or unusable password, inactive account, or an
 * account that never logs in with a password (service accounts, the anonymous user) all
 * cost one argon2 verification and answer the same. How often one may try is the HTTP
 * layer's (api/routes/auth.ts: per client address, and per address and username; a
 * refused attempt never reaches here, so it tests no password and counts for nothing). The
 * opt-in password lockout (services/password-lockout.ts) counts every failure per user and
 * refuses a locked password with the same answer, after the same verification.
 */
export interface LoginMeta {
  clientIp: string | null;
  userAgent: string | null;
  sessionTtlHours: number;
  /** The request's host: with LOCKDOWN_BRAND_FROM_HOST, it picks the brand whose password lockout applies. */
  host?: string;
}

const INVALID_RECOVERY = 'This recovery link is invalid or has expired. Ask an administrator for a new one.';

export function createSignIn(db: Db, lockout: PasswordLockout) {
  return {
    /** A new session of the user, or `null` for every kind of failure (a locked password included). */
    async login(username: string, password: string, meta: LoginMeta) {
      const [user, policy] = await Promise.all([
        db.user.findUnique({ where: { username }, include: { passwordLockout: { select: { lockedAt: true, failedAttempts: true } } } }),
        lockout.policyServing(meta.host),
      ]);
      // One argon2 verification whatever happens, so timing does not tell the failures apart.
      const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
      const passwordLocked = user?.passwordLockout?.lockedAt != null;
      if (!user || !passwordOk || passwordLocked || !mayAuthenticate(user) || !logsInWithPassword(user)) {
        await lockout.failed(user && logsInWithPassword(user) ? user : null, policy, { clientIp: meta.clientIp });
        return null;
      }
      if (user.passwordLockout && user.passwordLockout.failedAttempts > 0) await lockout.succeeded(user.id);
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
        if (count === 1) {
          await tx.user.update({ where: { id: token.userId }, data: { passwordHash } });
          // A new password ends a password lockout: the one being guessed at is gone.
          await tx.passwordLockout.deleteMany({ where: { userId: token.userId } });
        }
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
