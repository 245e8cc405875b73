import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { LockdownActivities } from '../../activities';
import { isRequester, type ApprovalDecisionInput } from '../../domain/approval';
import { ACTIVITY_OPTIONS } from '../activity-options';
import { startNotifications } from '../event-deliveries';
import { decideApprovalUpdate } from '../messages';
import type { LockdownRun } from './run';

const { requestLockdownApproval, recordApprovalDecision } = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/**
 * Two-person approval: a large bulk lockdown touches nobody before another person approved
 * it. The wait is bounded by a durable timer (LOCKDOWN_APPROVAL_TIMEOUT_SECONDS).
 */
export class ApprovalWait {
  private decision: ApprovalDecisionInput | null = null;

  constructor(private readonly run: LockdownRun) {
    setHandler(
      decideApprovalUpdate,
      (submitted) => {
        this.decision = submitted;
        return run.state();
      },
      {
        // The API checked the permission (domain/permissions.ts); a decision reaches the history only if it is allowed.
        validator: (submitted) => {
          if (run.status !== 'awaiting_approval' || this.decision !== null) {
            throw ApplicationFailure.nonRetryable('This lockdown is not waiting for approval.', 'NotAwaitingApproval');
          }
          if (isRequester(submitted.approver.id, run.input.actor.id)) {
            throw ApplicationFailure.nonRetryable('The person who requested a lockdown cannot approve or reject it.', 'RequesterCannotDecide');
          }
          if (!submitted.permitted) throw ApplicationFailure.nonRetryable('Approving needs change_user on every target.', 'PermissionDenied');
        },
      },
    );
  }

  /**
   * Waits for another person's decision; true when approved. Rejected, expired or cancelled:
   * the run has ended with every target cancelled, nobody locked.
   */
  async granted(timeoutMs: number): Promise<boolean> {
    const { run } = this;
    run.status = 'awaiting_approval';
    await run.record();
    const requested = await requestLockdownApproval({ lockdownId: run.lockdownId, expiresAt: new Date(Date.now() + timeoutMs).toISOString() });
    if (requested.notify) await startNotifications(requested.eventId);
    await condition(() => this.decision !== null || run.cancelRequested, timeoutMs);
    const made = this.decision;
    const decidedAt = new Date().toISOString();
    if (made?.approve) {
      const approved = await recordApprovalDecision({ lockdownId: run.lockdownId, outcome: 'approved', approver: made.approver, comment: made.comment, decidedAt });
      if (approved.notify) await startNotifications(approved.eventId);
      return true;
    }
    if (!made && run.cancelRequested) {
      await run.endNobodyLocked('cancelled');
      return false;
    }
    const outcome = made ? 'rejected' : 'expired';
    const ended = await recordApprovalDecision({ lockdownId: run.lockdownId, outcome, approver: made?.approver ?? null, comment: made?.comment ?? null, decidedAt });
    if (ended.notify) await startNotifications(ended.eventId);
    await run.endNobodyLocked(outcome);
    return false;
  }
}
