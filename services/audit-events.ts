import { denied } from '../domain/errors';
import { EVENT_ACTION_NAMES, EVENT_ACTIONS, eventActionsOf, type EventCategory } from '../domain/events';
import { type Actor } from '../domain/permissions';
import { canReadAudit } from './authorization';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { temporalUiUrl } from '../lib/temporal';
import { newestFirst, newestFirstPage } from './cursor';

/** The audit log as readers see it: events, newest first, filtered (view_audit), and the table of actions. */
export interface EventFilter {
  action?: string;
  category?: EventCategory;
  actor?: string;
  affectedUser?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export function createAuditEvents(db: Db, config: Config) {
  return {
    /** Every declared action with its readable label and category, in declaration order. */
    actions() {
      return { items: EVENT_ACTION_NAMES.map((action) => ({ action, ...EVENT_ACTIONS[action] })) };
    },

    async list(actor: Actor, filter: EventFilter) {
      if (!(await canReadAudit(db, actor))) throw denied('This needs the view_audit permission.');
      const paging = newestFirst(filter.cursor);
      const conditions: Prisma.EventWhereInput[] = [
        paging.where,
        ...(filter.action ? [{ action: filter.action }] : []),
        ...(filter.category ? [{ action: { in: eventActionsOf(filter.category) } }] : []),
        ...(filter.actor ? [{ actorSnapshot: { path: ['username'], equals: filter.actor } }] : []),
        ...(filter.affectedUser ? [{ context: { path: ['affected_user'], equals: filter.affectedUser } }] : []),
        ...(filter.from ? [{ createdAt: { gte: new Date(filter.from) } }] : []),
        ...(filter.to ? [{ createdAt: { lte: new Date(filter.to) } }] : []),
      ];
      const where: Prisma.EventWhereInput = { AND: conditions };
      const rows = await db.event.findMany({ where, orderBy: paging.orderBy, take: filter.limit + 1 });
      return newestFirstPage(rows, filter.limit, (event) => ({
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
      }));
    },
  };
}
