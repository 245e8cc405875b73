import { z } from 'zod';
import '../http/openapi';
import { PUSH_ERROR_CODES, RECEIVED_EVENT_NAMES, SIGNAL_ACTIONS, type ReceivedEventName } from '../../domain/signals';
import { Pagination } from '../schemas';
import { outboundUrl } from './notifications';

/**
 * Lockdowns that start themselves: password lockout policies and a user's lock status, the
 * Shared Signals transmitters this service trusts, and the RFC 8935 answers of its push endpoint.
 */

// ── Password lockout ──

export const PasswordLockoutPolicy = z
  .object({
    brandId: z.string(),
    domain: z.string(),
    isDefault: z.boolean(),
    enabled: z.boolean(),
    attempts: z.number().int().nullable().openapi({ description: 'Consecutive failed password logins that lock a password; null: LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS.' }),
    effectiveAttempts: z.number().int(),
    escalate: z.boolean().openapi({ description: 'Also run the brand’s lockdown flow (requested by system:password-lockout) when a password locks.' }),
  })
  .openapi('PasswordLockoutPolicy');

export const PasswordLockoutPolicies = z
  .object({
    items: z.array(PasswordLockoutPolicy),
    defaultAttempts: z.number().int(),
    viewerMayChange: z.boolean().openapi({ description: 'Whether the caller may change them (superusers).' }),
  })
  .openapi('PasswordLockoutPolicies');

export const UpdatePasswordLockoutPolicyBody = z
  .object({
    enabled: z.boolean().optional(),
    attempts: z.number().int().min(1).max(1000).nullable().optional(),
    escalate: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdatePasswordLockoutPolicyRequest', { description: 'Only the fields given change; `attempts: null` uses LOCKDOWN_PASSWORD_LOCKOUT_ATTEMPTS.' });

export const BrandParams = z.object({ brandId: z.string().min(1).max(100) });

export const PasswordLockoutStatus = z
  .object({
    locked: z.boolean(),
    lockedAt: z.string().nullable(),
    failedAttempts: z.number().int().openapi({ description: 'Consecutive failed password logins counted (reset by a successful login).' }),
    lastFailedAt: z.string().nullable(),
    lastFailedIp: z.string().nullable(),
    escalation: z
      .object({ status: z.enum(['pending', 'started', 'failed']), lockdownId: z.string().nullable(), error: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The lockdown a policy with `escalate` requested when the password locked.' }),
    viewerMayUnlock: z.boolean(),
  })
  .openapi('PasswordLockoutStatus');

// ── Shared Signals transmitters ──

const SignalAction = z.enum(SIGNAL_ACTIONS);
const name = z.string().trim().min(1).max(150);
const issuer = z.string().trim().min(1).max(500);
const audience = z.string().trim().min(1).max(500);
const groupId = z.string().min(1).max(100).nullable();

/** One JWK (public members only are accepted; the service checks the rest). */
const Jwk = z.record(z.string().max(40), z.union([z.string().max(4096), z.boolean(), z.array(z.string().max(8192)).max(10)]));
const Jwks = z.object({ keys: z.array(Jwk).min(1).max(20) }).openapi('TransmitterJwks', { description: 'A JWK Set of the transmitter’s public signing keys (EC, RSA or OKP).' });

const EventActions = z
  .object(Object.fromEntries(RECEIVED_EVENT_NAMES.map((event) => [event, SignalAction.optional()])) as Record<ReceivedEventName, z.ZodOptional<typeof SignalAction>>)
  .strict()
  .refine((events) => Object.values(events).some((action) => action !== undefined), 'At least one event.')
  .openapi('TransmitterEventActions', {
    description:
      'The events the transmitter may send and what each does here: `none` (recorded), `alert` (recorded and notified through the notification rules), `lockdown` (a lockdown of the subject). ' +
      'Events not listed are refused (`access_denied`).',
  });

export const SsfTransmitter = z
  .object({
    id: z.string(),
    name: z.string(),
    issuer: z.string(),
    jwksUrl: z.string().nullable(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    audience: z.string(),
    events: z.record(z.string(), SignalAction),
    allUsers: z.boolean().openapi({ description: 'It may speak for every user (else only for the members of `group`; none when that group was deleted).' }),
    group: z.object({ id: z.string(), name: z.string() }).nullable(),
    account: z.object({ id: z.string(), username: z.string() }).nullable().openapi({ description: 'The service account that requests its lockdowns (ssf:<name>).' }),
    enabled: z.boolean(),
    pushUrl: z.string().openapi({ description: 'Where it pushes its SETs (RFC 8935), with `Authorization: Bearer <pushToken>`.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SsfTransmitter');

export const CreatedSsfTransmitter = SsfTransmitter.extend({
  pushToken: z.string().openapi({ description: 'The bearer token the transmitter pushes with: shown this once, stored only as a digest.' }),
}).openapi('CreatedSsfTransmitter');

export const SsfTransmitterPage = z
  .object({ items: z.array(SsfTransmitter), nextCursor: z.string().nullable(), viewerMayChange: z.boolean() })
  .openapi('SsfTransmitterPage');

export const CreateSsfTransmitterBody = z
  .object({
    name,
    issuer,
    jwksUrl: outboundUrl.optional(),
    jwks: Jwks.optional(),
    audience: audience.optional(),
    events: EventActions,
    groupId: groupId.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateSsfTransmitterRequest', {
    description:
      'A transmitter this service trusts: its issuer (`iss`), its keys — `jwksUrl` (fetched through the outbound address policy) or `jwks` (pasted public keys) — the `aud` its SETs carry ' +
      '(default: this service’s PUBLIC_URL), what each event does, and whom it may speak for (`groupId`: that group’s members; null or absent: every user).',
  });

export const UpdateSsfTransmitterBody = z
  .object({
    name: name.optional(),
    issuer: issuer.optional(),
    jwksUrl: outboundUrl.nullable().optional(),
    jwks: Jwks.nullable().optional(),
    audience: audience.optional(),
    events: EventActions.optional(),
    groupId: groupId.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateSsfTransmitterRequest', { description: 'Only the fields given change; giving `jwksUrl` or `jwks` replaces the other.' });

export const SsfTransmitterPageQuery = z.object(Pagination);

export const PushToken = z.object({ pushToken: z.string() }).openapi('SsfPushToken', { description: 'The new bearer token: shown this once.' });

export const PushError = z
  .object({ err: z.enum(PUSH_ERROR_CODES), description: z.string() })
  .openapi('SetPushError', { description: 'RFC 8935 § 2.3: why the SET was refused.' });

/** A push refused: the RFC 8935 answer, or the API's error envelope for a request no SET could be read from (a path id too long, a malformed JSON body). */
export const PushRefusal = z.union([
  PushError,
  z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()).optional() }) }),
]);
