import { denied, notFoundError } from '../domain/errors';
import type { DeliveryStatus } from '../domain/notifications';
import { type Actor } from '../domain/permissions';
import { canReadAudit } from './authorization';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { z } from 'zod';
import { decodeCursor, encodeCursor, newestFirst, newestFirstPage, rowPosition } from './cursor';

/** Notification deliveries with their status (view_audit), and each user's own inbox. */
export interface DeliveriesFilter {
  status?: DeliveryStatus;
  eventId?: string;
  lockdownId?: string;
  cursor?: string;
  limit: number;
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

const notificationInclude = { event: { select: { lockdownId: true } } } as const;

function toNotification(notification: Prisma.NotificationGetPayload<{ include: typeof notificationInclude }>) {
  const { id, eventId, severity, title, body, seen } = notification;
  return { id, eventId, lockdownId: notification.event.lockdownId, severity, title, body, seen, createdAt: notification.createdAt.toISOString() };
}

/** Groups of the inbox are paged by offset: their order (newest notification first) moves as notifications arrive. */
const GroupOffset = z.object({ offset: rowPosition });

export function createNotificationInbox(db: Db) {
  return {
    async listDeliveries(actor: Actor, filter: DeliveriesFilter) {
      if (!(await canReadAudit(db, actor))) throw denied('This needs the view_audit permission.');
      const { where, orderBy } = newestFirst(filter.cursor);
      const rows = await db.notificationDelivery.findMany({
        where: {
          ...where,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.eventId ? { eventId: filter.eventId } : {}),
          ...(filter.lockdownId ? { event: { lockdownId: filter.lockdownId } } : {}),
        },
        orderBy,
        take: filter.limit + 1,
        include: deliveryInclude,
      });
      return newestFirstPage(rows, filter.limit, toDelivery);
    },

    /** The caller's own local notifications, newest first; of one lockdown with `lockdownId`. */
    async mine(actor: Actor, filter: { seen?: boolean; lockdownId?: string; cursor?: string; limit: number }) {
      const { where, orderBy } = newestFirst(filter.cursor);
      const rows = await db.notification.findMany({
        where: {
          ...where,
          userId: actor.id,
          ...(filter.seen !== undefined ? { seen: filter.seen } : {}),
          ...(filter.lockdownId ? { event: { lockdownId: filter.lockdownId } } : {}),
        },
        orderBy,
        take: filter.limit + 1,
        include: notificationInclude,
      });
      return newestFirstPage(rows, filter.limit, toNotification);
    },

    /**
     * The caller's notifications grouped by the lockdown of their event (a notification of no
     * lockdown is a group of its own), the group with the newest notification first: a rule
     * that alerts per user makes 300 notifications of a 300-user lockdown, one group here.
     */
    async groups(actor: Actor, filter: { seen?: boolean; cursor?: string; limit: number }) {
      const offset = decodeCursor(filter.cursor, GroupOffset)?.offset ?? 0;
      const seen = filter.seen === undefined ? Prisma.empty : Prisma.sql`AND n.seen = ${filter.seen}`;
      const rows = await db.$queryRaw<{ lockdownId: string | null; count: number; unseen: number; latestId: string }[]>`
        SELECT e.lockdown_id::text AS "lockdownId", count(*)::int AS "count", (count(*) FILTER (WHERE NOT n.seen))::int AS "unseen",
               (array_agg(n.id::text ORDER BY n.created_at DESC, n.id DESC))[1] AS "latestId", max(n.created_at) AS "latestAt"
        FROM notifications n JOIN events e ON e.id = n.event_id
        WHERE n.user_id = ${actor.id}::uuid ${seen}
        GROUP BY COALESCE(e.lockdown_id::text, n.id::text), e.lockdown_id
        ORDER BY "latestAt" DESC, "latestId" DESC
        OFFSET ${offset} LIMIT ${filter.limit + 1}`;
      const page = rows.slice(0, filter.limit);
      const latest = await db.notification.findMany({ where: { id: { in: page.map((row) => row.latestId) } }, include: notificationInclude });
      const byId = new Map(latest.map((notification) => [notification.id, toNotification(notification)]));
      return {
        items: page.map((row) => ({ lockdownId: row.lockdownId, count: row.count, unseen: row.unseen, latest: byId.get(row.latestId)! })),
        nextCursor: rows.length > filter.limit ? encodeCursor({ offset: offset + filter.limit }) : null,
      };
    },

    /** Another user's notification is "not found", like an unknown one. */
    async markSeen(actor: Actor, notificationId: string) {
      const notification = isUuid(notificationId) ? await db.notification.findFirst({ where: { id: notificationId, userId: actor.id }, select: { id: true } }) : null;
      if (!notification) throw notFoundError('Notification');
      return toNotification(await db.notification.update({ where: { id: notification.id }, data: { seen: true }, include: notificationInclude }));
    },

    /** Marks every unseen notification of the caller as seen, or only those of one lockdown. */
    async markAllSeen(actor: Actor, lockdownId?: string) {
      const { count } = await db.notification.updateMany({
        where: { userId: actor.id, seen: false, ...(lockdownId ? { event: { lockdownId } } : {}) },
        data: { seen: true },
      });
      return { marked: count };
    },
  };
}
