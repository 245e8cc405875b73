import { randomUUID } from 'node:crypto';
import { denied, invalid, notFoundError } from '../domain/errors';
import type { Actor } from '../domain/permissions';
import type { SignalEventActions } from '../domain/signals';
import { Prisma } from '../generated/prisma/client';
import { securityEventIssuer, type Config } from '../lib/config';
import { generateKey, hashKey } from '../lib/credentials';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { outboundPolicy, refusedAddressLiteral } from '../lib/outbound-address';
import { fieldDiff, writeConfigurationEvent, type AuditMeta } from './audit-log';
import { canChangeAutomaticLockdownSettings, canViewAutomaticLockdownSettings } from './authorization';
import type { ConfigurationActor } from './configuration-guard';
import { newestFirst, newestFirstPage } from './cursor';
import { pastedKeysProblem } from './ssf-transmitter-keys';
import { ensureSystemAccount } from './system-accounts';
import { conflictOnDuplicate } from './unique-violation';

/**
 * OpenID Shared Signals, receiver side: the transmitters a superuser trusts (read with
 * change_user). Each has its issuer and keys (a JWKS URL or pasted public keys), the audience
 * its SETs carry, which events it may send and what each does here, whom it may speak for, and
 * a bearer token it pushes with — made here, shown once, stored only as its SHA-256 digest.
 * Registering one makes its `ssf:<name>` service account (services/system-accounts.ts), which
 * requests its lockdowns. Every change writes its `model_*` event (`ssf_transmitter`) in the
 * same transaction; the token shows there only as `(secret)`.
 */
export interface TransmitterFields {
  name: string;
  issuer: string;
  jwksUrl: string | null;
  jwks: { keys: object[] } | null;
  audience: string;
  events: SignalEventActions;
  /** null: it may speak for every user; otherwise the members of this group only. */
  groupId: string | null;
  enabled: boolean;
}

export type TransmitterRequest = Omit<TransmitterFields, 'jwksUrl' | 'jwks' | 'audience' | 'groupId' | 'enabled'> &
  Partial<Pick<TransmitterFields, 'jwksUrl' | 'jwks' | 'audience' | 'groupId' | 'enabled'>>;
export type TransmitterChange = Partial<TransmitterFields>;

const include = { group: { select: { name: true } }, account: { select: { id: true, username: true } } } as const;
type TransmitterRow = Prisma.SsfTransmitterGetPayload<{ include: typeof include }>;

export const CHANGE_TRANSMITTERS_DENIED = 'A trusted transmitter can lock accounts with no person asking: only a superuser registers or changes one.';
const accountName = (transmitterName: string) => `ssf:${transmitterName}`;

export function createSsfTransmitters(db: Db, config: Config) {
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);
  const pushUrlOf = (id: string) => `${securityEventIssuer(config)}/api/v1/ssf_transmitters/${id}/push`;

  function toTransmitter(row: TransmitterRow) {
    return {
      id: row.id,
      name: row.name,
      issuer: row.issuer,
      jwksUrl: row.jwksUrl,
      jwks: (row.jwks as { keys: Record<string, unknown>[] } | null) ?? null,
      audience: row.audience,
      events: row.events as SignalEventActions,
      allUsers: row.allUsers,
      group: row.groupId ? { id: row.groupId, name: row.group?.name ?? '' } : null,
      account: row.account,
      enabled: row.enabled,
      pushUrl: pushUrlOf(row.id),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** What the audit log records: the settings, the token only as set (its digest, masked). */
  function audited(row: Pick<TransmitterRow, 'name' | 'issuer' | 'jwksUrl' | 'jwks' | 'audience' | 'events' | 'allUsers' | 'groupId' | 'enabled' | 'pushTokenHash'>) {
    const { name, issuer, jwksUrl, jwks, audience, events, allUsers, groupId, enabled, pushTokenHash } = row;
    return { name, issuer, jwksUrl, jwks, audience, events, allUsers, groupId, enabled, pushToken: pushTokenHash };
  }

  async function mayView(actor: Actor) {
    if (!(await canViewAutomaticLockdownSettings(db, actor))) throw denied('This needs the change_user permission.');
  }
  async function mayChange(actor: Actor) {
    await mayView(actor);
    if (!canChangeAutomaticLockdownSettings(actor)) throw denied(CHANGE_TRANSMITTERS_DENIED);
  }
  async function byId(id: string) {
    const row = isUuid(id) ? await db.ssfTransmitter.findUnique({ where: { id }, include }) : null;
    if (!row) throw notFoundError('Transmitter');
    return row;
  }

  /** The keys: exactly one of a JWKS URL (at an address the policy allows) and pasted public keys. */
  function checkKeys(fields: Pick<TransmitterFields, 'jwksUrl' | 'jwks'>) {
    if ((fields.jwksUrl === null) === (fields.jwks === null)) {
      throw invalid('Give the transmitter’s keys: either jwksUrl or jwks (pasted public keys), not both.', [{ field: 'body.jwksUrl', message: 'exactly one of jwksUrl and jwks' }]);
    }
    if (fields.jwksUrl !== null && refusedAddressLiteral(fields.jwksUrl, policy)) {
      throw invalid('The JWKS URL names an address this service may not fetch from.', [{ field: 'body.jwksUrl', message: 'address not allowed (OUTBOUND_ALLOWED_DESTINATIONS)' }], 'address_not_allowed');
    }
    const problem = fields.jwks === null ? null : pastedKeysProblem(fields.jwks);
    if (problem) throw invalid(`The pasted keys ${problem}.`, [{ field: 'body.jwks', message: problem }]);
  }

  async function checkGroup(groupId: string | null) {
    if (groupId === null) return;
    if (!isUuid(groupId) || !(await db.group.findUnique({ where: { id: groupId }, select: { id: true } }))) {
      throw invalid('No group with this id.', [{ field: 'body.groupId', message: 'unknown group' }]);
    }
  }

  const uniqueName = <T>(write: Promise<T>) => conflictOnDuplicate(write, 'A transmitter (or an account) with this name already exists.', 'name_taken');

  return {
    async list(actor: Actor, page: { cursor?: string; limit: number }) {
      await mayView(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.ssfTransmitter.findMany({ where, orderBy, take: page.limit + 1, include });
      return { ...newestFirstPage(rows, page.limit, toTransmitter), viewerMayChange: canChangeAutomaticLockdownSettings(actor) };
    },

    async get(actor: Actor, id: string) {
      await mayView(actor);
      return toTransmitter(await byId(id));
    },

    /** Registers a transmitter; the answer carries its push token, the only time it is shown. */
    async create(actor: ConfigurationActor, request: TransmitterRequest, meta: AuditMeta) {
      await mayChange(actor);
      const fields: TransmitterFields = {
        ...request,
        jwksUrl: request.jwksUrl ?? null,
        jwks: request.jwks ?? null,
        audience: request.audience ?? securityEventIssuer(config),
        groupId: request.groupId ?? null,
        enabled: request.enabled ?? true,
      };
      checkKeys(fields);
      await checkGroup(fields.groupId);
      const pushToken = generateKey();
      const id = randomUUID();
      const created = await uniqueName(
        db.$transaction(async (tx) => {
          const account = await ensureSystemAccount(tx, accountName(fields.name), { fresh: true });
          const row = await tx.ssfTransmitter.create({
            data: {
              id,
              name: fields.name,
              issuer: fields.issuer,
              jwksUrl: fields.jwksUrl,
              ...(fields.jwks ? { jwks: fields.jwks } : {}),
              audience: fields.audience,
              pushTokenHash: hashKey(pushToken),
              events: fields.events,
              allUsers: fields.groupId === null,
              groupId: fields.groupId,
              accountId: account.id,
              enabled: fields.enabled,
            },
            include,
          });
          const diff = fieldDiff(null, { ...audited(row), account: account.username }, ['pushToken']);
          await writeConfigurationEvent(tx, 'created', { model: 'ssf_transmitter', id, name: row.name }, diff, actor, meta);
          return row;
        }),
      );
      return { ...toTransmitter(created), pushToken };
    },

    /** Changes a transmitter; a new name renames its service account too. */
    async update(actor: ConfigurationActor, id: string, change: TransmitterChange, meta: AuditMeta) {
      await mayChange(actor);
      const before = await byId(id);
      const keys = {
        jwksUrl: change.jwksUrl !== undefined ? change.jwksUrl : change.jwks ? null : before.jwksUrl,
        jwks: change.jwks !== undefined ? change.jwks : change.jwksUrl ? null : ((before.jwks as TransmitterFields['jwks']) ?? null),
      };
      checkKeys(keys);
      if (change.groupId !== undefined) await checkGroup(change.groupId);
      const updated = await uniqueName(
        db.$transaction(async (tx) => {
          if (change.name !== undefined && change.name !== before.name && before.accountId) {
            await tx.user.update({ where: { id: before.accountId }, data: { username: accountName(change.name) } });
          }
          const row = await tx.ssfTransmitter.update({
            where: { id: before.id },
            data: {
              ...(change.name !== undefined ? { name: change.name } : {}),
              ...(change.issuer !== undefined ? { issuer: change.issuer } : {}),
              ...(change.audience !== undefined ? { audience: change.audience } : {}),
              ...(change.events !== undefined ? { events: change.events } : {}),
              ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
              ...(change.groupId !== undefined ? { groupId: change.groupId, allUsers: change.groupId === null } : {}),
              jwksUrl: keys.jwksUrl,
              jwks: keys.jwks ?? Prisma.DbNull,
            },
            include,
          });
          await writeConfigurationEvent(tx, 'updated', { model: 'ssf_transmitter', id: before.id, name: row.name }, fieldDiff(audited(before), audited(row), ['pushToken']), actor, meta);
          return row;
        }),
      );
      return toTransmitter(updated);
    },

    /** A new push token (the old one stops working at once); shown once. */
    async rotatePushToken(actor: ConfigurationActor, id: string, meta: AuditMeta) {
      await mayChange(actor);
      const before = await byId(id);
      const pushToken = generateKey();
      await db.$transaction(async (tx) => {
        const row = await tx.ssfTransmitter.update({ where: { id: before.id }, data: { pushTokenHash: hashKey(pushToken) }, include });
        await writeConfigurationEvent(tx, 'updated', { model: 'ssf_transmitter', id: before.id, name: row.name }, fieldDiff(audited(before), audited(row), ['pushToken']), actor, meta);
      });
      return { pushToken };
    },

    /**
     * Removes the transmitter, what it sent (the replay record) and its service account: its
     * pushes are refused from now on, and its lockdowns still waiting (for approval, for a
     * worker) fail their requester check. Lockdowns and events keep its name.
     */
    async remove(actor: ConfigurationActor, id: string, meta: AuditMeta) {
      await mayChange(actor);
      const row = await byId(id);
      await db.$transaction(async (tx) => {
        const { count } = await tx.ssfTransmitter.deleteMany({ where: { id: row.id } });
        if (count === 0) throw notFoundError('Transmitter');
        if (row.accountId) await tx.user.deleteMany({ where: { id: row.accountId, type: 'internal_service_account' } });
        const diff = fieldDiff({ ...audited(row), account: row.account?.username ?? null }, null, ['pushToken']);
        await writeConfigurationEvent(tx, 'deleted', { model: 'ssf_transmitter', id: row.id, name: row.name }, diff, actor, meta);
      });
    },
  };
}

export type SsfTransmitters = ReturnType<typeof createSsfTransmitters>;
