import { isAnonymousUser, logsInWithPassword } from '../domain/accounts';
import { denied, invalid, notFoundError } from '../domain/errors';
import { type Actor } from '../domain/permissions';
import { canChangeAccount, canViewUser } from './authorization';
import { unrecordableText } from '../domain/prompt';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';

/**
 * Finding the account a request is about, in the order every account route answers: first
 * whether the caller may see it at all (403, whatever the id, so ids cannot be probed), then
 * whether it exists (404), then whether it is the anonymous user (400, to everyone), then the
 * rule of the action (403). The rules themselves are domain/permissions.ts.
 */
export const CHANGE_DENIED =
  'This needs change_user on the user, and the user must hold no permission and be no superuser or internal service account (those, only a superuser changes).';

export function createAccountAccess(db: Db) {
  async function find(userId: string) {
    const user = isUuid(userId) ? await db.user.findUnique({ where: { id: userId } }) : null;
    if (!user) throw notFoundError('User');
    return user;
  }

  return {
    /** The account, if the actor may see it (themself, or change_user on it). */
    async visible(actor: Actor, userId: string) {
      if (!(await canViewUser(db, actor, userId))) throw denied('This needs the change_user permission on the user.');
      return find(userId);
    },

    /** The account, if the actor may change it or act as it (`canChangeAccount`); never the anonymous user. */
    async changeable(actor: Actor, userId: string) {
      const user = await this.visible(actor, userId);
      refuseAnonymous(user);
      if (!(await canChangeAccount(db, actor, user))) throw denied(CHANGE_DENIED);
      return user;
    },
  };
}

export type AccountAccess = ReturnType<typeof createAccountAccess>;

/** The anonymous user is the system's: nobody changes it, holds a credential of it, or grants it anything. */
export function refuseAnonymous(user: { username: string }, field = 'params.id') {
  if (isAnonymousUser(user)) {
    throw invalid('The anonymous user is a protected account: it cannot be changed, given credentials or permissions, deactivated or deleted.', [{ field, message: 'protected account' }], 'protected_account');
  }
}

/** The optional `reason` of an administrative change, recorded in its event; refused if PostgreSQL could not store it. */
export function checkedReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason.trim() === '') return undefined;
  const problem = unrecordableText(reason, 1_000);
  if (problem) throw invalid(`The reason ${problem}.`, [{ field: 'body.reason', message: problem }]);
  return reason;
}

/** Service accounts authenticate with tokens only: they are given no password and no recovery token. */
export function refuseTokenOnly(user: { username: string; type: string }, field = 'params.id') {
  if (!logsInWithPassword(user)) {
    throw invalid('Service accounts authenticate with tokens only: they have no password to set or recover.', [{ field, message: 'no password login' }], 'no_password_login');
  }
}
