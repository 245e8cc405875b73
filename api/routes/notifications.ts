import type { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import { conflictOnDuplicate } from '../../services/unique-violation';
import { isUuid } from '../../lib/ids';
import { canConfigureAlerting, canReadAudit } from '../../domain/permissions';
import { authorize } from '../authorization';
import type { AuthUser } from '../http/route';
import { newestFirst, newestFirstPage } from '../../services/cursor';
import { badRequest, notFound } from '../http/errors';
import type { ApiDeps, Route } from '../app';
import { IdParams, page } from '../schemas';
import {
  AddGroupMemberBody,
  CreateEventMatcherPolicyBody,
  CreateGroupBody,
  CreateNotificationRuleBody,
  CreateNotificationTransportBody,
  DeliveriesQuery,
  EventMatcherPolicy,
  Group,
  MyNotificationsQuery,
  Notification,
  NotificationDelivery,
  NotificationRule,
  NotificationTransport,
  PageQuery,
} from '../schemas/notifications';

/**
 * Alerting on events, as the seed configures it: groups, event matcher policies,
 * notification transports and the rules that bind them; the deliveries' status for
 * admins; each user's local inbox. Configuration needs `change_user`, deliveries
 * `view_audit`; the inbox is the caller's own.
 */
const needsChangeUser = { 403: { description: 'change_user missing.' } };
const needsViewAudit = { 403: { description: 'view_audit missing.' } };

const groupInclude = { members: { include: { user: { select: { id: true, username: true } } }, orderBy: { createdAt: 'asc' } } } as const;

function toGroup(group: Prisma.GroupGetPayload<{ include: typeof groupInclude }>) {
  return { id: group.id, name: group.name, members: group.members.map((member) => member.user), createdAt: group.createdAt.toISOString() };
}

function toPolicy(policy: { id: string; name: string; action: string | null; clientIp: string | null; createdAt: Date }) {
  return { id: policy.id, name: policy.name, action: policy.action, clientIp: policy.clientIp, createdAt: policy.createdAt.toISOString() };
}

function toTransport(transport: Prisma.NotificationTransportGetPayload<object>) {
  return {
    id: transport.id,
    name: transport.name,
    mode: transport.mode,
    webhookUrl: transport.webhookUrl,
    hasSecret: transport.webhookSecret !== null,
    email: transport.mode === 'email' ? { to: transport.emailTo } : null,
    createdAt: transport.createdAt.toISOString(),
  };
}

const ruleInclude = { transports: { select: { id: true } }, policies: { select: { id: true } } } as const;

function toRule(rule: Prisma.NotificationRuleGetPayload<{ include: typeof ruleInclude }>) {
  return {
    id: rule.id,
    name: rule.name,
    severity: rule.severity,
    destinationGroupId: rule.destinationGroupId,
    transportIds: rule.transports.map((transport) => transport.id),
    policyIds: rule.policies.map((policy) => policy.id),
    createdAt: rule.createdAt.toISOString(),
  };
}

const deliveryInclude = {
  event: { select: { lockdownId: true } },
  rule: { select: { name: true } },
  transport: { select: { name: true, mode: true } },
} as const;

function toDelivery(delivery: Prisma.NotificationDeliveryGetPayload<{ include: typeof deliveryInclude }>) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    lockdownId: delivery.event.lockdownId,
    ruleId: delivery.ruleId,
    ruleName: delivery.rule.name,
    transportId: delivery.transportId,
    transportName: delivery.transport.name,
    mode: delivery.transport.mode,
    recipient: delivery.recipient,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

function toNotification(notification: Prisma.NotificationGetPayload<object>) {
  const { id, eventId, severity, title, body, seen } = notification;
  return { id, eventId, severity, title, body, seen, createdAt: notification.createdAt.toISOString() };
}

/** One `details` entry per id in `ids` that is not among `found`. */
function unknownIds(field: string, ids: string[], found: { id: string }[], what: string) {
  const known = new Set(found.map((row) => row.id));
  return ids.flatMap((id, index) => (known.has(id) ? [] : [{ field: `${field}.${index}`, message: `No ${what} with this id.` }]));
}

/** Names are unique per kind: a duplicate is a 409, not a 500. */
function uniqueName<T>(what: string, create: () => Promise<T>): Promise<T> {
  return conflictOnDuplicate(create(), `A ${what} with this name already exists.`, 'name_taken');
}

export function notificationRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  const configureAlerting = (user: AuthUser) => authorize(canConfigureAlerting(db, user), 'This needs the change_user permission.');
  route({
    method: 'get',
    path: '/api/v1/groups',
    tag: 'notifications',
    summary: 'Groups, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of groups.', schema: page(Group, 'GroupPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => {
      await configureAlerting(auth.user);
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.group.findMany({ where, orderBy, take: query.limit + 1, include: groupInclude });
      return { status: 200, body: newestFirstPage(rows, query.limit, toGroup) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/groups',
    tag: 'notifications',
    summary: 'Create a group, e.g. the security team a rule notifies (needs change_user).',
    auth: 'required',
    body: CreateGroupBody,
    responses: { 201: { description: 'Created.', schema: Group }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, req }) => {
      await configureAlerting(auth.user);
      const group = await uniqueName('group', () => db.group.create({ data: { name: body.name }, include: groupInclude }));
      req.log?.info({ groupId: group.id, by: auth.user.id }, 'group created');
      return { status: 201, body: toGroup(group) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/groups/:id/members',
    tag: 'notifications',
    summary: 'Add a user to a group; adding a member twice changes nothing (needs change_user).',
    auth: 'required',
    params: IdParams,
    body: AddGroupMemberBody,
    responses: { 201: { description: 'The group with its members.', schema: Group }, 404: { description: 'No such group.' }, ...needsChangeUser },
    handler: async ({ auth, params, body, req }) => {
      await configureAlerting(auth.user);
      const group = isUuid(params.id) ? await db.group.findUnique({ where: { id: params.id }, select: { id: true } }) : null;
      if (!group) throw notFound('Group');
      const user = isUuid(body.userId) ? await db.user.findUnique({ where: { id: body.userId }, select: { id: true } }) : null;
      if (!user) throw badRequest('Unknown user.', [{ field: 'body.userId', message: 'No user with this id.' }]);
      await db.groupMember.createMany({ data: { groupId: group.id, userId: user.id }, skipDuplicates: true });
      req.log?.info({ groupId: group.id, userId: user.id, by: auth.user.id }, 'group member added');
      return { status: 201, body: toGroup(await db.group.findUniqueOrThrow({ where: { id: group.id }, include: groupInclude })) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/policies/event_matcher',
    tag: 'notifications',
    summary: 'Event matcher policies, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of policies.', schema: page(EventMatcherPolicy, 'EventMatcherPolicyPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => {
      await configureAlerting(auth.user);
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.eventMatcherPolicy.findMany({ where, orderBy, take: query.limit + 1 });
      return { status: 200, body: newestFirstPage(rows, query.limit, toPolicy) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/policies/event_matcher',
    tag: 'notifications',
    summary: 'Create an event matcher policy: matches events whose action and client IP are those given (needs change_user).',
    auth: 'required',
    body: CreateEventMatcherPolicyBody,
    responses: { 201: { description: 'Created.', schema: EventMatcherPolicy }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, req }) => {
      await configureAlerting(auth.user);
      const policy = await uniqueName('policy', () =>
        db.eventMatcherPolicy.create({ data: { name: body.name, action: body.action ?? null, clientIp: body.clientIp ?? null } }),
      );
      req.log?.info({ policyId: policy.id, by: auth.user.id }, 'event matcher policy created');
      return { status: 201, body: toPolicy(policy) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/notification_transports',
    tag: 'notifications',
    summary: 'Notification transports, newest first; webhook secrets are never returned (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of transports.', schema: page(NotificationTransport, 'NotificationTransportPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => {
      await configureAlerting(auth.user);
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.notificationTransport.findMany({ where, orderBy, take: query.limit + 1 });
      return { status: 200, body: newestFirstPage(rows, query.limit, toTransport) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/notification_transports',
    tag: 'notifications',
    summary: 'Create a transport: local (in-app inbox), webhook (signed JSON POST) or email (SMTP) (needs change_user).',
    auth: 'required',
    body: CreateNotificationTransportBody,
    responses: { 201: { description: 'Created.', schema: NotificationTransport }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, req }) => {
      await configureAlerting(auth.user);
      const transport = await uniqueName('transport', () =>
        db.notificationTransport.create({
          data: {
            name: body.name,
            mode: body.mode,
            webhookUrl: body.mode === 'webhook' ? body.webhookUrl : null,
            webhookSecret: body.mode === 'webhook' ? (body.webhookSecret ?? null) : null,
            emailTo: body.mode === 'email' ? (body.email?.to ?? null) : null,
          },
        }),
      );
      req.log?.info({ transportId: transport.id, mode: transport.mode, by: auth.user.id }, 'notification transport created');
      return { status: 201, body: toTransport(transport) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/notification_rules',
    tag: 'notifications',
    summary: 'Notification rules, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of rules.', schema: page(NotificationRule, 'NotificationRulePage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => {
      await configureAlerting(auth.user);
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.notificationRule.findMany({ where, orderBy, take: query.limit + 1, include: ruleInclude });
      return { status: 200, body: newestFirstPage(rows, query.limit, toRule) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/notification_rules',
    tag: 'notifications',
    summary: 'Create a rule: when any bound policy matches an event, notify the destination group through the transports (needs change_user).',
    auth: 'required',
    body: CreateNotificationRuleBody,
    responses: { 201: { description: 'Created.', schema: NotificationRule }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, req }) => {
      await configureAlerting(auth.user);
      const transportIds = [...new Set(body.transportIds)];
      const policyIds = [...new Set(body.policyIds)];
      const groupId = body.destinationGroupId ?? null;
      const [groups, transports, policies] = await Promise.all([
        groupId && isUuid(groupId) ? db.group.findMany({ where: { id: groupId }, select: { id: true } }) : [],
        db.notificationTransport.findMany({ where: { id: { in: transportIds.filter(isUuid) } }, select: { id: true } }),
        db.eventMatcherPolicy.findMany({ where: { id: { in: policyIds.filter(isUuid) } }, select: { id: true } }),
      ]);
      const problems = [
        ...(groupId !== null && groups.length === 0 ? [{ field: 'body.destinationGroupId', message: 'No group with this id.' }] : []),
        ...unknownIds('body.transportIds', body.transportIds, transports, 'transport'),
        ...unknownIds('body.policyIds', body.policyIds, policies, 'policy'),
      ];
      if (problems.length > 0) throw badRequest(`Unknown ids: ${problems.map((problem) => problem.field).join(', ')}.`, problems);
      const rule = await uniqueName('rule', () =>
        db.notificationRule.create({
          data: {
            name: body.name,
            severity: body.severity,
            destinationGroupId: groupId,
            transports: { connect: transportIds.map((id) => ({ id })) },
            policies: { connect: policyIds.map((id) => ({ id })) },
          },
          include: ruleInclude,
        }),
      );
      req.log?.info({ ruleId: rule.id, by: auth.user.id }, 'notification rule created');
      return { status: 201, body: toRule(rule) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/notification_deliveries',
    tag: 'notifications',
    summary: 'Notification deliveries with their status, attempts and last error, newest first (needs view_audit).',
    auth: 'required',
    query: DeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries.', schema: page(NotificationDelivery, 'NotificationDeliveryPage') }, ...needsViewAudit },
    handler: async ({ auth, query }) => {
      await authorize(canReadAudit(db, auth.user), 'This needs the view_audit permission.');
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.notificationDelivery.findMany({
        where: {
          ...where,
          ...(query.status ? { status: query.status } : {}),
          ...(query.eventId ? { eventId: query.eventId } : {}),
          ...(query.lockdownId ? { event: { lockdownId: query.lockdownId } } : {}),
        },
        orderBy,
        take: query.limit + 1,
        include: deliveryInclude,
      });
      return { status: 200, body: newestFirstPage(rows, query.limit, toDelivery) };
    },
  });

  route({
    method: 'get',
    path: '/api/v1/me/notifications',
    tag: 'notifications',
    summary: "The caller's local notifications, newest first.",
    auth: 'required',
    query: MyNotificationsQuery,
    responses: { 200: { description: 'A page of notifications.', schema: page(Notification, 'NotificationPage') } },
    handler: async ({ auth, query }) => {
      const { where, orderBy } = newestFirst(query.cursor);
      const rows = await db.notification.findMany({
        where: { ...where, userId: auth.user.id, ...(query.seen !== undefined ? { seen: query.seen } : {}) },
        orderBy,
        take: query.limit + 1,
      });
      return { status: 200, body: newestFirstPage(rows, query.limit, toNotification) };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/me/notifications/:id/seen',
    tag: 'notifications',
    summary: 'Mark one of your notifications as seen.',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The notification.', schema: Notification }, 404: { description: 'Not one of your notifications.' } },
    handler: async ({ auth, params }) => {
      const notification = isUuid(params.id) ? await db.notification.findFirst({ where: { id: params.id, userId: auth.user.id }, select: { id: true } }) : null;
      if (!notification) throw notFound('Notification');
      return { status: 200, body: toNotification(await db.notification.update({ where: { id: notification.id }, data: { seen: true } })) };
    },
  });
}
