import { isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { ACTIVITY_OPTIONS } from './activity-options';
import { failureMessage } from './failures';
import type { NotificationSummary, PlannedDelivery } from './types';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/** Deliveries in flight at once: a large destination group stays within Temporal's pending-activity limit. */
const DELIVERY_WINDOW = 20;

/**
 * Delivers the notifications of one audit event: plans them (the rules whose policies match
 * the event, one delivery row per transport and recipient), then runs each delivery as an
 * activity with bounded exponential backoff. A delivery that exhausts its attempts is marked
 * `failed` with its last error, for admins to see; the others are not affected.
 */
export async function deliverNotifications({ eventId }: { eventId: string }): Promise<NotificationSummary> {
  const { deliveries, retry } = await activities.planNotifications({ eventId });
  const delivery = proxyActivities<LockdownActivities>({
    // Above the webhook timeout and nodemailer's, so an attempt ends by itself first.
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });
  const send = { local: delivery.deliverLocal, webhook: delivery.deliverWebhook, email: delivery.sendEmail };

  const summary: NotificationSummary = { delivered: 0, failed: 0 };
  const queue: PlannedDelivery[] = [...deliveries];
  const deliverQueued = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await send[next.mode]({ deliveryId: next.id });
        summary.delivered++;
      } catch (err) {
        if (isCancellation(err)) throw err;
        summary.failed++;
        const error = failureMessage(err);
        log.warn('notification undeliverable', { eventId, deliveryId: next.id, error });
        await activities.markDeliveryFailed({ deliveryId: next.id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_WINDOW, queue.length) }, deliverQueued));
  return summary;
}
