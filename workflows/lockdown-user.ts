import { ApplicationFailure, getExternalWorkflowHandle, isCancellation, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { LockdownActivities } from '../activities';
import { ACTIVITY_OPTIONS } from './activity-options';
import { userFinishedSignal } from './messages';
import type { LockdownUserInput, UserLockdownResult } from './types';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/**
 * Locks one user, in the order of the spec: re-check, deactivate, unusable password,
 * delete sessions, revoke tokens, verify, audit. The result is written to PostgreSQL
 * before the parent is told, so the lockdown record is complete even if history expires.
 */
export async function lockdownUser(input: LockdownUserInput): Promise<UserLockdownResult> {
  const { lockdownId, userId, actions } = input;
  const step = { lockdownId, userId };
  let result: UserLockdownResult;
  try {
    await activities.checkLockdownTarget({ ...step, actorId: input.actor.id, bulk: input.bulk });
    if (actions.deactivateUser) await activities.deactivateUser(step);
    if (actions.setUnusablePassword) await activities.setUnusablePassword(step);
    if (actions.deleteSessions) await activities.deleteSessions(step);
    if (actions.revokeTokens) await activities.revokeTokens(step);
    await activities.verifyLockdown({ ...step, actions });
    await activities.writeLockdownAuditEvent({
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
  return result;
}

/** The innermost human-readable message of an activity failure. */
function failureMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && 'cause' in current && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}
