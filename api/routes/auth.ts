import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Router } from 'express';
import { generateKey, hashKey, verifyPassword } from '../../lib/credentials';
import { HttpError } from '../http/errors';
import { SESSION_COOKIE } from '../authentication';
import type { ApiDeps, Route } from '../app';
import { LoginBody, LoginResponse, User } from '../schemas';
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
      handler: (_req, res) => {
        res.status(429).json({ error: { code: 'rate_limited', message: 'Too many login attempts. Wait a minute and try again.' } });
      },
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
    responses: { 200: { description: 'Logged in.', schema: LoginResponse }, 429: { description: 'Too many attempts.' } },
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
