import type { Router } from 'express';
import { Prisma } from '../../generated/prisma/client';
import { hashPassword, unusablePasswordHash } from '../../lib/credentials';
import { requirePermission } from '../authorization';
import { conflict, forbidden } from '../http/errors';
import type { ApiDeps, Route } from '../app';
import { CreateUserBody, User } from '../schemas';

export function toUser(user: { id: string; username: string; name: string; email: string; isActive: boolean; isSuperuser: boolean; type: string }) {
  const { id, username, name, email, isActive, isSuperuser, type } = user;
  return { id, username, name, email, isActive, isSuperuser, type: type as 'internal' };
}

export function userRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/users',
    tag: 'users',
    summary: 'Create a user (needs change_user; only superusers create superusers).',
    auth: 'required',
    body: CreateUserBody,
    responses: { 201: { description: 'Created.', schema: User }, 409: { description: 'Username taken.' } },
    handler: async ({ auth, body, req }) => {
      await requirePermission(db, auth.user, 'change_user');
      if (body.isSuperuser && !auth.user.isSuperuser) throw forbidden('Only superusers can create superusers.');
      try {
        const user = await db.user.create({
          data: {
            username: body.username,
            name: body.name ?? '',
            email: body.email ?? '',
            passwordHash: body.password ? await hashPassword(body.password) : unusablePasswordHash(),
            type: body.type ?? 'internal',
            isSuperuser: body.isSuperuser ?? false,
          },
        });
        req.log?.info({ userId: user.id, by: auth.user.id }, 'user created');
        return { status: 201, body: toUser(user) };
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw conflict('A user with this username already exists.', 'username_taken');
        throw err;
      }
    },
  });
}
