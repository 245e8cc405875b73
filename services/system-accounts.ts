import { conflictError } from '../domain/errors';
import type { Prisma } from '../generated/prisma/client';
import type { Requester } from './lockdown-access';

/**
 * The accounts that request the lockdowns no person asks for — `system:password-lockout`, and
 * one `ssf:<name>` per trusted Shared Signals transmitter — so such a lockdown goes through the
 * same request path, rules and workflow as any other: it has an actor the audit log names,
 * whose `change_user` the workflow re-checks, and whose requests the approval window counts.
 *
 * Each is an internal service account (never locked, no password, no token: nobody signs in
 * as it) holding `change_user` globally — the permission a lockdown needs. Usernames carry a
 * colon, which usernames made through the API cannot, so none collides with a person's.
 * Made only by a superuser's change (enabling escalation, registering a transmitter), in that
 * change's transaction; revoking the grant or deleting the account stops its lockdowns (the
 * workflow refuses them), and nothing makes it again behind an administrator's back.
 */
type Tx = Pick<Prisma.TransactionClient, 'user' | 'permission'>;

/**
 * The account, made (with its grant) if there is none by that name; an existing one is left as
 * it is (`fresh`: an existing one is a conflict — a name already taken).
 */
export async function ensureSystemAccount(tx: Tx, username: string, options: { fresh?: boolean } = {}): Promise<Requester> {
  const existing = await tx.user.findUnique({ where: { username }, select: { id: true, username: true, isSuperuser: true, type: true } });
  if (existing && (options.fresh || existing.type !== 'internal_service_account')) throw conflictError(`An account named ${username} already exists.`, 'name_taken');
  if (existing) return { id: existing.id, username: existing.username, isSuperuser: existing.isSuperuser };
  const account = await tx.user.create({
    data: { username, name: 'Automatic lockdowns', type: 'internal_service_account', passwordHash: null, isActive: true },
    select: { id: true, username: true, isSuperuser: true },
  });
  await tx.permission.create({ data: { userId: account.id, permission: 'change_user', targetUserId: null } });
  return account;
}

/** The account by id as a lockdown requester, or null when it was deleted. */
export async function systemAccount(tx: Pick<Tx, 'user'>, where: { id: string } | { username: string }): Promise<Requester | null> {
  return tx.user.findUnique({ where, select: { id: true, username: true, isSuperuser: true } });
}
