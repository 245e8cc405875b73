import { isCancellation, log, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import type { AuditEventWritten } from '../activities/audit';
import { LOCKDOWN_ACTIONS, withRevocationOnDeactivation, type LockdownAction, type LockdownActionKey } from '../domain/lockdown-actions';
import { LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { securityEventsToPush, startNotifications, startSecurityEvents } from './event-deliveries';
import { failureMessage } from './failures';
import { startDownstream } from './lockdown-downstream';
import { patchApplies, type PatchId } from './patches';
import type { LockdownUserInput } from './types';
import type { UserLockdownResult } from '../domain/lockdown-status';

// The per-user steps are short database transactions: local activities, no server round trip each.
const activities = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/**
 * Locks one user, in the order of the spec: re-check, the stage's actions (in the order of
 * domain/lockdown-actions.ts), verify, audit. The result is written to PostgreSQL before the
 * run ends, so the lockdown record is complete even if history expires; the parent, which
 * waits for this run's result, learns it when it ends. The audit event's notifications and
 * SETs start in workflows of their own, which this one neither waits for nor depends on.
 *
 * Every account that may have changed gets exactly one audit event: a run that passed the
 * target check ends with `account_lockdown_triggered` (locked) or `account_lockdown_failed`
 * (which steps ran, why it stopped). Writing the event retries until it succeeds and never
 * turns a locked user into a failed one.
 *
 * Since v1.1.0 (patch `downstream-connectors`), a run that passed its target check then starts
 * the user's downstream run (workflows/lockdown-downstream.ts): the same account in Keycloak,
 * SCIM applications… — after the local lockdown is recorded, never delaying it.
 */
export async function lockdownUser(input: LockdownUserInput): Promise<UserLockdownResult> {
  const { lockdownId, userId } = input;
  // No deactivation without revocation, whatever the stage's flags say.
  const actions = withRevocationOnDeactivation(input.actions);
  const step = { lockdownId, userId };
  const execution = { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId, parentWorkflowId: input.parentWorkflowId };
  const eventInput = {
    ...step,
    ...execution,
    actor: input.actor,
    reason: input.reason,
    selfService: input.selfService,
    actions,
    clientIp: input.clientIp,
    ...(input.cause ? { cause: input.cause } : {}),
  };

  let checked = false;
  const stepsRun: LockdownActionKey[] = [];
  let failure: string | null = null;
  try {
    await activities.checkLockdownTarget({ ...step, actorId: input.actor.id, bulk: input.bulk });
    checked = true;
    for (const action of LOCKDOWN_ACTIONS) {
      if (!actions[action.key] || !actionApplies(action)) continue;
      await activities[action.key](step);
      stepsRun.push(action.key);
    }
    await activities.verifyLockdown({ ...step, actions });
  } catch (err) {
    if (isCancellation(err)) throw err;
    failure = failureMessage(err);
    log.warn('user lockdown failed', { lockdownId, userId, reason: failure });
  }

  let audit: AuditEventWritten | null = null;
  let result: UserLockdownResult;
  try {
    if (failure === null) {
      audit = await activities.writeLockdownAuditEvent(eventInput);
      result = await activities.recordTargetResult({ ...step, success: true, error: null, actions });
    } else {
      // A run refused by its check after containment deactivated the account still changed it: audited too.
      if (checked || input.contained) {
        const done: LockdownActionKey[] = checked ? stepsRun : ['deactivateUser'];
        audit = await activities.writeLockdownFailedEvent({ ...eventInput, stepsRun: done, error: failure });
      }
      result = await activities.recordTargetResult({ ...step, success: false, error: failure, actions });
    }
  } catch (err) {
    // The result could not be recorded for good: this run fails, and the parent counts the user failed.
    if (!isCancellation(err)) log.error('user lockdown result not recorded', { lockdownId, userId, error: failureMessage(err) });
    throw err;
  }
  // The account downstream too, once it is locked here (or failed part-way: whoever was allowed to lock it wants it locked there).
  if (checked && patchApplies('downstream-connectors')) await startDownstream(input, execution.workflowId);
  // Planned before this run ends: once the lockdown ends, DELETE /users/:id removes the account (and its email).
  const securityEvents = audit !== null ? await securityEventsToPush(audit.eventId) : 0;
  if (audit?.notify) await startNotifications(audit.eventId);
  if (audit !== null && securityEvents > 0) await startSecurityEvents(audit.eventId);
  return result;
}

/** An action added after the v1.0.0 baseline runs behind its patch (workflows/patches.ts), named in its `since`. */
function actionApplies(action: LockdownAction): boolean {
  return action.since === null || patchApplies(action.since as PatchId);
}
