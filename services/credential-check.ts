import { logsInWithPassword } from '../domain/accounts';
import { unrecordableText } from '../domain/prompt';
import { digestsEqual, hashKey, isExpired } from '../lib/credentials';
import type { Db } from '../lib/db';

/**
 * Whose credential a request carries: a session key, an API token or an app password, each
 * looked up by its digest (keys are stored only hashed). Expired credentials, and sessions of
 * accounts that never log in with a password, belong to nobody. Whether the account may act
 * at all (active, not the anonymous user) is decided by the caller with domain/accounts.ts.
 */
export interface AuthenticatedCaller {
  user: { id: string; username: string; name: string; email: string; isActive: boolean; isSuperuser: boolean; type: string };
  /** The session the credential is, if it is one. */
  sessionId: string | null;
}

const userFields = { id: true, username: true, name: true, email: true, isActive: true, isSuperuser: true, type: true } as const;

export function createCredentialCheck(db: Db) {
  async function bySessionKey(key: string): Promise<AuthenticatedCaller | null> {
    const session = await db.session.findUnique({ where: { keyHash: hashKey(key) }, include: { user: { select: userFields } } });
    // Sessions come from password logins only, which service accounts never make: one they hold (made before that rule) is refused.
    if (!session || isExpired(session.expiresAt) || !logsInWithPassword(session.user)) return null;
    return { user: session.user, sessionId: session.id };
  }

  async function byApiToken(key: string): Promise<AuthenticatedCaller | null> {
    const token = await db.token.findUnique({ where: { keyHash: hashKey(key) }, include: { user: { select: userFields } } });
    if (!token || token.intent !== 'api' || isExpired(token.expiresAt)) return null;
    return { user: token.user, sessionId: null };
  }

  async function byAppPassword(username: string, secret: string): Promise<AuthenticatedCaller | null> {
    // A name PostgreSQL cannot store (NUL, lone surrogates) names nobody; never query with it.
    if (unrecordableText(username, Number.POSITIVE_INFINITY) !== null) return null;
    const user = await db.user.findUnique({
      where: { username },
      select: { ...userFields, tokens: { where: { intent: 'app_password' }, select: { keyHash: true, expiresAt: true } } },
    });
    const digest = hashKey(secret);
    // Compare against every app password of the user in constant time; no early exit.
    let matched = false;
    for (const token of user?.tokens ?? []) {
      if (digestsEqual(token.keyHash, digest) && !isExpired(token.expiresAt)) matched = true;
    }
    if (!user || !matched) return null;
    const { tokens: _tokens, ...rest } = user;
    return { user: rest, sessionId: null };
  }
  return { bySessionKey, byApiToken, byAppPassword };
}

export type CredentialCheck = ReturnType<typeof createCredentialCheck>;
