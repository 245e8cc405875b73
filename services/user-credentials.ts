import type { TokenIntent } from '../domain/accounts';
import { denied, invalid, notFoundError } from '../domain/errors';
import { canCreateToken, canEndCredentialsOf, canViewUser } from './authorization';
import { generateKey, hashKey } from '../lib/credentials';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { CHANGE_DENIED, refuseAnonymous, refuseTokenOnly, type AccountAccess } from './account-access';
import { writeAuditEvent, type AuditMeta } from './audit-log';
import type { Requester } from './lockdowns';
import { conflictOnDuplicate } from './unique-violation';

export interface NewToken {
  identifier: string;
  intent: TokenIntent;
  userId?: string;
  description?: string;
  expiresAt?: string;
}

const ownerFields = { id: true, username: true, type: true, isSuperuser: true } as const;
const unknownOwner = () => invalid('Unknown user.', [{ field: 'body.userId', message: 'No user with this id.' }]);

/**
 * Minting tokens and ending sessions and tokens, each with its audit event in the same
 * transaction (the key never: only its digest is stored, and events name the token's id).
 * Minting for someone else is acting as them (`canCreateToken`); ending a credential is
 * containment (`canEndCredentialsOf`). Every token minted is audited, one's own included:
 * a new key is what an auditor looks for after an incident.
 */
export function createUserCredentials(db: Db, access: AccountAccess) {
  return {
    async createToken(actor: Requester, token: NewToken, meta: AuditMeta) {
      const ownerId = token.userId ?? actor.id;
      if (!isUuid(ownerId)) throw unknownOwner();
      // Permission before existence: without change_user on the id, the same 403 whatever it names.
      if (!(await canViewUser(db, actor, ownerId))) throw denied(`You can create only your own api and app_password tokens. ${CHANGE_DENIED}`);
      const owner = await db.user.findUnique({ where: { id: ownerId }, select: ownerFields });
      if (!owner) throw unknownOwner();
      refuseAnonymous(owner, 'body.userId');
      if (!(await canCreateToken(db, actor, owner, token.intent))) throw denied(`You can create only your own api and app_password tokens. ${CHANGE_DENIED}`);
      if (token.intent === 'recovery') refuseTokenOnly(owner, 'body.userId');
      const expiresAt = token.expiresAt ? new Date(token.expiresAt) : null;
      if (expiresAt && expiresAt <= new Date()) throw invalid('expiresAt must be in the future.', [{ field: 'body.expiresAt', message: 'must be in the future' }]);
      const key = generateKey();
      const created = await conflictOnDuplicate(
        db.$transaction(async (tx) => {
          const row = await tx.token.create({
            data: { identifier: token.identifier, intent: token.intent, userId: owner.id, keyHash: hashKey(key), description: token.description ?? '', expiresAt },
          });
          await writeAuditEvent(tx, 'token_created', actor, meta, {
            affected_user: owner.username,
            affected_user_id: owner.id,
            token_id: row.id,
            identifier: row.identifier,
            intent: row.intent,
            expires_at: row.expiresAt?.toISOString() ?? null,
            own: owner.id === actor.id,
          });
          return row;
        }),
        'A token with this identifier already exists.',
        'identifier_taken',
      );
      return { token: created, key };
    },

    /** Deletes a token. Someone who may not see its owner learns nothing: 404, as for an unknown id. */
    async deleteToken(actor: Requester, tokenId: string, meta: AuditMeta) {
      const token = isUuid(tokenId) ? await db.token.findUnique({ where: { id: tokenId }, include: { user: { select: ownerFields } } }) : null;
      if (!token || !(await canViewUser(db, actor, token.userId))) throw notFoundError('Token');
      if (!(await canEndCredentialsOf(db, actor, token.user))) throw denied('Only a superuser ends the credentials of a protected account.');
      await db.$transaction(async (tx) => {
        const { count } = await tx.token.deleteMany({ where: { id: token.id } });
        if (count === 0) throw notFoundError('Token');
        await writeAuditEvent(tx, 'token_deleted', actor, meta, {
          affected_user: token.user.username,
          affected_user_id: token.user.id,
          token_id: token.id,
          identifier: token.identifier,
          intent: token.intent,
        });
      });
    },

    /** Ends one session of the user (DELETE /users/:id/sessions/:sessionId). */
    async endSession(actor: Requester, userId: string, sessionId: string, meta: AuditMeta) {
      const owner = await access.visible(actor, userId);
      if (!(await canEndCredentialsOf(db, actor, owner))) throw denied('Only a superuser ends the credentials of a protected account.');
      await db.$transaction(async (tx) => {
        const { count } = isUuid(sessionId) ? await tx.session.deleteMany({ where: { id: sessionId, userId: owner.id } }) : { count: 0 };
        if (count === 0) throw notFoundError('Session');
        await writeAuditEvent(tx, 'session_deleted', actor, meta, { affected_user: owner.username, affected_user_id: owner.id, session_id: sessionId });
      });
    },
  };
}
