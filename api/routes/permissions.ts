import type { Router } from 'express';
import { isUuid } from '../../lib/ids';
import { canGrantPermissions } from '../../domain/permissions';
import { authorize } from '../authorization';
import { badRequest, conflict, notFound } from '../http/errors';
import { conflictOnDuplicate } from '../../services/unique-violation';
import type { AuthUser } from '../http/route';
import type { ApiDeps, Route } from '../app';
import { IdParams, Permission, PermissionBody } from '../schemas';

export function permissionRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  const requireSuperuser = (user: AuthUser) => authorize(canGrantPermissions(user), 'Only superusers can grant or revoke permissions.');

  route({
    method: 'post',
    path: '/api/v1/permissions',
    tag: 'users',
    summary: 'Grant change_user or view_audit, globally or (targetUserId) on one user. Superusers only.',
    auth: 'required',
    body: PermissionBody,
    responses: { 201: { description: 'Granted.', schema: Permission }, 403: { description: 'Not a superuser.' }, 409: { description: 'Already granted.' } },
    handler: async ({ auth, body, req }) => {
      await requireSuperuser(auth.user);
      for (const [field, id] of [['userId', body.userId], ['targetUserId', body.targetUserId]] as const) {
        if (id !== undefined && (!isUuid(id) || !(await db.user.findUnique({ where: { id }, select: { id: true } })))) {
          throw badRequest(`Unknown user in ${field}.`, [{ field: `body.${field}`, message: 'No user with this id.' }]);
        }
      }
      const targetUserId = body.targetUserId ?? null;
      const existing = await db.permission.findFirst({ where: { userId: body.userId, permission: body.permission, targetUserId } });
      if (existing) throw conflict('This permission is already granted.', 'already_granted');
      const grant = await conflictOnDuplicate(
        db.permission.create({ data: { userId: body.userId, permission: body.permission, targetUserId } }),
        'This permission is already granted.',
        'already_granted',
      );
      req.log?.info({ permissionId: grant.id, userId: grant.userId, permission: grant.permission, by: auth.user.id }, 'permission granted');
      return { status: 201, body: { ...grant, createdAt: grant.createdAt.toISOString() } };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/permissions/:id',
    tag: 'users',
    summary: 'Revoke a permission. Superusers only.',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Revoked.' }, 403: { description: 'Not a superuser.' }, 404: { description: 'Unknown permission.' } },
    handler: async ({ auth, params, req }) => {
      await requireSuperuser(auth.user);
      const { count } = isUuid(params.id) ? await db.permission.deleteMany({ where: { id: params.id } }) : { count: 0 };
      if (count === 0) throw notFound('Permission');
      req.log?.info({ permissionId: params.id, by: auth.user.id }, 'permission revoked');
      return { status: 204 };
    },
  });
}
