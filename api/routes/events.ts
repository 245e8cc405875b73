import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { Event, page } from '../schemas';
import { EventActionList, EventsQuery } from '../schemas/events';

export function eventRoutes(_router: Router, route: Route, { services: { auditEvents } }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/events',
    tag: 'audit',
    summary: 'Audit events, newest first, filtered by action, category, actor, affected user and time (needs view_audit).',
    auth: 'required',
    query: EventsQuery,
    responses: { 200: { description: 'A page of events.', schema: page(Event, 'EventPage') }, 403: { description: 'view_audit missing.' } },
    handler: async ({ auth, query }) => ({ status: 200, body: await auditEvents.list(auth.user, query) }),
  });

  route({
    method: 'get',
    path: '/api/v1/events/actions',
    tag: 'audit',
    summary: 'Every audit event action with its readable label and category: what the events filter and matcher policies accept.',
    auth: 'required',
    responses: { 200: { description: 'The actions, in declaration order.', schema: EventActionList } },
    handler: async () => ({ status: 200, body: auditEvents.actions() }),
  });
}
