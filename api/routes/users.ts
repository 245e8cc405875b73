import type { Router } from 'express';
import { z } from 'zod';
import { hashPassword, isExpired, unusablePasswordHash } from '../../lib/credentials';
import { publicUrl } from '../../lib/config';
import { isUuid } from '../../lib/ids';
import { canChangeCredentialsOf, canCreateUser, canManageUsers, canViewUser } from '../../domain/permissions';
import { authorize } from '../authorization';
import { decodeCursor, encodeCursor } from '../../services/cursor';
import { notFound } from '../http/errors';
import { conflictOnDuplicate } from '../../services/unique-violation';
import type { ApiDeps, Route } from '../app';
import { ActivatedUser, CreateUserBody, IdParams, page, RecoveryLink, RestoreBody, SessionInfo, SetPasswordBody, TokenInfo, UpdateUserBody, User, UsersQuery } from '../schemas';

const CREDENTIALS_DENIED =
  'This needs change_user on the user, and every permission the user holds; a superuser’s credentials change only by a superuser.';

export const MFA_REMINDER = 'Ask the user to re-enrol their MFA devices once they have regained access.';

export function toUser(user: { id: string; username: string; name: string; email: string; isActive: boolean; isSuperuser: boolean; type: string }) {
  const { id, username, name, email, isActive, isSuperuser, type } = user;
  return { id, username, name, email, isActive, isSuperuser, type: type as 'internal' };
}

const viewUser = { 403: { description: 'Not yourself, and change_user on the user missing.' }, 404: { description: 'Unknown user.' } };
const changeCredentials = {
  403: { description: 'change_user on the user, or a permission the user holds, missing; or the user is a superuser and you are not.' },
  404: { description: 'Unknown user.' },
};

export function userRoutes(_router: Router, route: Route, { db, config, services: { restore, accounts } }: ApiDeps) {
  async function findUser(id: string) {
    const user = isUuid(id) ? await db.user.findUnique({ where: { id } }) : null;
    if (!user) throw notFound('User');
    return user;
  }

  route({
    method: 'get',
    path: '/api/v1/users',
    tag: 'users',
    summary: 'List and search users (needs change_user). `isActive=false` lists locked users.',
    auth: 'required',
    query: UsersQuery,
    responses: { 200: { description: 'A page of users, by username.', schema: page(User, 'UserPage') }, 403: { description: 'change_user missing.' } },
    handler: async ({ auth, query }) => {
      await authorize(canManageUsers(db, auth.user), 'This needs the change_user permission.');
      const after = decodeCursor(query.cursor, z.object({ username: z.string().max(150) }));
      const contains = query.search ? { contains: query.search, mode: 'insensitive' as const } : undefined;
      const rows = await db.user.findMany({
        where: {
          ...(contains ? { OR: [{ username: contains }, { name: contains }, { email: contains }] } : {}),
          ...(query.isActive !== undefined ? { isActive: query.isActive } : {}),
          ...(after ? { username: { gt: after.username } } : {}),
        },
        orderBy: { username: 'asc' },
        take: query.limit + 1,
      });
      const items = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? encodeCursor({ username: items[items.length - 1].username }) : null;
      return { status: 200, body: { items: items.map(toUser), nextCursor: next } };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users',
    tag: 'users',
    summary: 'Create a user (needs change_user; only superusers create superusers).',
    auth: 'required',
    body: CreateUserBody,
    responses: { 201: { description: 'Created.', schema: User }, 403: { description: 'Not allowed.' }, 409: { description: 'Username taken.' } },
    handler: async ({ auth, body, req }) => {
      await authorize(
        canCreateUser(db, auth.user, body),
        body.isSuperuser ? 'Only superusers can create superusers.' : 'This needs the change_user permission.',
      );
      const user = await conflictOnDuplicate(
        db.user.create({
          data: {
            username: body.username,
            name: body.name ?? '',
            email: body.email ?? '',
            passwordHash: body.password ? await hashPassword(body.password) : unusablePasswordHash(),
            type: body.type ?? 'internal',
            isSuperuser: body.isSuperuser ?? false,
          },
        }),
        'A user with this username already exists.',
        'username_taken',
      );
      req.log?.info({ userId: user.id, by: auth.user.id }, 'user created');
      return { status: 201, body: toUser(user) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id',
    tag: 'users',
    summary: 'One user (yourself, or with change_user on them).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The user.', schema: User }, 403: { description: 'Not yourself, and change_user on the user missing.' }, 404: { description: 'Unknown user.' } },
    handler: async ({ auth, params }) => {
      await authorize(canViewUser(db, auth.user, params.id));
      return { status: 200, body: toUser(await findUser(params.id)) };
    },
  });

  route({
    method: 'patch',
    path: '/api/v1/users/:id',
    tag: 'users',
    summary:
      'Change a user (needs change_user on them; a superuser only by a superuser). `isActive: false` runs the per-user lockdown — sessions ended, ' +
      'tokens of every intent revoked, verified, an `account_lockdown_triggered` event with `cause: user_deactivated` — and answers once it finished; ' +
      '`isActive: true` re-activates (a `user_activated` event). Name and email changes write a `user_updated` event.',
    auth: 'required',
    params: IdParams,
    body: UpdateUserBody,
    responses: {
      200: { description: 'The user, changed.', schema: User },
      400: { description: 'Invalid field, or a protected account.' },
      403: { description: 'Not allowed.' },
      404: { description: 'Unknown user.' },
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
      'Delete a user (needs change_user on them; a superuser only by a superuser; never yourself). The per-user lockdown runs first ' +
      '(an `account_lockdown_triggered` event with `cause: user_deleted`), then the account is deleted with a `user_deleted` event.',
    auth: 'required',
    params: IdParams,
    responses: {
      204: { description: 'Deleted.' },
      400: { description: 'A protected account.' },
      403: { description: 'Not allowed.' },
      404: { description: 'Unknown user.' },
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
      await authorize(canViewUser(db, auth.user, params.id));
      const user = await findUser(params.id);
      const sessions = await db.session.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
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
    method: 'get',
    path: '/api/v1/users/:id/tokens',
    tag: 'users',
    summary: 'The user’s tokens of every intent (never the keys).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'Tokens.', schema: page(TokenInfo, 'TokenList') }, ...viewUser },
    handler: async ({ auth, params }) => {
      await authorize(canViewUser(db, auth.user, params.id));
      const user = await findUser(params.id);
      const tokens = await db.token.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
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
      'Re-activate a locked user (restore access, step 1); writes a `user_activated` event. The answer lists the sessions and tokens ' +
      'the user still has (kept by the lockdown, or created since), which work again once the user is active.',
    auth: 'required',
    params: IdParams,
    body: RestoreBody,
    responses: { 200: { description: 'The user, active, with the credentials kept.', schema: ActivatedUser }, ...changeCredentials },
    handler: async ({ auth, params, body, req, clientIp }) => {
      await authorize(canChangeCredentialsOf(db, auth.user, params.id), CREDENTIALS_DENIED);
      const { user, credentialsKept, warning } = await restore.activate(auth.user, params.id, { reason: body.reason, clientIp });
      req.log?.info({ userId: user.id, by: auth.user.id }, 'user activated');
      return { status: 200, body: { ...toUser(user), credentialsKept, warning } };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/set_password',
    tag: 'users',
    summary: 'Set a new password (restore access, step 2); writes a `password_set` event.',
    auth: 'required',
    params: IdParams,
    body: SetPasswordBody,
    responses: { 204: { description: 'Password set.' }, ...changeCredentials },
    handler: async ({ auth, params, body, req, clientIp }) => {
      await authorize(canChangeCredentialsOf(db, auth.user, params.id), CREDENTIALS_DENIED);
      await restore.setPassword(auth.user, params.id, body.password, { reason: body.reason, clientIp });
      req.log?.info({ userId: params.id, by: auth.user.id }, 'password set');
      return { status: 204 };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/recovery_link',
    tag: 'users',
    summary: 'Create a single-use, expiring recovery link with which the user chooses a new password; writes a `recovery_link_created` event.',
    auth: 'required',
    params: IdParams,
    body: RestoreBody,
    responses: { 201: { description: 'The link (shown once).', schema: RecoveryLink }, ...changeCredentials },
    handler: async ({ auth, params, body, req, clientIp }) => {
      await authorize(canChangeCredentialsOf(db, auth.user, params.id), CREDENTIALS_DENIED);
      const { key, expiresAt } = await restore.createRecoveryLink(auth.user, params.id, config.RECOVERY_LINK_TTL_MINUTES, { reason: body.reason, clientIp });
      req.log?.info({ userId: params.id, by: auth.user.id }, 'recovery link created');
      return {
        status: 201,
        body: { link: `${publicUrl(config)}/recovery#token=${key}`, expiresAt: expiresAt.toISOString(), message: MFA_REMINDER },
      };
    },
  });
}
