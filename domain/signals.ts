import type { EventAction } from './events';

/**
 * Receiving Shared Signals: the SETs (RFC 8417) a trusted transmitter pushes (RFC 8935), what
 * each event type may do here, and the checks of a SET's claims. Pure: verifying the
 * signature and acting are services/ssf-push.ts.
 */

/** The events a transmitter may be trusted with, by short name: CAEP 1.0 and RISC 1.0 event types. */
export const RECEIVED_EVENT_TYPES = {
  'credential-change': 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  'session-revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  'account-disabled': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  'credential-compromise': 'https://schemas.openid.net/secevent/risc/event-type/credential-compromise',
} as const;
export type ReceivedEventName = keyof typeof RECEIVED_EVENT_TYPES;
export const RECEIVED_EVENT_NAMES = Object.keys(RECEIVED_EVENT_TYPES) as [ReceivedEventName, ...ReceivedEventName[]];

export const RECEIVED_EVENT_LABELS: Record<ReceivedEventName, string> = {
  'credential-change': 'credential change (CAEP)',
  'session-revoked': 'session revoked (CAEP)',
  'account-disabled': 'account disabled (RISC)',
  'credential-compromise': 'credential compromise (RISC)',
};

/** SSF's stream verification event: always accepted, never acts. */
export const VERIFICATION_EVENT_TYPE = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** What an event from a transmitter does here, weakest first. */
export const SIGNAL_ACTIONS = ['none', 'alert', 'lockdown'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];
export type SignalEventActions = Partial<Record<ReceivedEventName, SignalAction>>;

/** The strongest of the actions (a SET may carry several events). */
export function strongestAction(actions: SignalAction[]): SignalAction {
  return actions.reduce<SignalAction>((strongest, action) => (SIGNAL_ACTIONS.indexOf(action) > SIGNAL_ACTIONS.indexOf(strongest) ? action : strongest), 'none');
}

export function eventNameOf(uri: string): ReceivedEventName | null {
  return RECEIVED_EVENT_NAMES.find((name) => RECEIVED_EVENT_TYPES[name] === uri) ?? null;
}

/** RFC 8935 § 2.4 error codes: what a refused SET is answered with (400 `{ err, description }`). */
export const PUSH_ERROR_CODES = ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'] as const;
export type PushErrorCode = (typeof PUSH_ERROR_CODES)[number];

/** Audit event actions of received SETs. */
export const SECURITY_EVENT_RECEIVED = 'security_event_received' satisfies EventAction;
export const SECURITY_EVENT_REJECTED = 'security_event_rejected' satisfies EventAction;

/** What an accepted SET did, recorded in its `security_event_received` event. */
export type SignalOutcome = 'verified' | 'none' | 'alert' | 'lockdown' | 'already_inactive' | 'lockdown_refused';

/**
 * The subject of a SET, as RFC 9493 subject identifiers (`sub_id`) or the older `subject`
 * member of the event: the formats this receiver maps to a local user.
 */
export type ReceivedSubject = { format: 'email'; email: string } | { format: 'opaque'; id: string } | { format: 'iss_sub'; iss: string; sub: string };

/**
 * A string from a SET made fit to store and show: no NUL (PostgreSQL refuses it), well-formed
 * UTF-16, at most `max` characters; null when it is no string.
 */
export function storable(value: unknown, max = 256): string | null {
  if (typeof value !== 'string') return null;
  return value.slice(0, max).replace(UNSTORABLE, '');
}

// NUL, and UTF-16 surrogates without their pair (which jsonb refuses).
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A non-empty string of at most `max` characters that can be stored as it is. */
const text = (value: unknown, max = 320): value is string => typeof value === 'string' && value.length > 0 && value.length <= max && storable(value, max) === value;


/** The subject identifier, or why it cannot be used. The older RISC spelling (`subject_type`, `iss-sub`) is read too. */
export function parseSubject(raw: unknown): ReceivedSubject | { problem: string } {
  if (!raw || typeof raw !== 'object') return { problem: 'The SET names no subject (sub_id).' };
  const subject = raw as Record<string, unknown>;
  const format = subject.format ?? subject.subject_type;
  if (format === 'email' && text(subject.email)) return { format: 'email', email: subject.email };
  if (format === 'opaque' && text(subject.id)) return { format: 'opaque', id: subject.id };
  if ((format === 'iss_sub' || format === 'iss-sub') && text(subject.iss, 2000) && text(subject.sub)) return { format: 'iss_sub', iss: subject.iss, sub: subject.sub };
  return { problem: 'The subject identifier is not of a format this receiver maps (email, opaque, iss_sub).' };
}

export interface SetClaimLimits {
  issuer: string;
  audience: string;
  nowSeconds: number;
  maxAgeSeconds: number;
  /** Clock skew allowed for an `iat` in the future. */
  futureSkewSeconds: number;
}

export type ClaimProblem = { err: PushErrorCode; description: string };

/** The claims a SET must carry for this transmitter, checked after its signature: the first problem, or null. */
export function claimProblem(claims: Record<string, unknown>, limits: SetClaimLimits): ClaimProblem | null {
  if (claims.iss !== limits.issuer) return { err: 'invalid_issuer', description: 'The SET’s issuer (iss) is not this transmitter’s.' };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(limits.audience)) return { err: 'invalid_audience', description: 'The SET’s audience (aud) is not this receiver.' };
  if (!text(claims.jti, 256)) return { err: 'invalid_request', description: 'The SET has no usable jti.' };
  const iat = claims.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return { err: 'invalid_request', description: 'The SET has no iat.' };
  if (iat > limits.nowSeconds + limits.futureSkewSeconds) return { err: 'invalid_request', description: 'The SET was issued in the future (iat).' };
  if (iat < limits.nowSeconds - limits.maxAgeSeconds) return { err: 'invalid_request', description: 'The SET is too old (iat).' };
  const events = claims.events;
  if (!events || typeof events !== 'object' || Array.isArray(events) || Object.keys(events).length === 0) {
    return { err: 'invalid_request', description: 'The SET carries no events.' };
  }
  return null;
}

/** The subject of the SET: `sub_id`, else the `subject` member of its (first) event, as older CAEP and RISC drafts put it. */
export function subjectClaimOf(claims: Record<string, unknown>): unknown {
  if (claims.sub_id !== undefined) return claims.sub_id;
  const events = claims.events as Record<string, unknown>;
  for (const payload of Object.values(events)) {
    if (payload && typeof payload === 'object' && 'subject' in payload) return (payload as { subject: unknown }).subject;
  }
  return undefined;
}

/** What the event says about why, in a line fit for a lockdown's reason: `reason_admin` (CAEP/RISC), or RISC's `reason`. */
function eventReasonOf(payload: unknown): string | null {
  if (!payload || typeof payload !== 'object') return null;
  const { reason_admin: admin, reason } = payload as { reason_admin?: unknown; reason?: unknown };
  if (admin && typeof admin === 'object' && typeof (admin as { en?: unknown }).en === 'string') return (admin as { en: string }).en;
  if (typeof admin === 'string') return admin;
  if (typeof reason === 'string') return reason;
  return null;
}

const MAX_EVENT_REASON = 300;

/** The lockdown's reason: which event, from which transmitter, and the event's own reason when it gives one. */
export function signalLockdownReason(transmitterName: string, eventNames: ReceivedEventName[], payloads: unknown[]): string {
  const what = eventNames.map((name) => RECEIVED_EVENT_LABELS[name]).join(', ');
  const given = payloads.map(eventReasonOf).find((reason) => reason !== null);
  const because = given ? `: ${storable(given.replace(/\s+/g, ' ').trim(), MAX_EVENT_REASON)}` : '';
  return `Shared Signal from "${transmitterName}": ${what}${because}`;
}
