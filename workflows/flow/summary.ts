import { proxyLocalActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../../activities';
import { LOCAL_ACTIVITY_OPTIONS } from '../activity-options';
import { startNotifications } from '../event-deliveries';
import type { LockdownRun } from './run';

const { writeLockdownSummaryEvent } = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/**
 * Once the lockdown has ended and its record says so: its one summary event (who asked, why,
 * the counts), then the notification workflow of that event when a rule sends it — one alert
 * per lockdown for rules that alert per lockdown. The write retries until it is done, like
 * every audit write; the notifications run in a workflow of their own.
 */
export async function writeSummary(run: LockdownRun): Promise<void> {
  const summary = await writeLockdownSummaryEvent({ lockdownId: run.lockdownId });
  if (summary.notify) await startNotifications(summary.eventId);
}
