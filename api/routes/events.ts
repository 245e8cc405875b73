import type { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import { temporalUiUrl } from '../../lib/temporal';
import { canReadAudit } from '../../domain/permissions';
import { authorize } from '../authorization';
import { newestFirst, newestFirstPage } from '../../services/cursor';
import type { ApiDeps, Route } from '../app';
import { Event, EventsQuery, page } from '../schemas';

export function eventRoutes(_router: Router, route: Route, { db, config }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/events',
    tag: 'audit',
    summary: 'Audit events, newest first (needs view_audit).',
    auth: 'required',
    query: EventsQuery,
    responses: { 200: { description: 'A page of events.', schema: page(Event, 'EventPage') }, 403: { description: 'view_audit missing.' } },
    handler: async ({ auth, query }) => {
      await authorize(canReadAudit(db, auth.user), 'This needs the view_audit permission.');
      const paging = newestFirst(query.cursor);
      const where: Prisma.EventWhereInput = {
        AND: [
          paging.where,
          {
            ...(query.action ? { action: query.action } : {}),
            ...(query.actor ? { actorSnapshot: { path: ['username'], equals: query.actor } } : {}),
            ...(query.affectedUser ? { context: { path: ['affected_user'], equals: query.affectedUser } } : {}),
            createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lte: new Date(query.to) } : {}) },
          },
        ],
      };
      const rows = await db.event.findMany({ where, orderBy: paging.orderBy, take: query.limit + 1 });
      return {
        status: 200,
        body: newestFirstPage(rows, query.limit, (event) => ({
          id: event.id,
          action: event.action,
          actor: event.actorSnapshot as { id: string | null; username: string } | null,
          context: event.context as Record<string, unknown>,
          clientIp: event.clientIp,
          lockdownId: event.lockdownId,
          workflowId: event.workflowId,
          createdAt: event.createdAt.toISOString(),
          links: {
            lockdown: event.lockdownId ? `/api/v1/lockdowns/${event.lockdownId}` : null,
            temporalUi: event.workflowId ? temporalUiUrl(config, event.workflowId) : null,
          },
        })),
      };
    },
  });
}
