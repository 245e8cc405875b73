import { hasPermission, type PermissionName } from '../domain/permissions';
import type { Db } from '../lib/db';
import { forbidden } from './http/errors';
import type { AuthUser } from './http/route';

/** Turns a decision of domain/permissions into a 403. */
export async function authorize(decision: boolean | Promise<boolean>, message?: string): Promise<void> {
  if (!(await decision)) throw forbidden(message);
}

export function requirePermission(db: Db, user: AuthUser, permission: PermissionName, targetUserId?: string): Promise<void> {
  return authorize(hasPermission(db, user, permission, targetUserId), `This needs the ${permission} permission.`);
}
