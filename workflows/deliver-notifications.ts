import { log, proxyActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { ACTIVITY_OPTIONS } from './activity-options';
import { deliverInWindow, deliveryActivities } from './delivery-window';
import type { NotificationSummary } from '../domain/notifications';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/**
 * Delivers the notifications of one audit event: plans them (the rules whose policies match
 * the event, one delivery row per transport and recipient), then runs each delivery as an
 * activity with bounded exponential backoff. A delivery that exhausts its attempts is marked
 * `failed` with its last error, for admins to see; the others are not affected.
 */
export async function deliverNotifications({ eventId }: { eventId: string }): Promise<NotificationSummary> {
  const { deliveries, retry } = await activities.planNotifications({ eventId });
  const delivery = deliveryActivities(retry);
  const send = { local: delivery.deliverLocal, webhook: delivery.deliverWebhook, email: delivery.sendEmail };
  return deliverInWindow(
    deliveries,
    (next) => send[next.mode]({ deliveryId: next.id }),
    async (next, error) => {
      log.warn('notification undeliverable', { eventId, deliveryId: next.id, error });
      await activities.markDeliveryFailed({ deliveryId: next.id, error });
    },
  );
}
