import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Request, Router } from 'express';
import { HttpError } from '../http/errors';
import { SESSION_COOKIE } from '../authentication';
import type { ApiDeps, Route } from '../app';
import { LoginBody, LoginResponse, RecoveryBody, User } from '../schemas';
import { toUser } from './users';

const INVALID_CREDENTIALS = new HttpError(401, 'invalid_credentials', 'Invalid username or password.');
const TOO_MANY = new HttpError(429, 'rate_limited', 'Too many login attempts. Wait a minute and try again.');

/** The client address as a limiter key (IPv6 by its /56, so one host cannot rotate through its own addresses). */
const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? '');
const usernameOf = (req: Request) => (typeof req.body?.username === 'string' ? req.body.username.toLowerCase() : '');

export function authRoutes(router: Router, route: Route, { config, services: { signIn } }: ApiDeps) {
  // Login throttling counts per client address, and failures per (address, username) — never
  // per username alone, or anyone could keep a known user out by failing from elsewhere.
  // Brute force stays slow: one address gets LOGIN_RATE_LIMIT_PER_MINUTE attempts a minute
  // in all, and fewer at any one account. Every refusal is the same 429, whatever the account.
  const limit = (max: number, keyOf: (req: Request) => string, options: { failuresOnly?: boolean } = {}) =>
    rateLimit({
      windowMs: 60_000,
      limit: max,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: keyOf,
      skipSuccessfulRequests: options.failuresOnly ?? false,
      handler: (_req, _res, next) => next(TOO_MANY),
    });
  router.post(
    '/api/v1/auth/login',
    limit(config.LOGIN_RATE_LIMIT_PER_MINUTE, (req) => `address:${addressOf(req)}`),
    limit(config.LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE, (req) => `account:${addressOf(req)}:${usernameOf(req)}`, { failuresOnly: true }),
  );

  route({
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'auth',
    summary:
      'Log in with username and password; returns a session key and sets the session cookie. Service accounts authenticate with tokens only.',
    auth: 'none',
    body: LoginBody,
    responses: {
      200: { description: 'Logged in.', schema: LoginResponse },
      401: { description: 'invalid_credentials, whatever the reason — a password locked by password lockout included (no user enumeration).' },
      429: { description: 'Too many attempts from this address (in all, or at this username).' },
    },
    handler: async ({ body, req, res, clientIp }) => {
      const session = await signIn.login(body.username, body.password, { clientIp, userAgent: req.get('user-agent') ?? null, sessionTtlHours: config.SESSION_TTL_HOURS, host: req.hostname });
      if (!session) throw INVALID_CREDENTIALS;
      res.cookie(SESSION_COOKIE, session.sessionKey, { httpOnly: true, sameSite: 'lax', secure: req.secure, expires: session.expiresAt, path: '/' });
      req.log?.info({ userId: session.user.id }, 'login');
      return { status: 200, body: { user: toUser(session.user), sessionKey: session.sessionKey, expiresAt: session.expiresAt.toISOString() } };
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
      const { userId } = await signIn.redeemRecovery(body.token, body.password);
      req.log?.info({ userId }, 'recovery token redeemed');
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
      await signIn.logout(auth.sessionId);
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
