import { isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { ACTIVITY_OPTIONS } from './activity-options';
import { failureMessage } from './failures';
import type { NotificationSummary } from './types';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/** Receivers pushed to at once. */
const DELIVERY_WINDOW = 20;

/**
 * Pushes the Security Event Tokens of one audit event to their receivers (RFC 8935), each
 * delivery an activity retried with the notifications' bounded exponential backoff. A
 * delivery the receiver refuses (400) or that exhausts its attempts is marked `failed`
 * with its last error; the others are not affected.
 */
export async function deliverSecurityEvents({ eventId }: { eventId: string }): Promise<NotificationSummary> {
  const { deliveryIds, retry } = await activities.pendingSecurityEvents({ eventId });
  const push = proxyActivities<LockdownActivities>({
    // Above NOTIFICATION_WEBHOOK_TIMEOUT_MS's default, so an attempt ends by itself first.
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });

  const summary: NotificationSummary = { delivered: 0, failed: 0 };
  const queue = [...deliveryIds];
  const deliverQueued = async () => {
    for (let deliveryId = queue.shift(); deliveryId; deliveryId = queue.shift()) {
      try {
        await push.deliverSecurityEvent({ deliveryId });
        summary.delivered++;
      } catch (err) {
        if (isCancellation(err)) throw err;
        summary.failed++;
        const error = failureMessage(err);
        log.warn('security event undeliverable', { eventId, deliveryId, error });
        await activities.markSecurityEventFailed({ deliveryId, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_WINDOW, queue.length) }, deliverQueued));
  return summary;
}
