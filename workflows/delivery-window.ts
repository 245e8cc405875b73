import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { failureMessage } from './failures';
import type { NotificationSummary } from '../domain/notifications';

/** Deliveries in flight at once: a large destination group stays within Temporal's pending-activity limit. */
const DELIVERY_WINDOW = 20;

/** The activities of deliveries, with the configured bounded exponential backoff. */
export function deliveryActivities(retry: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number }) {
  return proxyActivities<LockdownActivities>({
    // Above the webhook timeout and nodemailer's, so an attempt ends by itself first.
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });
}

/**
 * Runs `deliver` for each item, at most DELIVERY_WINDOW at once, in order. An item whose
 * delivery fails for good goes to `markFailed` with its last error; the others are not affected.
 *
 * Bounded: each delivery attempt ends within its start-to-close timeout and gives up after
 * the configured attempts (NOTIFICATION_MAX_ATTEMPTS); planning and marking failed are short
 * database steps that, like every activity here, wait out a PostgreSQL outage on purpose.
 */
export async function deliverInWindow<T>(
  items: T[],
  deliver: (item: T) => Promise<void>,
  markFailed: (item: T, error: string) => Promise<void>,
): Promise<NotificationSummary> {
  const summary: NotificationSummary = { delivered: 0, failed: 0 };
  const queue = [...items];
  const deliverQueued = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      try {
        await deliver(next);
        summary.delivered++;
      } catch (err) {
        if (isCancellation(err)) throw err;
        summary.failed++;
        await markFailed(next, failureMessage(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_WINDOW, queue.length) }, deliverQueued));
  return summary;
}
