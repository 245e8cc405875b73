import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';

/**
 * Authorization, decided in this module only.
 *
 * - superusers hold every permission;
 * - `change_user` is held globally (no target) or on one target user;
 * - anyone may lock their own account, except inside a bulk request, which needs
 *   `change_user` on every target (no self-exemption in bulk).
 */
export type PermissionName = 'change_user' | 'view_audit';

export interface Actor {
  id: string;
  isSuperuser: boolean;
}

export async function hasPermission(db: Db, actor: Actor, permission: PermissionName, targetUserId?: string): Promise<boolean> {
  if (actor.isSuperuser) return true;
  const grant = await db.permission.findFirst({
    where: {
      userId: actor.id,
      permission,
      OR: [{ targetUserId: null }, ...(targetUserId && isUuid(targetUserId) ? [{ targetUserId }] : [])],
    },
    select: { id: true },
  });
  return grant !== null;
}

/** Target ids the actor may not lock; empty when the whole request is allowed. */
export async function targetsActorMayNotLock(db: Db, actor: Actor, targetIds: string[], bulk: boolean): Promise<string[]> {
  if (actor.isSuperuser) return [];
  const grants = await db.permission.findMany({
    where: { userId: actor.id, permission: 'change_user', OR: [{ targetUserId: null }, { targetUserId: { in: targetIds.filter(isUuid) } }] },
    select: { targetUserId: true },
  });
  if (grants.some((grant) => grant.targetUserId === null)) return [];
  const granted = new Set(grants.map((grant) => grant.targetUserId));
  return targetIds.filter((id) => !granted.has(id) && !(id === actor.id && !bulk));
}

/** Lockdowns are visible to the person who requested them and to `change_user`/`view_audit` holders. */
export async function canViewLockdown(db: Db, actor: Actor, lockdown: { actorId: string | null }): Promise<boolean> {
  if (lockdown.actorId === actor.id) return true;
  return (await hasPermission(db, actor, 'view_audit')) || (await hasPermission(db, actor, 'change_user'));
}
