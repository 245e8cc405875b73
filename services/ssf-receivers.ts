import { randomUUID } from 'node:crypto';
import { denied, invalid, notFoundError } from '../domain/errors';
import type { DeliveryStatus } from '../domain/notifications';
import { type Actor } from '../domain/permissions';
import { canConfigureSecurityEventReceivers, canReadAudit } from './authorization';
import { CAEP_EVENT_NAMES, CAEP_EVENT_TYPES, PUSH_DELIVERY_METHOD, type CaepEventName, type SubjectFormat } from '../domain/security-events';
import type { Prisma } from '../generated/prisma/client';
import { securityEventIssuer, type Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { outboundPolicy, refusedAddressLiteral } from '../lib/outbound-address';
import { loadPayloadKeys, type PayloadKeys } from '../lib/payload-keys';
import { sealSecret, sealedFor } from '../lib/secret-box';
import { SsfSigningKeys } from '../lib/ssf-signing-keys';
import { fieldDiff, writeConfigurationEvent } from './audit-log';
import type { AuditMeta, ConfigurationActor } from './configuration-guard';
import { newestFirst, newestFirstPage } from './cursor';
import { conflictOnDuplicate } from './unique-violation';

/**
 * OpenID Shared Signals, transmitter side: the receivers an admin registers (change_user),
 * the SET deliveries (view_audit), and the two public documents receivers read. Receiver
 * changes are written with their `model_*` audit event in one transaction; the
 * authorization header shows there only as set or not.
 */
export interface ReceiverRequest {
  name: string;
  endpointUrl: string;
  audience: string;
  authorizationHeader?: string;
  events?: CaepEventName[];
  subjectFormat?: SubjectFormat;
  enabled?: boolean;
}

export type ReceiverChange = Partial<Omit<ReceiverRequest, 'authorizationHeader'>> & { authorizationHeader?: string | null };

export interface SecurityEventDeliveriesFilter {
  status?: DeliveryStatus;
  eventId?: string;
  lockdownId?: string;
  receiverId?: string;
  cursor?: string;
  limit: number;
}

type ReceiverRow = Prisma.SsfReceiverGetPayload<object>;

function toReceiver(receiver: ReceiverRow) {
  return {
    id: receiver.id,
    name: receiver.name,
    endpointUrl: receiver.endpointUrl,
    audience: receiver.audience,
    hasAuthorizationHeader: receiver.authorizationHeaderSealed !== null,
    events: receiver.events as CaepEventName[],
    subjectFormat: receiver.subjectFormat,
    enabled: receiver.enabled,
    createdAt: receiver.createdAt.toISOString(),
    updatedAt: receiver.updatedAt.toISOString(),
  };
}

/** What the audit log records of a receiver: its settings, the header only as set or not. */
function auditedFields(receiver: ReceiverRow) {
  const { name, endpointUrl, audience, events, subjectFormat, enabled } = receiver;
  return { name, endpointUrl, audience, authorizationHeader: receiver.authorizationHeaderSealed, events, subjectFormat, enabled };
}

const deliveryInclude = { event: { select: { lockdownId: true } }, receiver: { select: { name: true } } } as const;

function toDelivery(delivery: Prisma.SecurityEventDeliveryGetPayload<{ include: typeof deliveryInclude }>) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    lockdownId: delivery.event.lockdownId,
    receiverId: delivery.receiverId,
    receiverName: delivery.receiver.name,
    eventType: delivery.eventType as CaepEventName,
    jti: delivery.jti,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

const uniqueName = <T>(write: Promise<T>) => conflictOnDuplicate(write, 'A receiver with this name already exists.', 'name_taken');

export function createSsfReceivers(db: Db, config: Config) {
  let payloadKeys: PayloadKeys | undefined;
  const keys = () => (payloadKeys ??= loadPayloadKeys(config));
  const signingKeys = new SsfSigningKeys(db, keys);
  const issuer = securityEventIssuer(config);
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);
  const sealHeader = (receiverId: string, header: string) => sealSecret(keys(), sealedFor.receiverAuthorization(receiverId), header);

  async function mayConfigure(actor: Actor) {
    if (!(await canConfigureSecurityEventReceivers(db, actor))) throw denied('This needs the change_user permission.');
  }
  async function receiverById(id: string) {
    const receiver = isUuid(id) ? await db.ssfReceiver.findUnique({ where: { id } }) : null;
    if (!receiver) throw notFoundError('Receiver');
    return receiver;
  }
  /** An endpoint that names an address the outbound policy refuses is refused now, not at the first lockdown. */
  function checkEndpoint(endpointUrl: string | undefined) {
    if (endpointUrl !== undefined && refusedAddressLiteral(endpointUrl, policy)) {
      throw invalid('The endpoint URL names an address Security Event Tokens may not be sent to.', [{ field: 'body.endpointUrl', message: 'address not allowed (OUTBOUND_ALLOWED_DESTINATIONS)' }], 'address_not_allowed');
    }
  }

  return {
    publicJwks: () => signingKeys.publicJwks(),

    transmitterConfiguration() {
      return {
        spec_version: '1_0',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        delivery_methods_supported: [PUSH_DELIVERY_METHOD],
        events_supported: CAEP_EVENT_NAMES.map((name) => CAEP_EVENT_TYPES[name]),
        // Receivers are registered by an admin, not through a stream management API: every locked user is a subject.
        default_subjects: 'ALL' as const,
      };
    },

    async list(actor: Actor, page: { cursor?: string; limit: number }) {
      await mayConfigure(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.ssfReceiver.findMany({ where, orderBy, take: page.limit + 1 });
      return newestFirstPage(rows, page.limit, toReceiver);
    },

    async get(actor: Actor, id: string) {
      await mayConfigure(actor);
      return toReceiver(await receiverById(id));
    },

    async create(actor: ConfigurationActor, request: ReceiverRequest, meta: AuditMeta) {
      await mayConfigure(actor);
      checkEndpoint(request.endpointUrl);
      const id = randomUUID();
      return uniqueName(
        db.$transaction(async (tx) => {
          const receiver = await tx.ssfReceiver.create({
            data: {
              id,
              name: request.name,
              endpointUrl: request.endpointUrl,
              audience: request.audience,
              authorizationHeaderSealed: request.authorizationHeader === undefined ? null : sealHeader(id, request.authorizationHeader),
              events: request.events ?? [...CAEP_EVENT_NAMES],
              subjectFormat: request.subjectFormat ?? 'opaque',
              enabled: request.enabled ?? true,
            },
          });
          await writeConfigurationEvent(tx, 'created', { model: 'ssf_receiver', id, name: receiver.name }, fieldDiff(null, auditedFields(receiver), ['authorizationHeader']), actor, meta);
          return toReceiver(receiver);
        }),
      );
    },

    /** Pending deliveries use the new endpoint, audience and header at their next attempt. */
    async update(actor: ConfigurationActor, id: string, change: ReceiverChange, meta: AuditMeta) {
      await mayConfigure(actor);
      const before = await receiverById(id);
      checkEndpoint(change.endpointUrl);
      const { authorizationHeader, ...fields } = change;
      return uniqueName(
        db.$transaction(async (tx) => {
          const receiver = await tx.ssfReceiver.update({
            where: { id: before.id },
            data: {
              ...fields,
              ...(authorizationHeader === undefined ? {} : { authorizationHeaderSealed: authorizationHeader === null ? null : sealHeader(before.id, authorizationHeader) }),
            },
          });
          const diff = fieldDiff(auditedFields(before), auditedFields(receiver), ['authorizationHeader']);
          await writeConfigurationEvent(tx, 'updated', { model: 'ssf_receiver', id: before.id, name: receiver.name }, diff, actor, meta);
          return toReceiver(receiver);
        }),
      );
    },

    /** Removes the receiver and its delivery records. */
    async remove(actor: ConfigurationActor, id: string, meta: AuditMeta) {
      await mayConfigure(actor);
      const receiver = await receiverById(id);
      await db.$transaction(async (tx) => {
        const { count } = await tx.ssfReceiver.deleteMany({ where: { id: receiver.id } });
        if (count === 0) throw notFoundError('Receiver');
        await writeConfigurationEvent(tx, 'deleted', { model: 'ssf_receiver', id: receiver.id, name: receiver.name }, fieldDiff(auditedFields(receiver), null, ['authorizationHeader']), actor, meta);
      });
    },

    async listDeliveries(actor: Actor, filter: SecurityEventDeliveriesFilter) {
      if (!(await canReadAudit(db, actor))) throw denied('This needs the view_audit permission.');
      const { where, orderBy } = newestFirst(filter.cursor);
      const rows = await db.securityEventDelivery.findMany({
        where: {
          ...where,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.eventId ? { eventId: filter.eventId } : {}),
          ...(filter.receiverId ? { receiverId: filter.receiverId } : {}),
          ...(filter.lockdownId ? { event: { lockdownId: filter.lockdownId } } : {}),
        },
        orderBy,
        take: filter.limit + 1,
        include: deliveryInclude,
      });
      return newestFirstPage(rows, filter.limit, toDelivery);
    },
  };
}
