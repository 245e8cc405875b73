import { ACCOUNT_LOCKDOWN_FAILED, ACCOUNT_LOCKDOWN_TRIGGERED } from './events';
import { LOCKDOWN_ACTIONS, type LockdownActionKey } from './lockdown-actions';
import type { DeliveryRetry } from './notifications';

/**
 * What downstream applications are told of a lockdown: OpenID CAEP 1.0 events in RFC 8417
 * Security Event Tokens, pushed to receivers (RFC 8935). Pure rules, decided from the audit
 * event of a per-user run — which records what actually ran.
 */
export const CAEP_EVENT_TYPES = {
  'session-revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  'credential-change': 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
} as const;

export type CaepEventName = keyof typeof CAEP_EVENT_TYPES;
export const CAEP_EVENT_NAMES = Object.keys(CAEP_EVENT_TYPES) as [CaepEventName, ...CaepEventName[]];

/** RFC 8935 push delivery: the only delivery method this transmitter supports. */
export const PUSH_DELIVERY_METHOD = 'urn:ietf:rfc:8935';

export const SUBJECT_FORMATS = ['email', 'opaque'] as const;
export type SubjectFormat = (typeof SUBJECT_FORMATS)[number];

/** An SSF subject identifier (RFC 9493), the SET's `sub_id`. */
export type SubjectId = { format: 'email'; email: string } | { format: 'opaque'; id: string };

/** The audit event of one per-user run, as written by activities/audit.ts. */
export interface LockdownEventFacts {
  id: string;
  action: string;
  context: unknown;
  createdAt: Date;
}

interface LockdownEventContext {
  affected_user_id?: string;
  self_service?: boolean;
  cause?: string;
  actions?: Partial<Record<LockdownActionKey, boolean>>;
  steps_run?: LockdownActionKey[];
}

const contextOf = (event: LockdownEventFacts): LockdownEventContext => (event.context ?? {}) as LockdownEventContext;

/** The user the event is about, or null for events that are not about one locked user. */
export function affectedUserId(event: LockdownEventFacts): string | null {
  return typeof contextOf(event).affected_user_id === 'string' ? contextOf(event).affected_user_id! : null;
}

/**
 * Which CAEP events the run warrants: the `caep` of each action it ran (domain/lockdown-actions.ts:
 * `session-revoked` when it deleted the user's sessions, `credential-change` when it made the
 * password unusable), once each, in the order of CAEP_EVENT_TYPES. A locked user's event lists
 * the actions it ran; a run that stopped part-way lists the steps that completed — those
 * changes happened, so downstream applications hear of them too.
 */
export function caepEventsOf(event: LockdownEventFacts): CaepEventName[] {
  const context = contextOf(event);
  let ran: (step: LockdownActionKey) => boolean;
  if (event.action === ACCOUNT_LOCKDOWN_TRIGGERED) ran = (step) => context.actions?.[step] === true;
  else if (event.action === ACCOUNT_LOCKDOWN_FAILED) ran = (step) => (context.steps_run ?? []).includes(step);
  else return [];
  const warranted = new Set<CaepEventName | null>(LOCKDOWN_ACTIONS.filter((action) => ran(action.key)).map((action) => action.caep));
  return CAEP_EVENT_NAMES.filter((name) => warranted.has(name));
}

/** CAEP `initiating_entity`: the user for self-service, else the admin who locked, deactivated or deleted the account. */
export function initiatingEntity(event: LockdownEventFacts): 'admin' | 'user' {
  return contextOf(event).self_service === true ? 'user' : 'admin';
}

/**
 * CAEP `reason_admin`. A fixed sentence per kind of run, never the lockdown's free-text
 * reason: that may name an incident, a suspect or a ticket, which applications outside the
 * security team have no business reading.
 */
export function reasonAdmin(event: LockdownEventFacts): { en: string } {
  const context = contextOf(event);
  if (context.cause === 'user_deactivated') return { en: 'Account deactivated by an administrator.' };
  if (context.cause === 'user_deleted') return { en: 'Account deleted by an administrator.' };
  if (context.self_service === true) return { en: 'Account locked down by its owner.' };
  return { en: 'Account locked down by an administrator.' };
}

/** The receiver's subject format for this user; null when the user has no email address for an `email` receiver. */
export function subjectIdOf(format: SubjectFormat, user: { id: string; email: string }): SubjectId | null {
  if (format === 'opaque') return { format: 'opaque', id: user.id };
  return user.email ? { format: 'email', email: user.email } : null;
}

/** A subject read back from storage (PostgreSQL's jsonb reorders keys): `format` first again, as SSF writes it. */
export function subjectIdFrom(stored: unknown): SubjectId {
  const subject = stored as SubjectId;
  return subject.format === 'email' ? { format: 'email', email: subject.email } : { format: 'opaque', id: subject.id };
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The SET's claims (RFC 8417, SSF 1.0): one CAEP event for one subject, to one audience. */
export function securityEventClaims(input: {
  issuer: string;
  audience: string;
  jti: string;
  issuedAt: Date;
  subject: SubjectId;
  eventName: CaepEventName;
  event: LockdownEventFacts;
}) {
  const common = {
    event_timestamp: seconds(input.event.createdAt),
    initiating_entity: initiatingEntity(input.event),
    reason_admin: reasonAdmin(input.event),
  };
  const details = input.eventName === 'credential-change' ? { ...common, credential_type: 'password', change_type: 'revoke' } : common;
  return {
    iss: input.issuer,
    aud: input.audience,
    iat: seconds(input.issuedAt),
    jti: input.jti,
    // Both SETs of one run (sessions and password) share it: the audit event's id.
    txn: input.event.id,
    sub_id: input.subject,
    events: { [CAEP_EVENT_TYPES[input.eventName]]: details },
  };
}

export interface SecurityEventPlan {
  /** The event's SET deliveries still pending. */
  deliveryIds: string[];
  retry: DeliveryRetry;
}
