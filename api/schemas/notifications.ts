import { ALERT_PER, DELIVERY_STATUSES, NOTIFICATION_SEVERITIES, NOTIFICATION_TRANSPORT_MODES } from '../../domain/notifications';
import { z } from 'zod';
import '../http/openapi';
import { MAX_OUTBOUND_URL_LENGTH, normaliseOutboundUrl } from '../../lib/outbound-address';
import { Pagination } from '../schemas';
import { eventAction } from './events';

/** Request and response shapes of groups, event matcher policies, notification transports, rules and deliveries. */

export const PageQuery = z.object(Pagination);

const name = z.string().trim().min(1).max(150);
/** Ids are checked against the database by the handler, which names the field of an unknown one. */
const id = z.string().min(1).max(100);

/**
 * A destination the service will POST to (lib/outbound-address.ts): an http(s) URL without
 * user info, whitespace or backslashes, stored as the URL parser serialises it.
 */
export const outboundUrl = z
  .string()
  .max(MAX_OUTBOUND_URL_LENGTH)
  .transform((raw, ctx) => {
    const checked = normaliseOutboundUrl(raw);
    if (checked.ok) return checked.url;
    ctx.addIssue({ code: 'custom', message: checked.problem });
    return z.NEVER;
  })
  .openapi({ type: 'string', format: 'uri', maxLength: MAX_OUTBOUND_URL_LENGTH, description: 'An http(s) URL without user info; addresses that are not public need OUTBOUND_ALLOWED_DESTINATIONS.' });

const GroupMember = z.object({ id: z.string(), username: z.string() });

export const Group = z
  .object({ id: z.string(), name: z.string(), members: z.array(GroupMember), createdAt: z.string() })
  .openapi('Group');

export const CreateGroupBody = z.object({ name }).strict().openapi('CreateGroupRequest');

export const AddGroupMemberBody = z.object({ userId: id }).strict().openapi('AddGroupMemberRequest');

export const EventMatcherPolicy = z
  .object({ id: z.string(), name: z.string(), action: z.string().nullable(), clientIp: z.string().nullable(), createdAt: z.string() })
  .openapi('EventMatcherPolicy');

export const CreateEventMatcherPolicyBody = z
  .object({
    name,
    action: eventAction.optional(),
    clientIp: z.union([z.ipv4(), z.ipv6()], { error: 'An IPv4 or IPv6 address.' }).optional(),
  })
  .strict()
  .refine((policy) => policy.action !== undefined || policy.clientIp !== undefined, {
    message: 'Set action, clientIp or both: a policy without criteria would match every event.',
    path: ['action'],
  })
  .openapi('CreateEventMatcherPolicyRequest', { description: 'Matches an event when every criterion given matches.' });

export const TransportMode = z.enum(NOTIFICATION_TRANSPORT_MODES);

export const NotificationTransport = z
  .object({
    id: z.string(),
    name: z.string(),
    mode: TransportMode,
    webhookUrl: z.string().nullable(),
    /** The secret itself is write-only. */
    hasSecret: z.boolean(),
    email: z.object({ to: z.string().nullable() }).nullable(),
    createdAt: z.string(),
  })
  .openapi('NotificationTransport');

export const CreateNotificationTransportBody = z
  .discriminatedUnion('mode', [
    z.object({ name, mode: z.literal('local') }).strict(),
    z
      .object({
        name,
        mode: z.literal('webhook'),
        webhookUrl: outboundUrl,
        webhookSecret: z.string().min(16, 'At least 16 characters.').max(500).optional(),
      })
      .strict(),
    z
      .object({
        name,
        mode: z.literal('email'),
        email: z.object({ to: z.email().max(254).optional() }).strict().optional(),
      })
      .strict(),
  ])
  .openapi('CreateNotificationTransportRequest', {
    description: '`webhookSecret` is write-only: it signs webhook bodies (X-Lockdown-Signature) and is never returned.',
  });

export const Severity = z.enum(NOTIFICATION_SEVERITIES);

export const AlertPer = z.enum(ALERT_PER).openapi({
  description:
    '`lockdown` (default): one alert when a lockdown ends — its `account_lockdown_finished` summary: who asked, why, the counts, the link — ' +
    'instead of one per locked user; `user`: one alert per `account_lockdown_triggered` / `account_lockdown_failed` event.',
});

export const NotificationRule = z
  .object({
    id: z.string(),
    name: z.string(),
    severity: Severity,
    alertPer: AlertPer,
    destinationGroupId: z.string().nullable(),
    transportIds: z.array(z.string()),
    policyIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('NotificationRule');

export const CreateNotificationRuleBody = z
  .object({
    name,
    severity: Severity,
    alertPer: AlertPer.default('lockdown'),
    destinationGroupId: id.nullable().optional(),
    transportIds: z.array(id).max(50).default([]),
    policyIds: z.array(id).max(50).default([]),
  })
  .strict()
  .openapi('CreateNotificationRuleRequest', { description: 'Triggers when any bound policy matches; with no policy it never triggers.' });

export const DeliveryStatus = z.enum(DELIVERY_STATUSES);

export const NotificationDelivery = z
  .object({
    id: z.string(),
    eventId: z.string(),
    lockdownId: z.string().nullable(),
    ruleId: z.string(),
    ruleName: z.string(),
    transportId: z.string(),
    transportName: z.string(),
    mode: TransportMode,
    recipient: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('NotificationDelivery');

export const DeliveriesQuery = z.object({
  status: DeliveryStatus.optional(),
  eventId: z.guid().optional(),
  lockdownId: z.guid().optional(),
  ...Pagination,
});

export const Notification = z
  .object({
    id: z.string(),
    eventId: z.string(),
    lockdownId: z.string().nullable().openapi({ description: 'The lockdown its event belongs to, if any (the console groups by it and links to it).' }),
    severity: Severity,
    title: z.string(),
    body: z.string(),
    seen: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Notification');

export const MyNotificationsQuery = z.object({
  seen: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  lockdownId: z.guid().optional().openapi({ description: 'Only the notifications of this lockdown.' }),
  ...Pagination,
});

export const NotificationGroup = z
  .object({
    lockdownId: z.string().nullable().openapi({ description: 'The lockdown; null: a notification of no lockdown, alone in its group.' }),
    count: z.number().int(),
    unseen: z.number().int(),
    latest: Notification,
  })
  .openapi('NotificationGroup', { description: 'The caller’s notifications of one lockdown, counted, with the newest.' });

export const NotificationGroupsQuery = z.object({ seen: MyNotificationsQuery.shape.seen, ...Pagination });

export const MarkSeenBody = z
  .object({ lockdownId: z.guid().optional().openapi({ description: 'Only this lockdown’s notifications; without it, all of yours.' }) })
  .strict()
  .openapi('MarkNotificationsSeenRequest');

export const MarkedSeen = z.object({ marked: z.number().int() }).openapi('NotificationsMarkedSeen');
