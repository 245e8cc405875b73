import { log, proxyActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { ACTIVITY_OPTIONS } from './activity-options';
import { deliverInWindow, deliveryActivities } from './delivery-window';
import type { NotificationSummary } from '../domain/notifications';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/**
 * Pushes the Security Event Tokens of one audit event to their receivers (RFC 8935), each
 * delivery an activity retried with the notifications' bounded exponential backoff. A
 * delivery the receiver refuses (400) or that exhausts its attempts is marked `failed`
 * with its last error; the others are not affected.
 */
export async function deliverSecurityEvents({ eventId }: { eventId: string }): Promise<NotificationSummary> {
  const { deliveryIds, retry } = await activities.pendingSecurityEvents({ eventId });
  const push = deliveryActivities(retry);
  return deliverInWindow(
    deliveryIds,
    (deliveryId) => push.deliverSecurityEvent({ deliveryId }),
    async (deliveryId, error) => {
      log.warn('security event undeliverable', { eventId, deliveryId, error });
      await activities.markSecurityEventFailed({ deliveryId, error });
    },
  );
}
