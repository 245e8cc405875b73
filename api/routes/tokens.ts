import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { CreatedToken, CreateTokenBody, IdParams } from '../schemas';

export function tokenRoutes(_router: Router, route: Route, { services: { credentials } }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/tokens',
    tag: 'tokens',
    summary:
      'Create a token. The key is returned once and stored only hashed. Your own api and app_password tokens need nothing; any other is acting as ' +
      'the owner (change_user on them and, unless you are a superuser, an owner holding no permission, no superuser, no internal service account). ' +
      'Writes a `token_created` event (never the key).',
    auth: 'required',
    body: CreateTokenBody,
    responses: {
      201: { description: 'Created; `key` is shown only now.', schema: CreatedToken },
      400: { description: 'Invalid field; unknown user; the anonymous user (`protected_account`); a recovery token for a service account.' },
      403: { description: 'Not your own api/app_password token, and you may not act as the owner.' },
      409: { description: 'Identifier taken.' },
    },
    handler: async ({ auth, body, req, clientIp }) => {
      const { token, key } = await credentials.createToken(auth.user, body, { clientIp });
      req.log?.info({ tokenId: token.id, intent: token.intent, userId: token.userId }, 'token created');
      return {
        status: 201,
        body: { id: token.id, identifier: token.identifier, intent: token.intent, key, expiresAt: token.expiresAt?.toISOString() ?? null },
      };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/tokens/:id',
    tag: 'tokens',
    summary:
      'Delete a token of any intent (your own, or with change_user on its owner; a protected account’s only by a superuser). It stops working at ' +
      'once; writes a `token_deleted` event.',
    auth: 'required',
    params: IdParams,
    responses: {
      204: { description: 'Deleted.' },
      403: { description: 'The owner is a protected account and you are not a superuser.' },
      404: { description: 'Unknown token, or one whose owner you may not see.' },
    },
    handler: async ({ auth, params, req, clientIp }) => {
      await credentials.deleteToken(auth.user, params.id, { clientIp });
      req.log?.info({ tokenId: params.id, by: auth.user.id }, 'token deleted');
      return { status: 204 };
    },
  });
}
