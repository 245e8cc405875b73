import type { Router } from 'express';
import { isExpired } from '../../lib/credentials';
import { publicUrl } from '../../lib/config';
import type { ApiDeps, Route } from '../app';
import { ActivatedUser, CreateUserBody, IdParams, page, RecoveryLink, RestoreBody, SessionInfo, SetPasswordBody, TokenInfo, UpdateUserBody, User, UsersQuery } from '../schemas';
import { SessionParams, UserDetail, UserPage } from '../schemas/users';

export const MFA_REMINDER = 'Ask the user to re-enrol their MFA devices once they have regained access.';

export function toUser(user: { id: string; username: string; name: string; email: string; isActive: boolean; isSuperuser: boolean; type: string; passwordLocked?: boolean }) {
  const { id, username, name, email, isActive, isSuperuser, type, passwordLocked } = user;
  return { id, username, name, email, isActive, isSuperuser, type: type as 'internal', ...(passwordLocked === undefined ? {} : { passwordLocked }) };
}

/** A user of the users list: also what the API decides about them (protected, locked down). */
function toDirectoryUser(user: Parameters<typeof toUser>[0] & { isProtected: boolean; isLockedDown: boolean }) {
  return { ...toUser(user), isProtected: user.isProtected, isLockedDown: user.isLockedDown };
}

const viewUser = { 403: { description: 'Not yourself, and change_user on the user missing.' }, 404: { description: 'Unknown user.' } };
/** Changing an account or acting as it: one rule (`canChangeAccount` in services/authorization.ts). */
const changeAccount = {
  400: { description: 'Invalid field; or the anonymous user (`protected_account`), which nobody changes.' },
  403: {
    description:
      'change_user on the user missing; or, unless you are a superuser, the user is a superuser, holds a permission, or is an internal service account.',
  },
  404: { description: 'Unknown user.' },
};

export function userRoutes(_router: Router, route: Route, { config, services: { restore, accounts, directory, credentials } }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/users',
    tag: 'users',
    summary:
      'List and search the users you manage: everyone with change_user held globally, else the users you hold change_user on. ' +
      '`isActive=false` lists inactive users (`isLockedDown` tells the locked ones); `total` counts every match.',
    auth: 'required',
    query: UsersQuery,
    responses: { 200: { description: 'A page of users, by username.', schema: UserPage }, 403: { description: 'change_user held on nobody.' } },
    handler: async ({ auth, query }) => {
      const { items, nextCursor, total } = await directory.list(auth.user, query);
      return { status: 200, body: { items: items.map(toDirectoryUser), nextCursor, total } };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users',
    tag: 'users',
    summary:
      'Create a user (needs change_user globally; only superusers create superusers and internal service accounts). ' +
      'Service accounts authenticate with tokens only and take no password. Writes a `user_created` event.',
    auth: 'required',
    body: CreateUserBody,
    responses: {
      201: { description: 'Created.', schema: User },
      400: { description: 'Invalid field, or a password for a service account (`no_password_login`).' },
      403: { description: 'Not allowed.' },
      409: { description: 'Username taken.' },
    },
    handler: async ({ auth, body, req, clientIp }) => {
      const user = await accounts.create(auth.user, body, { clientIp });
      req.log?.info({ userId: user.id, by: auth.user.id }, 'user created');
      return { status: 201, body: toUser(user) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id',
    tag: 'users',
    summary:
      'One user (yourself, or with change_user on them), whether they are locked down, and the last lockdown that acted on them ' +
      '(who requested it, why and its id only when that lockdown is visible to you).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The user.', schema: UserDetail }, ...viewUser },
    handler: async ({ auth, params }) => {
      const user = await directory.get(auth.user, params.id);
      return { status: 200, body: { ...toDirectoryUser(user), lastLockdown: user.lastLockdown } };
    },
  });

  route({
    method: 'patch',
    path: '/api/v1/users/:id',
    tag: 'users',
    summary:
      'Change a user (change_user on them; unless you are a superuser, the user holds no permission and is no superuser or internal service account). ' +
      '`isActive: false` runs the per-user lockdown — sessions ended, tokens of every intent revoked, verified, an `account_lockdown_triggered` event ' +
      'with `cause: user_deactivated` — and answers once it finished (an internal service account, which no lockdown touches, is deactivated with every ' +
      'credential deleted in one transaction, by a superuser); `isActive: true` re-activates (a `user_activated` event). Name and email changes write a ' +
      '`user_updated` event with the fields changed.',
    auth: 'required',
    params: IdParams,
    body: UpdateUserBody,
    responses: {
      200: { description: 'The user, changed.', schema: User },
      ...changeAccount,
      409: { description: 'The deactivation failed (the message names the lockdown and why).' },
      503: { description: 'No worker ran the deactivation in time; it is recorded and finishes later.' },
    },
    handler: async ({ auth, params, body, req, clientIp }) => {
      const user = await accounts.update(auth.user, params.id, body, { clientIp });
      req.log?.info({ userId: user.id, by: auth.user.id, deactivated: body.isActive === false }, 'user changed');
      return { status: 200, body: toUser(user) };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/users/:id',
    tag: 'users',
    summary:
      'Delete a user (as PATCH decides; never yourself). The per-user lockdown runs first (an `account_lockdown_triggered` event with ' +
      '`cause: user_deleted`), then the account is deleted with a `user_deleted` event. An internal service account is deleted by a superuser with ' +
      'its sessions and tokens in one transaction.',
    auth: 'required',
    params: IdParams,
    responses: {
      204: { description: 'Deleted.' },
      ...changeAccount,
      409: { description: 'Your own account, or the revocation failed.' },
      503: { description: 'No worker ran the revocation in time; the user is not deleted.' },
    },
    handler: async ({ auth, params, req, clientIp }) => {
      await accounts.remove(auth.user, params.id, { clientIp });
      req.log?.info({ userId: params.id, by: auth.user.id }, 'user deleted');
      return { status: 204 };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id/sessions',
    tag: 'users',
    summary: 'The user’s sessions, expired ones included (never the keys).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'Sessions.', schema: page(SessionInfo, 'SessionList') }, ...viewUser },
    handler: async ({ auth, params }) => {
      const sessions = await directory.sessions(auth.user, params.id);
      return {
        status: 200,
        body: {
          items: sessions.map((session) => ({
            id: session.id,
            expiresAt: session.expiresAt.toISOString(),
            expired: isExpired(session.expiresAt),
            lastIp: session.lastIp,
            lastUserAgent: session.lastUserAgent,
            createdAt: session.createdAt.toISOString(),
          })),
          nextCursor: null,
        },
      };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/users/:id/sessions/:sessionId',
    tag: 'users',
    summary:
      'End one session of the user (yours, or with change_user on them; a protected account’s only by a superuser). The key stops working at once; ' +
      'writes a `session_deleted` event.',
    auth: 'required',
    params: SessionParams,
    responses: {
      204: { description: 'Ended.' },
      400: { description: 'Invalid path parameter.' },
      403: { description: 'Not yourself, and change_user on the user missing; or a protected account and you are not a superuser.' },
      404: { description: 'Unknown user, or no such session of the user.' },
    },
    handler: async ({ auth, params, req, clientIp }) => {
      await credentials.endSession(auth.user, params.id, params.sessionId, { clientIp });
      req.log?.info({ userId: params.id, sessionId: params.sessionId, by: auth.user.id }, 'session ended');
      return { status: 204 };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id/tokens',
    tag: 'users',
    summary: 'The user’s tokens of every intent (never the keys).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'Tokens.', schema: page(TokenInfo, 'TokenList') }, ...viewUser },
    handler: async ({ auth, params }) => {
      const tokens = await directory.tokens(auth.user, params.id);
      return {
        status: 200,
        body: {
          items: tokens.map((token) => ({
            id: token.id,
            identifier: token.identifier,
            intent: token.intent,
            description: token.description,
            expiresAt: token.expiresAt?.toISOString() ?? null,
            expired: isExpired(token.expiresAt),
            createdAt: token.createdAt.toISOString(),
          })),
          nextCursor: null,
        },
      };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/activate',
    tag: 'users',
    summary:
      'Re-activate a locked user (restore access, step 1; the same rule as PATCH `isActive: true`); writes a `user_activated` event. The answer lists ' +
      'the sessions and tokens the user still has (kept by the lockdown, or created since), which work again once the user is active.',
    auth: 'required',
    params: IdParams,
    body: RestoreBody,
    responses: { 200: { description: 'The user, active, with the credentials kept.', schema: ActivatedUser }, ...changeAccount },
    handler: async ({ auth, params, body, req, clientIp }) => {
      const { user, credentialsKept, warning } = await restore.activate(auth.user, params.id, { reason: body.reason, clientIp });
      req.log?.info({ userId: user.id, by: auth.user.id }, 'user activated');
      return { status: 200, body: { ...toUser(user), credentialsKept, warning } };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/set_password',
    tag: 'users',
    summary: 'Set a new password (restore access, step 2); writes a `password_set` event. Not for service accounts, which have none.',
    auth: 'required',
    params: IdParams,
    body: SetPasswordBody,
    responses: { 204: { description: 'Password set.' }, ...changeAccount },
    handler: async ({ auth, params, body, req, clientIp }) => {
      await restore.setPassword(auth.user, params.id, body.password, { reason: body.reason, clientIp });
      req.log?.info({ userId: params.id, by: auth.user.id }, 'password set');
      return { status: 204 };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/recovery_link',
    tag: 'users',
    summary:
      'Create a single-use, expiring recovery link with which the user chooses a new password; writes a `recovery_link_created` event. ' +
      'Not for service accounts.',
    auth: 'required',
    params: IdParams,
    body: RestoreBody,
    responses: { 201: { description: 'The link (shown once).', schema: RecoveryLink }, ...changeAccount },
    handler: async ({ auth, params, body, req, clientIp }) => {
      const { key, expiresAt } = await restore.createRecoveryLink(auth.user, params.id, config.RECOVERY_LINK_TTL_MINUTES, { reason: body.reason, clientIp });
      req.log?.info({ userId: params.id, by: auth.user.id }, 'recovery link created');
      return {
        status: 201,
        body: { link: `${publicUrl(config)}/recovery#token=${key}`, expiresAt: expiresAt.toISOString(), message: MFA_REMINDER },
      };
    },
  });
}
