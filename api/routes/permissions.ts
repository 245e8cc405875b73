import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { IdParams, Permission, PermissionBody } from '../schemas';

export function permissionRoutes(_router: Router, route: Route, { services: { permissionGrants } }: ApiDeps) {
  route({
    method: 'post',
    path: '/api/v1/permissions',
    tag: 'users',
    summary:
      'Grant change_user or view_audit, globally or (targetUserId) on one user. Superusers only; writes a `permission_granted` event ' +
      '(to whom, which permission, the scope).',
    auth: 'required',
    body: PermissionBody,
    responses: {
      201: { description: 'Granted.', schema: Permission },
      400: { description: 'Unknown user in a field, or the anonymous user (`protected_account`).' },
      403: { description: 'Not a superuser.' },
      409: { description: 'Already granted.' },
    },
    handler: async ({ auth, body, req, clientIp }) => {
      const grant = await permissionGrants.grant(auth.user, body, { clientIp });
      req.log?.info({ permissionId: grant.id, userId: grant.userId, permission: grant.permission, by: auth.user.id }, 'permission granted');
      return { status: 201, body: { ...grant, createdAt: grant.createdAt.toISOString() } };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/permissions/:id',
    tag: 'users',
    summary: 'Revoke a permission. Superusers only; writes a `permission_revoked` event.',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Revoked.' }, 403: { description: 'Not a superuser.' }, 404: { description: 'Unknown permission.' } },
    handler: async ({ auth, params, req, clientIp }) => {
      await permissionGrants.revoke(auth.user, params.id, { clientIp });
      req.log?.info({ permissionId: params.id, by: auth.user.id }, 'permission revoked');
      return { status: 204 };
    },
  });
}
