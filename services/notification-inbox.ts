import { denied, notFoundError } from '../domain/errors';
import type { DeliveryStatus } from '../domain/notifications';
import { type Actor } from '../domain/permissions';
import { canReadAudit } from './authorization';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import { newestFirst, newestFirstPage } from './cursor';

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

function toNotification(notification: Prisma.NotificationGetPayload<object>) {
  const { id, eventId, severity, title, body, seen } = notification;
  return { id, eventId, severity, title, body, seen, createdAt: notification.createdAt.toISOString() };
}

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

    /** The caller's own local notifications, newest first. */
    async mine(actor: Actor, filter: { seen?: boolean; cursor?: string; limit: number }) {
      const { where, orderBy } = newestFirst(filter.cursor);
      const rows = await db.notification.findMany({
        where: { ...where, userId: actor.id, ...(filter.seen !== undefined ? { seen: filter.seen } : {}) },
        orderBy,
        take: filter.limit + 1,
      });
      return newestFirstPage(rows, filter.limit, toNotification);
    },

    /** Another user's notification is "not found", like an unknown one. */
    async markSeen(actor: Actor, notificationId: string) {
      const notification = isUuid(notificationId) ? await db.notification.findFirst({ where: { id: notificationId, userId: actor.id }, select: { id: true } }) : null;
      if (!notification) throw notFoundError('Notification');
      return toNotification(await db.notification.update({ where: { id: notification.id }, data: { seen: true } }));
    },
  };
}
