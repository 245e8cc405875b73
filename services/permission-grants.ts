import { conflictError, denied, invalid, notFoundError } from '../domain/errors';
import { type Actor, type PermissionName } from '../domain/permissions';
import { canGrantPermissions } from './authorization';
import type { ActorRef } from '../domain/stages';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { refuseAnonymous } from './account-access';
import { writeAuditEvent, type AuditMeta } from './audit-log';
import { conflictOnDuplicate } from './unique-violation';

export interface NewGrant {
  userId: string;
  permission: PermissionName;
  targetUserId?: string;
}

/**
 * Granting and revoking permissions (superusers only), each with a `permission_granted` /
 * `permission_revoked` event in the same transaction: who, to whom (`affected_user`), which
 * permission, and its scope — `global`, or `user` with the target user.
 */
export function createPermissionGrants(db: Db) {
  function requireSuperuser(actor: Actor) {
    if (!canGrantPermissions(actor)) throw denied('Only superusers can grant or revoke permissions.');
  }

  async function userNamed(field: 'userId' | 'targetUserId', id: string) {
    const user = isUuid(id) ? await db.user.findUnique({ where: { id }, select: { id: true, username: true } }) : null;
    if (!user) throw invalid(`Unknown user in ${field}.`, [{ field: `body.${field}`, message: 'No user with this id.' }]);
    return user;
  }

  function grantContext(holder: { id: string; username: string }, grant: { id: string; permission: string }, target: { id: string; username: string } | null) {
    return {
      affected_user: holder.username,
      affected_user_id: holder.id,
      permission: grant.permission,
      scope: target ? 'user' : 'global',
      target_user: target?.username ?? null,
      target_user_id: target?.id ?? null,
      permission_id: grant.id,
    };
  }

  return {
    async grant(actor: ActorRef & Actor, request: NewGrant, meta: AuditMeta) {
      requireSuperuser(actor);
      const holder = await userNamed('userId', request.userId);
      refuseAnonymous(holder, 'body.userId');
      const target = request.targetUserId !== undefined ? await userNamed('targetUserId', request.targetUserId) : null;
      const targetUserId = target?.id ?? null;
      // The unique key does not hold for global grants (NULL target), so look first.
      const existing = await db.permission.findFirst({ where: { userId: holder.id, permission: request.permission, targetUserId }, select: { id: true } });
      if (existing) throw conflictError('This permission is already granted.', 'already_granted');
      return conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const grant = await tx.permission.create({ data: { userId: holder.id, permission: request.permission, targetUserId } });
          await writeAuditEvent(tx, 'permission_granted', actor, meta, grantContext(holder, grant, target));
          return grant;
        }),
        'This permission is already granted.',
        'already_granted',
      );
    },

    async revoke(actor: ActorRef & Actor, permissionId: string, meta: AuditMeta) {
      requireSuperuser(actor);
      await db.$transaction(async (tx) => {
        const grant = isUuid(permissionId)
          ? await tx.permission.findUnique({ where: { id: permissionId }, include: { user: { select: { id: true, username: true } }, targetUser: { select: { id: true, username: true } } } })
          : null;
        const { count } = grant ? await tx.permission.deleteMany({ where: { id: grant.id } }) : { count: 0 };
        if (!grant || count === 0) throw notFoundError('Permission');
        await writeAuditEvent(tx, 'permission_revoked', actor, meta, grantContext(grant.user, grant, grant.targetUser));
      });
    },
  };
}
