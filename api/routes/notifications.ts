import type { Router } from 'express';
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
  MarkedSeen,
  MarkSeenBody,
  MyNotificationsQuery,
  Notification,
  NotificationGroup,
  NotificationGroupsQuery,
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

export function notificationRoutes(_router: Router, route: Route, { services: { alerting, notificationInbox } }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/groups',
    tag: 'notifications',
    summary: 'Groups, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of groups.', schema: page(Group, 'GroupPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await alerting.listGroups(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/groups',
    tag: 'notifications',
    summary: 'Create a group, e.g. the security team a rule notifies (needs change_user).',
    auth: 'required',
    body: CreateGroupBody,
    responses: { 201: { description: 'Created.', schema: Group }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await alerting.createGroup(auth.user, body.name, { clientIp }) }),
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
    handler: async ({ auth, params, body, clientIp }) => ({ status: 201, body: await alerting.addGroupMember(auth.user, params.id, body.userId, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/policies/event_matcher',
    tag: 'notifications',
    summary: 'Event matcher policies, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of policies.', schema: page(EventMatcherPolicy, 'EventMatcherPolicyPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await alerting.listPolicies(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/policies/event_matcher',
    tag: 'notifications',
    summary: 'Create an event matcher policy: matches events whose action and client IP are those given (needs change_user).',
    auth: 'required',
    body: CreateEventMatcherPolicyBody,
    responses: { 201: { description: 'Created.', schema: EventMatcherPolicy }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await alerting.createPolicy(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/notification_transports',
    tag: 'notifications',
    summary: 'Notification transports, newest first; webhook secrets are never returned (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of transports.', schema: page(NotificationTransport, 'NotificationTransportPage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await alerting.listTransports(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/notification_transports',
    tag: 'notifications',
    summary: 'Create a transport: local (in-app inbox), webhook (signed JSON POST) or email (SMTP) (needs change_user).',
    auth: 'required',
    body: CreateNotificationTransportBody,
    responses: { 201: { description: 'Created.', schema: NotificationTransport }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await alerting.createTransport(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/notification_rules',
    tag: 'notifications',
    summary: 'Notification rules, newest first (needs change_user).',
    auth: 'required',
    query: PageQuery,
    responses: { 200: { description: 'A page of rules.', schema: page(NotificationRule, 'NotificationRulePage') }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await alerting.listRules(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/notification_rules',
    tag: 'notifications',
    summary: 'Create a rule: when any bound policy matches an event, notify the destination group through the transports (needs change_user).',
    auth: 'required',
    body: CreateNotificationRuleBody,
    responses: { 201: { description: 'Created.', schema: NotificationRule }, 409: { description: 'Name taken.' }, ...needsChangeUser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await alerting.createRule(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/notification_deliveries',
    tag: 'notifications',
    summary: 'Notification deliveries with their status, attempts and last error, newest first (needs view_audit).',
    auth: 'required',
    query: DeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries.', schema: page(NotificationDelivery, 'NotificationDeliveryPage') }, ...needsViewAudit },
    handler: async ({ auth, query }) => ({ status: 200, body: await notificationInbox.listDeliveries(auth.user, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/me/notifications',
    tag: 'notifications',
    summary: "The caller's local notifications, newest first (`lockdownId`: of one lockdown).",
    auth: 'required',
    query: MyNotificationsQuery,
    responses: { 200: { description: 'A page of notifications.', schema: page(Notification, 'NotificationPage') } },
    handler: async ({ auth, query }) => ({ status: 200, body: await notificationInbox.mine(auth.user, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/me/notifications/groups',
    tag: 'notifications',
    summary: "The caller's local notifications grouped by lockdown, the group with the newest notification first: each with its count, how many are unseen, and the newest.",
    auth: 'required',
    query: NotificationGroupsQuery,
    responses: { 200: { description: 'A page of groups.', schema: page(NotificationGroup, 'NotificationGroupPage') } },
    handler: async ({ auth, query }) => ({ status: 200, body: await notificationInbox.groups(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/me/notifications/seen',
    tag: 'notifications',
    summary: 'Mark all your notifications as seen, or those of one lockdown (`lockdownId`).',
    auth: 'required',
    body: MarkSeenBody,
    responses: { 200: { description: 'How many were marked.', schema: MarkedSeen } },
    handler: async ({ auth, body }) => ({ status: 200, body: await notificationInbox.markAllSeen(auth.user, body.lockdownId) }),
  });

  route({
    method: 'post',
    path: '/api/v1/me/notifications/:id/seen',
    tag: 'notifications',
    summary: 'Mark one of your notifications as seen.',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The notification.', schema: Notification }, 404: { description: 'Not one of your notifications.' } },
    handler: async ({ auth, params }) => ({ status: 200, body: await notificationInbox.markSeen(auth.user, params.id) }),
  });
}
