import type { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import { requirePermission } from '../authorization';
import { decodeCursor, encodeCursor } from '../http/cursor';
import type { ApiDeps, Route } from '../app';
import { Event, EventsQuery, page } from '../schemas';

export function eventRoutes(_router: Router, route: Route, { db }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/events',
    tag: 'audit',
    summary: 'Audit events, newest first (needs view_audit).',
    auth: 'required',
    query: EventsQuery,
    responses: { 200: { description: 'A page of events.', schema: page(Event, 'EventPage') } },
    handler: async ({ auth, query }) => {
      await requirePermission(db, auth.user, 'view_audit');
      const after = decodeCursor<{ createdAt: string; id: string }>(query.cursor, ['createdAt', 'id']);
      const where: Prisma.EventWhereInput = {
        ...(query.action ? { action: query.action } : {}),
        ...(query.actor ? { actorSnapshot: { path: ['username'], equals: query.actor } } : {}),
        ...(query.affectedUser ? { context: { path: ['affected_user'], equals: query.affectedUser } } : {}),
        createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lte: new Date(query.to) } : {}) },
        ...(after
          ? { OR: [{ createdAt: { lt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { lt: after.id } }] }
          : {}),
      };
      const rows = await db.event.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        status: 200,
        body: {
          items: items.map((event) => ({
            id: event.id,
            action: event.action,
            actor: event.actorSnapshot as { id: string | null; username: string } | null,
            context: event.context as Record<string, unknown>,
            clientIp: event.clientIp,
            lockdownId: event.lockdownId,
            workflowId: event.workflowId,
            createdAt: event.createdAt.toISOString(),
          })),
          nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
        },
      };
    },
  });
}
