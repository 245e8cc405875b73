import { ACCOUNT_LOCKDOWN_FAILED, ACCOUNT_LOCKDOWN_FINISHED, ACCOUNT_LOCKDOWN_TRIGGERED, eventActionLabel } from './events';

/**
 * Which events notify whom, and what the message says — decided here only.
 *
 * - An Event Matcher Policy matches an event when every criterion it sets matches
 *   (`action`, `clientIp`).
 * - A Notification Rule triggers when any of its bound policies matches; a rule with no
 *   policy bound never triggers (authentik's notification rules behave the same way).
 * - A rule alerts per lockdown (the default) or per user (`ALERT_PER`): a lockdown whose run
 *   writes a summary when it ends (`account_lockdown_finished`) alerts a per-lockdown rule
 *   once, with that summary, instead of once per locked user (`ruleDelivers`).
 */
export const NOTIFICATION_TRANSPORT_MODES = ['local', 'webhook', 'email'] as const;
export type NotificationMode = (typeof NOTIFICATION_TRANSPORT_MODES)[number];

export const NOTIFICATION_SEVERITIES = ['notice', 'warning', 'alert'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

/** What a rule sends one alert for: each lockdown (its summary) or each user of it. */
export const ALERT_PER = ['lockdown', 'user'] as const;
export type AlertPer = (typeof ALERT_PER)[number];

/** A notification's or a security event's delivery (the same three states). */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface MatchableEvent {
  action: string;
  clientIp: string | null;
}

export interface EventMatcherCriteria {
  action: string | null;
  clientIp: string | null;
}

export function policyMatches(policy: EventMatcherCriteria, event: MatchableEvent): boolean {
  if (policy.action !== null && policy.action !== event.action) return false;
  if (policy.clientIp !== null && (event.clientIp === null || normalizeIp(policy.clientIp) !== normalizeIp(event.clientIp))) return false;
  return true;
}

export function ruleTriggered(policies: EventMatcherCriteria[], event: MatchableEvent): boolean {
  return policies.some((policy) => policyMatches(policy, event));
}

/** The per-user lockdown events (one per locked or failed user) that a lockdown's summary stands for. */
export const PER_USER_LOCKDOWN_ACTIONS: readonly string[] = [ACCOUNT_LOCKDOWN_TRIGGERED, ACCOUNT_LOCKDOWN_FAILED];

export function isPerUserLockdownAction(action: string): boolean {
  return PER_USER_LOCKDOWN_ACTIONS.includes(action);
}

/** An event as the rules see it, with what its lockdown adds. */
export interface DeliverableEvent extends MatchableEvent {
  /** A per-user lockdown event whose lockdown sends a summary when it ends. */
  summarized: boolean;
  /** For a summary: the per-user actions its lockdown wrote (each rule matches it as any of them). */
  standsFor: readonly string[];
}

/**
 * Whether a rule sends the event. Per-user lockdown events of a summarized lockdown reach
 * only rules that alert per user; the summary reaches every rule that matches it directly
 * (a policy on `account_lockdown_finished`, or on no action) and the rules alerting per
 * lockdown that would have matched one of its per-user events. Every other event: as its
 * policies say.
 */
export function ruleDelivers(rule: { alertPer: AlertPer; policies: EventMatcherCriteria[] }, event: DeliverableEvent): boolean {
  if (event.summarized) return rule.alertPer === 'user' && ruleTriggered(rule.policies, event);
  if (ruleTriggered(rule.policies, event)) return true;
  return rule.alertPer === 'lockdown' && event.standsFor.some((action) => ruleTriggered(rule.policies, { ...event, action }));
}

/** The per-user actions a summary event's context says its lockdown wrote (`per_user_events`). */
export function summaryStandsFor(action: string, context: unknown): string[] {
  if (action !== ACCOUNT_LOCKDOWN_FINISHED) return [];
  const counts = ((context ?? {}) as { per_user_events?: Record<string, unknown> }).per_user_events ?? {};
  return PER_USER_LOCKDOWN_ACTIONS.filter((perUser) => typeof counts[perUser] === 'number' && (counts[perUser] as number) > 0);
}

/** An IPv4 client seen through a dual-stack socket arrives as `::ffff:a.b.c.d`. */
function normalizeIp(ip: string): string {
  const lower = ip.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower;
}

/** The webhook's JSON body; email and the local inbox render the same content as text. */
export interface NotificationPayload {
  eventId: string;
  action: string;
  context: Record<string, unknown>;
  actor: { id: string | null; username: string } | null;
  clientIp: string | null;
  severity: string;
  rule: string;
  lockdownId: string | null;
  /** The lockdown's page in the console (PUBLIC_URL), when the event belongs to a lockdown. */
  link: string | null;
  createdAt: string;
}

export function notificationPayload(
  event: { id: string; action: string; context: unknown; actorSnapshot: unknown; clientIp: string | null; lockdownId: string | null; createdAt: Date },
  rule: { name: string; severity: string },
  publicUrl: string,
): NotificationPayload {
  return {
    eventId: event.id,
    action: event.action,
    context: (event.context ?? {}) as Record<string, unknown>,
    actor: (event.actorSnapshot ?? null) as NotificationPayload['actor'],
    clientIp: event.clientIp,
    severity: rule.severity,
    rule: rule.name,
    lockdownId: event.lockdownId,
    link: event.lockdownId ? `${publicUrl.replace(/\/+$/, '')}/lockdowns/${event.lockdownId}` : null,
    createdAt: event.createdAt.toISOString(),
  };
}

/** `account_lockdown_triggered` → `Account lockdown triggered`. */
function humanize(action: string): string {
  const words = action.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Title and plain-text body for email and the local inbox. */
export function notificationText(payload: NotificationPayload): { title: string; body: string } {
  if (payload.action === ACCOUNT_LOCKDOWN_FINISHED) return summaryText(payload);
  const affectedUser = payload.context.affected_user;
  const title = `[${payload.severity}] ${humanize(payload.action)}${typeof affectedUser === 'string' ? `: ${affectedUser}` : ''}`;
  const lines = [
    `${humanize(payload.action)} (rule "${payload.rule}", severity ${payload.severity}).`,
    '',
    `Actor: ${payload.actor?.username ?? 'unknown'}`,
    ...(typeof affectedUser === 'string' ? [`Affected user: ${affectedUser}`] : []),
    ...(typeof payload.context.reason === 'string' ? [`Reason: ${payload.context.reason}`] : []),
    ...(payload.lockdownId ? [`Lockdown: ${payload.lockdownId}`] : []),
    ...(payload.link ? [`Link: ${payload.link}`] : []),
    `Client IP: ${payload.clientIp ?? 'unknown'}`,
    `Time: ${payload.createdAt}`,
    `Event: ${payload.eventId}`,
    '',
    'Context:',
    JSON.stringify(payload.context, null, 2),
  ];
  return { title, body: lines.join('\n') };
}

/** What a lockdown's summary event records (its `context`), as activities/lockdown-summary.ts writes it. */
export interface LockdownSummaryContext {
  lockdown_id: string;
  status: string;
  reason: string | null;
  requested_by: { id: string | null; username: string };
  self_service: boolean;
  includes_caller: boolean;
  target_count: number;
  /** The only target's username, when there is one target. */
  affected_user?: string;
  locked: number;
  failed: number;
  cancelled: number;
  /** Targets containment made inactive before the per-user runs; null when it did not run. */
  contained: number | null;
  /** The first failures, in request order. */
  failures: { username: string; error: string | null }[];
  per_user_events: Record<string, number>;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One message for a whole lockdown: who asked, why, the counts, the failures, the link. */
function summaryText(payload: NotificationPayload): { title: string; body: string } {
  const summary = payload.context as unknown as LockdownSummaryContext;
  const who = summary.target_count === 1 && summary.affected_user ? summary.affected_user : plural(summary.target_count, 'user');
  const counts = [`${summary.locked} locked`, ...(summary.failed ? [`${summary.failed} failed`] : []), ...(summary.cancelled ? [`${summary.cancelled} cancelled`] : [])].join(', ');
  const title = `[${payload.severity}] Lockdown ${summary.status} — ${who}: ${counts}`;
  const requester = summary.requested_by?.username ?? payload.actor?.username ?? 'unknown';
  const lines = [
    `${requester} locked down ${who}${summary.includes_caller && summary.target_count > 1 ? ' (their own account included)' : ''}: ${counts}` +
      `${summary.contained !== null && summary.contained !== undefined ? `; contained ${summary.contained}/${summary.target_count}` : ''}. Reason: ${summary.reason ?? '—'}`,
    '',
    `Status: ${summary.status} (rule "${payload.rule}", severity ${payload.severity})`,
    `Requested by: ${requester}`,
    `Reason: ${summary.reason ?? '—'}`,
    `Users: ${summary.target_count} — locked ${summary.locked}, failed ${summary.failed}, cancelled ${summary.cancelled}`,
    ...(summary.failures?.length ? ['Failures:', ...summary.failures.map((failure) => `  ${failure.username}: ${failure.error ?? 'failed'}`)] : []),
    ...(summary.failed > (summary.failures?.length ?? 0) ? [`  … and ${summary.failed - summary.failures.length} more (see the lockdown)`] : []),
    ...(payload.link ? [`Link: ${payload.link}`] : []),
    `Lockdown: ${payload.lockdownId ?? summary.lockdown_id}`,
    `Client IP: ${payload.clientIp ?? 'unknown'}`,
    `Time: ${payload.createdAt}`,
    `Event: ${payload.eventId} (${eventActionLabel(payload.action)})`,
  ];
  return { title, body: lines.join('\n') };
}

// ── What the notification activities hand the delivery workflow ──

export interface PlannedDelivery {
  id: string;
  mode: NotificationMode;
}

/** Retries of one delivery: exponential backoff, doubling, bounded (from the worker's configuration). */
export interface DeliveryRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export interface NotificationPlan {
  /** The event's deliveries still pending. */
  deliveries: PlannedDelivery[];
  retry: DeliveryRetry;
}

export interface NotificationSummary {
  delivered: number;
  failed: number;
}
