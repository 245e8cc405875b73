/**
 * Which events notify whom, and what the message says — decided here only.
 *
 * - An Event Matcher Policy matches an event when every criterion it sets matches
 *   (`action`, `clientIp`).
 * - A Notification Rule triggers when any of its bound policies matches; a rule with no
 *   policy bound never triggers (authentik's notification rules behave the same way).
 */
export const NOTIFICATION_TRANSPORT_MODES = ['local', 'webhook', 'email'] as const;
export type NotificationMode = (typeof NOTIFICATION_TRANSPORT_MODES)[number];

export const NOTIFICATION_SEVERITIES = ['notice', 'warning', 'alert'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

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
  createdAt: string;
}

export function notificationPayload(
  event: { id: string; action: string; context: unknown; actorSnapshot: unknown; clientIp: string | null; lockdownId: string | null; createdAt: Date },
  rule: { name: string; severity: string },
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
  const affectedUser = payload.context.affected_user;
  const title = `[${payload.severity}] ${humanize(payload.action)}${typeof affectedUser === 'string' ? `: ${affectedUser}` : ''}`;
  const lines = [
    `${humanize(payload.action)} (rule "${payload.rule}", severity ${payload.severity}).`,
    '',
    `Actor: ${payload.actor?.username ?? 'unknown'}`,
    ...(typeof affectedUser === 'string' ? [`Affected user: ${affectedUser}`] : []),
    ...(typeof payload.context.reason === 'string' ? [`Reason: ${payload.context.reason}`] : []),
    ...(payload.lockdownId ? [`Lockdown: ${payload.lockdownId}`] : []),
    `Client IP: ${payload.clientIp ?? 'unknown'}`,
    `Time: ${payload.createdAt}`,
    `Event: ${payload.eventId}`,
    '',
    'Context:',
    JSON.stringify(payload.context, null, 2),
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
