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
import { ACTIVITY_OPTIONS, LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { deliverNotifications } from './deliver-notifications';
import { failureMessage } from './failures';
import { notificationWorkflowId } from './ids';
import { userFinishedSignal } from './messages';
import type { LockdownUserInput, UserLockdownResult } from './types';

const remoteActivities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);
const localActivities = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/** Patch: the per-user steps run as local activities (histories before it used remote ones). */
const LOCAL_STEPS = 'local-steps';

/**
 * Locks one user, in the order of the spec: re-check, deactivate, unusable password,
 * delete sessions, revoke tokens, verify, audit. The result is written to PostgreSQL
 * before the parent is told, so the lockdown record is complete even if history expires.
 * Then the audit event's notifications start in a workflow of their own, which this one
 * neither waits for nor depends on.
 */
export async function lockdownUser(input: LockdownUserInput): Promise<UserLockdownResult> {
  const { lockdownId, userId, actions } = input;
  const step = { lockdownId, userId };
  const activities = patched(LOCAL_STEPS) ? localActivities : remoteActivities;
  let result: UserLockdownResult;
  let audit: AuditEventWritten | null = null;
  try {
    await activities.checkLockdownTarget({ ...step, actorId: input.actor.id, bulk: input.bulk });
    if (actions.deactivateUser) await activities.deactivateUser(step);
    if (actions.setUnusablePassword) await activities.setUnusablePassword(step);
    if (actions.deleteSessions) await activities.deleteSessions(step);
    if (actions.revokeTokens) await activities.revokeTokens(step);
    await activities.verifyLockdown({ ...step, actions });
    audit = await activities.writeLockdownAuditEvent({
      ...step,
      actor: input.actor,
      reason: input.reason,
      selfService: input.selfService,
      actions,
      clientIp: input.clientIp,
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().runId,
      parentWorkflowId: input.parentWorkflowId,
    });
    result = await activities.recordTargetResult({ ...step, success: true, error: null, actions });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const reason = failureMessage(err);
    log.warn('user lockdown failed', { lockdownId, userId, reason });
    result = await activities.recordTargetResult({ ...step, success: false, error: reason, actions });
  }
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(userFinishedSignal, { userId, success: result.success });
  } catch (err) {
    // The parent is gone (terminated by an operator): the result is in PostgreSQL already.
    log.warn('could not report to parent', { lockdownId, userId, error: failureMessage(err) });
  }
  // Histories recorded before notifications existed have no such command here (and no audit result).
  if (patched('notify-after-audit') && audit?.notify) await startNotifications(audit.eventId);
  return result;
}

/** Starts the event's notification workflow; a failure to start is logged, never the lockdown's failure. */
async function startNotifications(eventId: string): Promise<void> {
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
