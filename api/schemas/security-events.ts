import { z } from 'zod';
import '../http/openapi';
import { CAEP_EVENT_NAMES, SUBJECT_FORMATS } from '../../domain/security-events';
import { Pagination } from '../schemas';
import { DeliveryStatus, outboundUrl } from './notifications';

/** Request and response shapes of Shared Signals: receivers, SET deliveries, the JWKS and the transmitter configuration. */

const CaepEvent = z.enum(CAEP_EVENT_NAMES);
const SubjectFormat = z.enum(SUBJECT_FORMATS);

const name = z.string().trim().min(1).max(150);
const endpointUrl = outboundUrl;
const audience = z.string().trim().min(1).max(500);
// What fetch can send as a header value: printable ASCII, no leading or trailing blank.
const authorizationHeader = z
  .string()
  .max(2000)
  .regex(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, 'Printable ASCII, e.g. "Bearer <token>".');
const events = z
  .array(CaepEvent)
  .min(1, 'At least one event.')
  .max(CAEP_EVENT_NAMES.length)
  .refine((list) => new Set(list).size === list.length, 'Each event once.');

export const SsfReceiver = z
  .object({
    id: z.string(),
    name: z.string(),
    endpointUrl: z.string(),
    audience: z.string(),
    /** The header itself is write-only. */
    hasAuthorizationHeader: z.boolean(),
    events: z.array(CaepEvent),
    subjectFormat: SubjectFormat,
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SsfReceiver');

export const CreateSsfReceiverBody = z
  .object({
    name,
    endpointUrl,
    audience,
    authorizationHeader: authorizationHeader.optional(),
    events: events.optional(),
    subjectFormat: SubjectFormat.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateSsfReceiverRequest', {
    description:
      'A receiver of CAEP Security Event Tokens (RFC 8935 push). `events` defaults to both; `subjectFormat` to `opaque` (the user id). ' +
      '`authorizationHeader` is write-only: sent as the Authorization header of each push, never returned.',
  });

export const UpdateSsfReceiverBody = z
  .object({
    name: name.optional(),
    endpointUrl: endpointUrl.optional(),
    audience: audience.optional(),
    /** null removes it. */
    authorizationHeader: authorizationHeader.nullable().optional(),
    events: events.optional(),
    subjectFormat: SubjectFormat.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateSsfReceiverRequest', { description: 'Only the fields given change; `authorizationHeader: null` removes the header.' });

export const SsfReceiverPageQuery = z.object(Pagination);

export const SecurityEventDelivery = z
  .object({
    id: z.string(),
    eventId: z.string(),
    lockdownId: z.string().nullable(),
    receiverId: z.string(),
    receiverName: z.string(),
    eventType: CaepEvent,
    jti: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SecurityEventDelivery');

export const SecurityEventDeliveriesQuery = z.object({
  status: DeliveryStatus.optional(),
  eventId: z.guid().optional(),
  lockdownId: z.guid().optional(),
  receiverId: z.guid().optional(),
  ...Pagination,
});

export const JwkSet = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() }).catchall(z.unknown())) })
  .openapi('JwkSet', { description: 'The public keys that verify the Security Event Tokens (RFC 7517).' });

export const SsfConfiguration = z
  .object({
    spec_version: z.string(),
    issuer: z.string(),
    jwks_uri: z.string(),
    delivery_methods_supported: z.array(z.string()),
    events_supported: z.array(z.string()),
    default_subjects: z.enum(['ALL', 'NONE']),
  })
  .openapi('SsfConfiguration', { description: 'OpenID Shared Signals Framework 1.0 transmitter configuration metadata.' });
