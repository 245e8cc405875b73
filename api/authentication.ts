import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { mayAuthenticate } from '../domain/accounts';
import { digestsEqual, hashKey } from '../lib/credentials';
import type { CredentialCheck } from '../services/credential-check';
import { HttpError } from './http/errors';
import type { AuthContext, AuthUser } from './http/route';

/**
 * Who is calling. Accepted credentials: `Authorization: Bearer <session key | API token>`,
 * the `lockdown_session` cookie, or HTTP Basic `username:<app password>`.
 * Any credential of an inactive user or of the anonymous user, or an expired or deleted one, is refused.
 */
export const SESSION_COOKIE = 'lockdown_session';

/**
 * CSRF protection of the cookie session: a state-changing request that authenticates with
 * the cookie must also send `X-CSRF-Token`, a digest of the session key that only a page of
 * our own origin can obtain (GET /api/v1/auth/csrf answers it; other sites cannot read that
 * answer, and the HttpOnly cookie is unreadable to scripts). Bearer and Basic credentials are
 * never sent by a browser on its own, so API clients need no token.
 */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfTokenOf(sessionKey: string): string {
  return createHash('sha256').update(`csrf\0${sessionKey}`).digest('base64url');
}

/**
 * A route may also trust the `Origin` of another configured site of ours (the codec server
 * trusts the Temporal Web UI's): a browser always sends Origin on a cross-origin POST, and no
 * page can set it, so a request carrying a trusted one comes from that site. Without a
 * trusted Origin the token is still required.
 */
function checkCsrf(req: Request, sessionKey: string, trustedOrigins: string[] = []): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.get('origin');
  if (origin && trustedOrigins.includes(origin)) return;
  const given = req.get(CSRF_HEADER) ?? '';
  if (!digestsEqual(hashKey(given), hashKey(csrfTokenOf(sessionKey)))) {
    throw new HttpError(403, 'csrf_failed', 'This request needs the X-CSRF-Token header of your session (GET /api/v1/auth/csrf). Reload the page and try again.');
  }
}

/** Reads the request's credential; the credential service says whose it is (and whether it still works). */
export function createAuthenticator({ bySessionKey, byApiToken, byAppPassword }: CredentialCheck) {
  return async function authenticate(req: Request, options: { csrfTrustedOrigins?: string[] } = {}): Promise<AuthContext | null> {
    const header = req.headers.authorization ?? '';
    let auth: AuthContext | null = null;
    const [scheme, value] = [header.slice(0, header.indexOf(' ')).toLowerCase(), header.slice(header.indexOf(' ') + 1).trim()];
    if (scheme === 'bearer' && value) {
      auth = (await bySessionKey(value)) ?? (await byApiToken(value));
    } else if (scheme === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      if (separator > 0) auth = await byAppPassword(decoded.slice(0, separator), decoded.slice(separator + 1));
    } else {
      const cookie = req.cookies?.[SESSION_COOKIE];
      if (typeof cookie === 'string' && cookie) {
        auth = await bySessionKey(cookie);
        if (auth && isActiveUser(auth.user)) checkCsrf(req, cookie, options.csrfTrustedOrigins);
      }
    }
    return auth && isActiveUser(auth.user) ? auth : null;
  };
}

/** Inactive accounts and the anonymous user authenticate nothing, whatever credential they hold. */
function isActiveUser(user: AuthUser): boolean {
  return mayAuthenticate(user);
}
