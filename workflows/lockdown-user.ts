import {
  ParentClosePolicy,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import type { AuditEventWritten } from '../activities/audit';
import { LOCKDOWN_ACTIONS, withRevocationOnDeactivation, type LockdownActionKey } from '../domain/lockdown-actions';
import { ACTIVITY_OPTIONS, LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { deliverNotifications } from './deliver-notifications';
import { deliverSecurityEvents } from './deliver-security-events';
import { failureMessage } from './failures';
import { notificationWorkflowId, securityEventsWorkflowId } from './ids';
import { userFinishedSignal } from './messages';
import type { LockdownUserInput, UserLockdownResult } from './types';

const remoteActivities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);
const localActivities = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/** Patch: the per-user steps run as local activities (histories before it used remote ones). */
const LOCAL_STEPS = 'local-steps';
/** Patch: a run that stops after the target check writes an `account_lockdown_failed` event. */
const AUDIT_FAILED_RUNS = 'audit-failed-runs';
/** Patch: a result that cannot be recorded is still reported to the parent (as a failure). */
const REPORT_UNRECORDED_RESULT = 'report-unrecorded-result';
/** Patch: a run that deactivates the user also ends their sessions and revokes their tokens, whatever the stage says. */
const DEACTIVATION_REVOKES = 'deactivation-revokes';
/** Patch: downstream applications are told (CAEP Security Event Tokens to the configured receivers). */
const SECURITY_EVENTS = 'security-events';

/**
 * Locks one user, in the order of the spec: re-check, the stage's actions (in the order of
 * domain/lockdown-actions.ts), verify, audit. The result is written to PostgreSQL before
 * the parent is told, so the lockdown record is complete even if history expires. Then the
 * audit event's notifications start in a workflow of their own, which this one neither
 * waits for nor depends on.
 *
 * Every account that may have changed gets exactly one audit event: a run that passed the
 * target check ends with `account_lockdown_triggered` (locked) or `account_lockdown_failed`
 * (which steps ran, why it stopped). Writing the event retries until it succeeds and never
 * turns a locked user into a failed one.
 */
export async function lockdownUser(input: LockdownUserInput): Promise<UserLockdownResult> {
  const { lockdownId, userId } = input;
  // No deactivation without revocation (histories before the patch ran the stage's flags as they were).
  const actions = patched(DEACTIVATION_REVOKES) ? withRevocationOnDeactivation(input.actions) : input.actions;
  const step = { lockdownId, userId };
  const activities = patched(LOCAL_STEPS) ? localActivities : remoteActivities;
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
      if (!actions[action.key]) continue;
      // An action added later runs behind its patch: histories recorded before it never ran it.
      if (action.since !== null && !patched(action.since)) continue;
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
      // Histories before the patch wrote no event for a failed run.
      // A run refused by its check after containment deactivated the account still changed it: audited too.
      if ((checked || input.contained) && patched(AUDIT_FAILED_RUNS)) {
        const done: LockdownActionKey[] = checked ? stepsRun : ['deactivateUser'];
        audit = await activities.writeLockdownFailedEvent({ ...eventInput, stepsRun: done, error: failure });
      }
      result = await activities.recordTargetResult({ ...step, success: false, error: failure, actions });
    }
  } catch (err) {
    // The result could not be recorded for good: the parent must still hear of this user, or it
    // would wait for it forever (histories before the patch never got here).
    if (isCancellation(err) || !patched(REPORT_UNRECORDED_RESULT)) throw err;
    log.error('user lockdown result not recorded', { lockdownId, userId, error: failureMessage(err) });
    await reportToParent(input, false);
    throw err;
  }
  // Planned before reporting: once the lockdown ends, DELETE /users/:id removes the account (and its email).
  // Histories before the patch told no receiver.
  const securityEvents = audit !== null && patched(SECURITY_EVENTS) ? await planSecurityEvents(activities, audit.eventId) : 0;
  await reportToParent(input, result.success);
  // Histories recorded before notifications existed have no such command here (and no audit result).
  if (patched('notify-after-audit') && audit?.notify) await startNotifications(audit.eventId);
  if (audit !== null && securityEvents > 0) await startSecurityEvents(audit.eventId);
  return result;
}

/** The number of SETs to push for the event; a failure to plan them is logged, never the lockdown's failure. */
async function planSecurityEvents(activities: typeof localActivities, eventId: string): Promise<number> {
  try {
    return await activities.planSecurityEvents({ eventId });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.error('security events not planned', { eventId, error: failureMessage(err) });
    return 0;
  }
}

/** Tells the parent (by workflow id, so the report reaches its current run) that this user is done. */
async function reportToParent(input: LockdownUserInput, success: boolean): Promise<void> {
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(userFinishedSignal, { userId: input.userId, success });
  } catch (err) {
    // The parent is gone (terminated by an operator): the result is in PostgreSQL already.
    log.warn('could not report to parent', { lockdownId: input.lockdownId, userId: input.userId, error: failureMessage(err) });
  }
}

/** Starts the event's notification workflow; a failure to start is logged, never the lockdown's failure. */
export async function startNotifications(eventId: string): Promise<void> {
  try {
    await startChild(deliverNotifications, {
      workflowId: notificationWorkflowId(eventId),
      args: [{ eventId }],
      // It outlives this workflow, which completes right after starting it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Already started (e.g. by an earlier run of this workflow) or refused: the lockdown is done either way.
    log.warn('notifications not started', { eventId, error: failureMessage(err) });
  }
}

/** Starts the event's SET delivery workflow, which outlives this one; a failure to start is logged. */
async function startSecurityEvents(eventId: string): Promise<void> {
  try {
    await startChild(deliverSecurityEvents, {
      workflowId: securityEventsWorkflowId(eventId),
      args: [{ eventId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('security events not started', { eventId, error: failureMessage(err) });
  }
}
