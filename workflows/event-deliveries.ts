import { ParentClosePolicy, isCancellation, log, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { deliverNotifications } from './deliver-notifications';
import { deliverSecurityEvents } from './deliver-security-events';
import { failureMessage } from './failures';
import { notificationWorkflowId, securityEventsWorkflowId } from './ids';
import type { NotificationSummary } from '../domain/notifications';

/**
 * What follows an audit event: its notifications and its CAEP Security Event Tokens, each
 * delivered by a workflow of its own that outlives the one starting it (which neither waits
 * for nor depends on it). A failure here is logged, never the lockdown's failure.
 */

const { planSecurityEvents } = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/** The number of SETs to push for the event (0 when planning them failed). */
export async function securityEventsToPush(eventId: string): Promise<number> {
  try {
    return await planSecurityEvents({ eventId });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.error('security events not planned', { eventId, error: failureMessage(err) });
    return 0;
  }
}

/** Starts the event's notification workflow. */
export async function startNotifications(eventId: string): Promise<void> {
  await startDelivery(deliverNotifications, notificationWorkflowId(eventId), eventId, 'notifications not started');
}

/** Starts the event's SET delivery workflow. */
export async function startSecurityEvents(eventId: string): Promise<void> {
  await startDelivery(deliverSecurityEvents, securityEventsWorkflowId(eventId), eventId, 'security events not started');
}

async function startDelivery(workflow: (input: { eventId: string }) => Promise<NotificationSummary>, workflowId: string, eventId: string, notStarted: string): Promise<void> {
  try {
    await startChild(workflow, {
      workflowId,
      args: [{ eventId }],
      // It outlives the workflow that starts it, which may complete right after.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Already started (e.g. by an earlier run of this workflow) or refused: the lockdown is done either way.
    log.warn(notStarted, { eventId, error: failureMessage(err) });
  }
}
