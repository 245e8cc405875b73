import { hasPermission, type PermissionName } from '../domain/permissions';
import type { Db } from '../lib/db';
import { forbidden } from './http/errors';
import type { AuthUser } from './http/route';

/** Throws 403 unless the decision in domain/permissions allows it. */
export async function requirePermission(db: Db, user: AuthUser, permission: PermissionName, targetUserId?: string): Promise<void> {
  if (!(await hasPermission(db, user, permission, targetUserId))) {
    throw forbidden(`This needs the ${permission} permission.`);
  }
}
