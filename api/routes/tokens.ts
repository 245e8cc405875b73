import type { Router } from 'express';
import { canCreateToken } from '../../domain/permissions';
import { authorize } from '../authorization';
import { generateKey, hashKey } from '../../lib/credentials';
import { isUuid } from '../../lib/ids';
import { badRequest } from '../http/errors';
import { conflictOnDuplicate } from '../../services/unique-violation';
import type { ApiDeps, Route } from '../app';
import { CreatedToken, CreateTokenBody } from '../schemas';

export function tokenRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/tokens',
    tag: 'tokens',
    summary: 'Create a token. The key is returned once and stored only hashed.',
    auth: 'required',
    body: CreateTokenBody,
    responses: {
      201: { description: 'Created; `key` is shown only now.', schema: CreatedToken },
      403: { description: 'Not your own api/app_password token, and you may not change the owner’s credentials.' },
      409: { description: 'Identifier taken.' },
    },
    handler: async ({ auth, body, req }) => {
      const userId = body.userId ?? auth.user.id;
      if (!isUuid(userId)) throw badRequest('Unknown user.', [{ field: 'body.userId', message: 'No user with this id.' }]);
      await authorize(canCreateToken(db, auth.user, userId, body.intent), 'You can create only your own api and app_password tokens; tokens for others need change_user on them and every permission they hold (a superuser’s, only a superuser).');
      const owner = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
      if (!owner) throw badRequest('Unknown user.', [{ field: 'body.userId', message: 'No user with this id.' }]);
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt <= new Date()) throw badRequest('expiresAt must be in the future.', [{ field: 'body.expiresAt', message: 'must be in the future' }]);
      const key = generateKey();
      const token = await conflictOnDuplicate(
        db.token.create({
          data: { identifier: body.identifier, intent: body.intent, userId, keyHash: hashKey(key), description: body.description ?? '', expiresAt },
        }),
        'A token with this identifier already exists.',
        'identifier_taken',
      );
      req.log?.info({ tokenId: token.id, intent: token.intent, userId }, 'token created');
      return {
        status: 201,
        body: { id: token.id, identifier: token.identifier, intent: token.intent, key, expiresAt: token.expiresAt?.toISOString() ?? null },
      };
    },
  });
}
