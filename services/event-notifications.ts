import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { notificationWorkflowId } from '../workflows/ids';
import type { deliverNotifications } from '../workflows/deliver-notifications';

/**
 * Alerts for an audit event written by the API itself (a password locked, a Shared Signal
 * received): the same `deliverNotifications` workflow a lockdown's events start, so the
 * ordinary matcher policies and notification rules decide who hears of it. One workflow per
 * event (its id is the event's): starting twice is harmless. Never the caller's failure: a
 * start Temporal refuses is logged and the event stays in the audit log.
 */
export function createEventNotifications({ temporal, config, logger }: { temporal: Client; config: Config; logger: Logger }) {
  return async function notifyOf(eventId: string): Promise<void> {
    try {
      await temporal.workflow.start<typeof deliverNotifications>('deliverNotifications', {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: notificationWorkflowId(eventId),
        args: [{ eventId }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      logger.error({ err, eventId }, 'notifications of an event not started');
    }
  };
}

export type EventNotifications = ReturnType<typeof createEventNotifications>;
