import { isCancellation, log, proxyLocalActivities } from '@temporalio/workflow';
import type { LockdownActivities } from '../../activities';
import { CONTAINMENT_OPTIONS } from '../activity-options';
import { failureMessage } from '../failures';
import type { LockdownRun } from './run';

const { containTargets } = proxyLocalActivities<LockdownActivities>(CONTAINMENT_OPTIONS);

/**
 * Containment first: every target deactivated in one short local activity (batched
 * statements) before any per-user run, so a bulk lockdown refuses every credential within
 * seconds rather than when each user's turn in the window comes. The children still run
 * every step, verify and audit per user. A failure here only costs speed: the children
 * deactivate the users themselves.
 *
 * Returns the targets containment left active (refused by the per-user rules), or null when
 * it did not run.
 */
export async function containAll(run: LockdownRun): Promise<Set<string> | null> {
  try {
    const result = await containTargets({ lockdownId: run.lockdownId, actorId: run.input.actor.id, bulk: run.input.bulk });
    return new Set(result.uncontained);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('containment failed; the per-user runs deactivate their users', { lockdownId: run.lockdownId, error: failureMessage(err) });
    return null;
  }
}
