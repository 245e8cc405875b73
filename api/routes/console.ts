import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { csrfTokenOf, SESSION_COOKIE } from '../authentication';
import { badRequest } from '../http/errors';
import { Capabilities, CapabilitiesQuery, CsrfToken } from '../schemas/console';

/** What the browser console needs to behave like its user's permissions, and its CSRF token. */
export function consoleRoutes(_router: Router, route: Route, { services: { capabilities } }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/auth/csrf',
    tag: 'auth',
    summary: 'The CSRF token of the cookie session, to send as X-CSRF-Token on POST/PATCH/DELETE made with the cookie.',
    auth: 'required',
    responses: { 200: { description: 'The token.', schema: CsrfToken }, 400: { description: 'no_cookie_session: the request did not use the session cookie.' } },
    handler: async ({ req }) => {
      const cookie = req.cookies?.[SESSION_COOKIE];
      if (typeof cookie !== 'string' || !cookie) throw badRequest('Only cookie sessions need a CSRF token.', [], 'no_cookie_session');
      return { status: 200, body: { csrfToken: csrfTokenOf(cookie), header: 'X-CSRF-Token' as const } };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/me/capabilities',
    tag: 'auth',
    summary:
      'What the caller may do (globally, or on the user `user`), decided by the same rules the endpoints apply. With `user`, `user` lists each ' +
      'account action on that user; an unknown user, or one you may not see, answers every action false.',
    auth: 'required',
    query: CapabilitiesQuery,
    responses: { 200: { description: 'The caller’s capabilities.', schema: Capabilities } },
    handler: async ({ auth, query }) => ({ status: 200, body: await capabilities.of(auth.user, query.user) }),
  });
}
