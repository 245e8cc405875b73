import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Router } from 'express';
import { generateKey, hashKey, hashPassword, isExpired, verifyPassword } from '../../lib/credentials';
import { badRequest, HttpError } from '../http/errors';
import { SESSION_COOKIE } from '../authentication';
import type { ApiDeps, Route } from '../app';
import { LoginBody, LoginResponse, RecoveryBody, User } from '../schemas';
import { toUser } from './users';

const INVALID_CREDENTIALS = new HttpError(401, 'invalid_credentials', 'Invalid username or password.');

export function authRoutes(router: Router, route: Route, { db, config }: ApiDeps) {
  // Per IP and per username, so neither one address nor one account can be hammered.
  const limit = (keyOf: (req: { ip?: string; body?: { username?: unknown } }) => string) =>
    rateLimit({
      windowMs: 60_000,
      limit: config.LOGIN_RATE_LIMIT_PER_MINUTE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: keyOf,
      handler: (_req, _res, next) => next(new HttpError(429, 'rate_limited', 'Too many login attempts. Wait a minute and try again.')),
    });
  router.post(
    '/api/v1/auth/login',
    limit((req) => `ip:${ipKeyGenerator(req.ip ?? '')}`),
    limit((req) => `user:${typeof req.body?.username === 'string' ? req.body.username.toLowerCase() : ''}`),
  );

  route({
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'auth',
    summary: 'Log in with username and password; returns a session key and sets the session cookie.',
    auth: 'none',
    body: LoginBody,
    responses: {
      200: { description: 'Logged in.', schema: LoginResponse },
      401: { description: 'invalid_credentials, whatever the reason (no user enumeration).' },
      429: { description: 'Too many attempts.' },
    },
    handler: async ({ body, req, res, clientIp }) => {
      const user = await db.user.findUnique({ where: { username: body.username } });
      // One argon2 verification whatever happens, and one answer for every failure.
      const passwordOk = await verifyPassword(user?.passwordHash ?? null, body.password);
      if (!user || !passwordOk || !user.isActive) throw INVALID_CREDENTIALS;
      const sessionKey = generateKey();
      const expiresAt = new Date(Date.now() + config.SESSION_TTL_HOURS * 3_600_000);
      await db.session.create({
        data: { userId: user.id, keyHash: hashKey(sessionKey), expiresAt, lastIp: clientIp, lastUserAgent: req.get('user-agent')?.slice(0, 500) ?? null },
      });
      res.cookie(SESSION_COOKIE, sessionKey, { httpOnly: true, sameSite: 'lax', secure: req.secure, expires: expiresAt, path: '/' });
      req.log?.info({ userId: user.id }, 'login');
      return { status: 200, body: { user: toUser(user), sessionKey, expiresAt: expiresAt.toISOString() } };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/auth/recovery',
    tag: 'auth',
    summary: 'Redeem a recovery token (from a recovery link) once, setting a new password.',
    auth: 'none',
    body: RecoveryBody,
    responses: { 204: { description: 'Password set; the token is used up.' }, 400: { description: 'Invalid or expired token.' } },
    handler: async ({ body, req }) => {
      const token = await db.token.findUnique({ where: { keyHash: hashKey(body.token) } });
      if (!token || token.intent !== 'recovery' || isExpired(token.expiresAt)) {
        throw badRequest('This recovery link is invalid or has expired. Ask an administrator for a new one.', [
          { field: 'body.token', message: 'invalid or expired' },
        ], 'invalid_token');
      }
      const passwordHash = await hashPassword(body.password);
      // Single use: the token is deleted in the same transaction that sets the password.
      const used = await db.$transaction(async (tx) => {
        const { count } = await tx.token.deleteMany({ where: { id: token.id } });
        if (count === 1) await tx.user.update({ where: { id: token.userId }, data: { passwordHash } });
        return count === 1;
      });
      if (!used) throw badRequest('This recovery link was already used.', [{ field: 'body.token', message: 'already used' }], 'invalid_token');
      req.log?.info({ userId: token.userId }, 'recovery token redeemed');
      return { status: 204 };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/auth/logout',
    tag: 'auth',
    summary: 'End the current session.',
    auth: 'required',
    responses: { 204: { description: 'Logged out.' } },
    handler: async ({ auth, res }) => {
      if (auth.sessionId) await db.session.deleteMany({ where: { id: auth.sessionId } });
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return { status: 204 };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/me',
    tag: 'auth',
    summary: 'The authenticated caller.',
    auth: 'required',
    responses: { 200: { description: 'The caller.', schema: User } },
    handler: async ({ auth }) => ({ status: 200, body: toUser(auth.user) }),
  });
}
