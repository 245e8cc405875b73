import type { Router } from 'express';
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { CAEP_EVENT_NAMES, CAEP_EVENT_TYPES, PUSH_DELIVERY_METHOD } from '../../domain/security-events';
import { canConfigureSecurityEventReceivers, canReadAudit } from '../../domain/permissions';
import { securityEventIssuer } from '../../lib/config';
import { newestFirst, newestFirstPage } from '../../services/cursor';
import { isUuid } from '../../lib/ids';
import { loadPayloadKeys, type PayloadKeys } from '../../lib/payload-keys';
import { sealSecret, sealedFor } from '../../lib/secret-box';
import { SsfSigningKeys } from '../../lib/ssf-signing-keys';
import { conflictOnDuplicate } from '../../services/unique-violation';
import { authorize } from '../authorization';
import { notFound } from '../http/errors';
import type { AuthUser } from '../http/route';
import type { ApiDeps, Route } from '../app';
import { IdParams, page } from '../schemas';
import {
  CreateSsfReceiverBody,
  JwkSet,
  SecurityEventDeliveriesQuery,
  SecurityEventDelivery,
  SsfConfiguration,
  SsfReceiver,
  SsfReceiverPageQuery,
  UpdateSsfReceiverBody,
} from '../schemas/security-events';

/**
 * OpenID Shared Signals, transmitter side: the receivers downstream applications register
 * through an admin (`change_user`), the SET deliveries (`view_audit`), and the two
 * unauthenticated documents receivers read — the signing keys and the configuration.
 */
const needsChangeUser = { 403: { description: 'change_user missing.' } };
const unknownReceiver = { 404: { description: 'No such receiver.' } };
const nameTaken = { 409: { description: 'A receiver with this name already exists.' } };

function toReceiver(receiver: Prisma.SsfReceiverGetPayload<object>) {
  return {
    id: receiver.id,
    name: receiver.name,
    endpointUrl: receiver.endpointUrl,
    audience: receiver.audience,
    hasAuthorizationHeader: receiver.authorizationHeaderSealed !== null,
    events: receiver.events,
    subjectFormat: receiver.subjectFormat,
    enabled: receiver.enabled,
    createdAt: receiver.createdAt.toISOString(),
    updatedAt: receiver.updatedAt.toISOString(),
  };
}

const deliveryInclude = { event: { select: { lockdownId: true } }, receiver: { select: { name: true } } } as const;

function toDelivery(delivery: Prisma.SecurityEventDeliveryGetPayload<{ include: typeof deliveryInclude }>) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    lockdownId: delivery.event.lockdownId,
    receiverId: delivery.receiverId,
    receiverName: delivery.receiver.name,
    eventType: delivery.eventType,
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

export function securityEventRoutes(_router: Router, route: Route, { db, config }: ApiDeps) {
  let payloadKeys: PayloadKeys | undefined;
  const keys = () => (payloadKeys ??= loadPayloadKeys(config));
  const signingKeys = new SsfSigningKeys(db, keys);
  const issuer = securityEventIssuer(config);
  const configure = (user: AuthUser) => authorize(canConfigureSecurityEventReceivers(db, user), 'This needs the change_user permission.');
  const receiverById = async (id: string) => {
    const receiver = isUuid(id) ? await db.ssfReceiver.findUnique({ where: { id } }) : null;
    if (!receiver) throw notFound('Receiver');
    return receiver;
  };
  const sealHeader = (receiverId: string, header: string) => sealSecret(keys(), sealedFor.receiverAuthorization(receiverId), header);

  route({
    method: 'get',
    path: '/.well-known/jwks.json',
    tag: 'shared-signals',
    summary: 'The public keys that verify the Security Event Tokens (no authentication).',
    auth: 'none',
    responses: { 200: { description: 'A JWK Set.', schema: JwkSet } },
    handler: async ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return { status: 200, body: await signingKeys.publicJwks() };
    },
  });

  route({
    method: 'get',
    path: '/.well-known/ssf-configuration',
    tag: 'shared-signals',
    summary: 'The Shared Signals transmitter configuration (SSF 1.0; no authentication).',
    auth: 'none',
    responses: { 200: { description: 'Transmitter configuration metadata.', schema: SsfConfiguration } },
    handler: async () => ({
      status: 200,
      body: {
        spec_version: '1_0',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        delivery_methods_supported: [PUSH_DELIVERY_METHOD],
        events_supported: CAEP_EVENT_NAMES.map((name) => CAEP_EVENT_TYPES[name]),
        // Receivers are registered by an admin, not through a stream management API: every locked user is a subject.
        default_subjects: 'ALL' as const,
      },
    }),
  });

  route({
    method: 'get',
    path: '/api/v1/ssf_receivers',
    tag: 'shared-signals',
    summary: 'Shared Signals receivers, newest first (needs change_user).',
    auth: 'required',
    query: SsfReceiverPageQuery,
    responses: { 200: { description: 'A page of receivers.', schema: page(SsfReceiver, 'SsfReceiverPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => {
      await configure(auth.user);
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.ssfReceiver.findMany({ where, orderBy, take: query.limit + 1 });
      return { status: 200, body: newestFirstPage(rows, query.limit, toReceiver) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/ssf_receivers',
    tag: 'shared-signals',
    summary: 'Register a receiver of CAEP Security Event Tokens, pushed to it for every locked user (needs change_user).',
    auth: 'required',
    body: CreateSsfReceiverBody,
    responses: { 201: { description: 'Created.', schema: SsfReceiver }, ...nameTaken, ...needsChangeUser },
    handler: async ({ auth, body, req }) => {
      await configure(auth.user);
      const id = randomUUID();
      const receiver = await uniqueName(
        db.ssfReceiver.create({
          data: {
            id,
            name: body.name,
            endpointUrl: body.endpointUrl,
            audience: body.audience,
            authorizationHeaderSealed: body.authorizationHeader === undefined ? null : sealHeader(id, body.authorizationHeader),
            events: body.events ?? CAEP_EVENT_NAMES,
            subjectFormat: body.subjectFormat ?? 'opaque',
            enabled: body.enabled ?? true,
          },
        }),
      );
      req.log?.info({ receiverId: receiver.id, by: auth.user.id }, 'ssf receiver created');
      return { status: 201, body: toReceiver(receiver) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/ssf_receivers/:id',
    tag: 'shared-signals',
    summary: 'One receiver (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The receiver.', schema: SsfReceiver }, ...unknownReceiver, ...needsChangeUser },
    handler: async ({ auth, params }) => {
      await configure(auth.user);
      return { status: 200, body: toReceiver(await receiverById(params.id)) };
    },
  });

  route({
    method: 'patch',
    path: '/api/v1/ssf_receivers/:id',
    tag: 'shared-signals',
    summary: 'Change a receiver; pending deliveries use the new endpoint, audience and header at their next attempt (needs change_user).',
    auth: 'required',
    params: IdParams,
    body: UpdateSsfReceiverBody,
    responses: { 200: { description: 'The receiver.', schema: SsfReceiver }, ...unknownReceiver, ...nameTaken, ...needsChangeUser },
    handler: async ({ auth, params, body, req }) => {
      await configure(auth.user);
      const { id } = await receiverById(params.id);
      const { authorizationHeader, ...fields } = body;
      const receiver = await uniqueName(
        db.ssfReceiver.update({
          where: { id },
          data: {
            ...fields,
            ...(authorizationHeader === undefined ? {} : { authorizationHeaderSealed: authorizationHeader === null ? null : sealHeader(id, authorizationHeader) }),
          },
        }),
      );
      req.log?.info({ receiverId: id, by: auth.user.id, fields: Object.keys(body) }, 'ssf receiver updated');
      return { status: 200, body: toReceiver(receiver) };
    },
  });

  route({
    method: 'delete',
    path: '/api/v1/ssf_receivers/:id',
    tag: 'shared-signals',
    summary: 'Remove a receiver and its delivery records (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Removed.' }, ...unknownReceiver, ...needsChangeUser },
    handler: async ({ auth, params, req }) => {
      await configure(auth.user);
      const { count } = isUuid(params.id) ? await db.ssfReceiver.deleteMany({ where: { id: params.id } }) : { count: 0 };
      if (count === 0) throw notFound('Receiver');
      req.log?.info({ receiverId: params.id, by: auth.user.id }, 'ssf receiver deleted');
      return { status: 204 };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/security_event_deliveries',
    tag: 'shared-signals',
    summary: 'SET deliveries with their status, attempts and last error, newest first (needs view_audit).',
    auth: 'required',
    query: SecurityEventDeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries.', schema: page(SecurityEventDelivery, 'SecurityEventDeliveryPage') }, 403: { description: 'view_audit missing.' } },
    handler: async ({ auth, query }) => {
      await authorize(canReadAudit(db, auth.user), 'This needs the view_audit permission.');
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.securityEventDelivery.findMany({
        where: {
          ...where,
          ...(query.status ? { status: query.status } : {}),
          ...(query.eventId ? { eventId: query.eventId } : {}),
          ...(query.receiverId ? { receiverId: query.receiverId } : {}),
          ...(query.lockdownId ? { event: { lockdownId: query.lockdownId } } : {}),
        },
        orderBy,
        take: query.limit + 1,
        include: deliveryInclude,
      });
      return { status: 200, body: newestFirstPage(rows, query.limit, toDelivery) };
    },
  });
}
