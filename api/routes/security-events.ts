import type { Router } from 'express';
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

export function securityEventRoutes(_router: Router, route: Route, { services: { ssfReceivers: receivers } }: ApiDeps) {
  route({
    method: 'get',
    path: '/.well-known/jwks.json',
    tag: 'shared-signals',
    summary: 'The public keys that verify the Security Event Tokens (no authentication).',
    auth: 'none',
    responses: { 200: { description: 'A JWK Set.', schema: JwkSet } },
    handler: async ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return { status: 200, body: await receivers.publicJwks() };
    },
  });

  route({
    method: 'get',
    path: '/.well-known/ssf-configuration',
    tag: 'shared-signals',
    summary: 'The Shared Signals transmitter configuration (SSF 1.0; no authentication).',
    auth: 'none',
    responses: { 200: { description: 'Transmitter configuration metadata.', schema: SsfConfiguration } },
    handler: async () => ({ status: 200, body: receivers.transmitterConfiguration() }),
  });

  route({
    method: 'get',
    path: '/api/v1/ssf_receivers',
    tag: 'shared-signals',
    summary: 'Shared Signals receivers, newest first (needs change_user).',
    auth: 'required',
    query: SsfReceiverPageQuery,
    responses: { 200: { description: 'A page of receivers.', schema: page(SsfReceiver, 'SsfReceiverPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await receivers.list(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/ssf_receivers',
    tag: 'shared-signals',
    summary: 'Register a receiver of CAEP Security Event Tokens, pushed to it for every locked user (needs change_user).',
    auth: 'required',
    body: CreateSsfReceiverBody,
    responses: { 201: { description: 'Created.', schema: SsfReceiver }, ...nameTaken, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await receivers.create(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/ssf_receivers/:id',
    tag: 'shared-signals',
    summary: 'One receiver (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The receiver.', schema: SsfReceiver }, ...unknownReceiver, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await receivers.get(auth.user, params.id) }),
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
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await receivers.update(auth.user, params.id, body, { clientIp }) }),
  });

  route({
    method: 'delete',
    path: '/api/v1/ssf_receivers/:id',
    tag: 'shared-signals',
    summary: 'Remove a receiver and its delivery records (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Removed.' }, ...unknownReceiver, ...needsChangeUser },
    handler: async ({ auth, params, clientIp }) => {
      await receivers.remove(auth.user, params.id, { clientIp });
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
    handler: async ({ auth, query }) => ({ status: 200, body: await receivers.listDeliveries(auth.user, query) }),
  });
}
