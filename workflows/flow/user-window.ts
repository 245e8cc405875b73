import {
  CancelledFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  TerminatedFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LockdownActivities } from '../../activities';
import { withRevocationOnDeactivation } from '../../domain/lockdown-actions';
import type { AccountLockdownStageSnapshot } from '../../domain/stages';
import { ACTIVITY_OPTIONS } from '../activity-options';
import { securityEventsToPush, startNotifications, startSecurityEvents } from '../event-deliveries';
import { failureMessage } from '../failures';
import { userLockdownWorkflowId } from '../ids';
import { lockdownUser } from '../lockdown-user';
import { userLockdownSearchAttributes } from '../search-attributes';
import type { lockdownFlow } from '../lockdown-flow';
import type { LockdownUserInput } from '../types';
import type { LockdownRun } from './run';

const { cancelPendingTargets, recordUnfinishedUserRun } = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);

/**
 * The account lockdown stage's sliding window: one `lockdownUser` child per target, at most
 * `window` at once, continuing as new every `continueAsNewAfter` children so that bulk runs
 * of any size stay within Temporal's history and pending-children limits.
 *
 * Each run waits for the result of every child it started, and lets its window drain before
 * it continues as new, so this wait always ends: a child ends by itself (locked; failed with
 * its reason; failed because its result could not be recorded), or it is ended from outside
 * (terminated, timed out), which this run sees and records as that user's failure. A child's
 * own waits are its activities, which give up on permanent errors and wait out PostgreSQL
 * outages on purpose (activities/failures.ts) — a lockdown finishes once it is back.
 */
export class UserWindow {
  private nextTargetIndex: number;
  private startedThisRun = 0;
  private readonly inFlight = new Set<string>();

  /** `uncontained`: the targets containment left active, or null when it did not run. */
  constructor(
    private readonly run: LockdownRun,
    private readonly stage: AccountLockdownStageSnapshot,
    private readonly uncontained: Set<string> | null,
  ) {
    this.nextTargetIndex = run.input.resume?.nextTargetIndex ?? 0;
  }

  /** Locks every target (or, cancelled, the ones started so far); may continue as new, which ends this run. */
  async lockAll(): Promise<void> {
    for (;;) {
      // Fill every free slot of the window in one workflow task.
      const batch: string[] = [];
      while (this.mayStartOne()) batch.push(this.takeNextTarget());
      await Promise.all(batch.map((userId) => this.start(userId)));
      await condition(() => this.inFlight.size === 0 || this.mayStartOne());
      if (this.inFlight.size === 0 && !this.mayStartOne()) break;
    }
    const { run } = this;
    if (run.cancelRequested) {
      // The targets left out were contained all the same: their results say they stay inactive.
      const contained = this.uncontained ? { contained: true, uncontained: [...this.uncontained] } : {};
      run.cancelled = await cancelPendingTargets({ lockdownId: run.lockdownId, ...contained });
      return;
    }
    if (this.nextTargetIndex < run.input.targetUserIds.length) {
      await condition(allHandlersFinished);
      log.info('continuing as new', { lockdownId: run.lockdownId, nextTargetIndex: this.nextTargetIndex });
      await continueAsNew<typeof lockdownFlow>({ ...run.input, resume: run.resumeState(this.nextTargetIndex, this.uncontained) });
    }
  }

  /** A free slot, a target left, no cancel, and this run not due to continue as new. */
  private mayStartOne(): boolean {
    const { input, cancelRequested } = this.run;
    return (
      !cancelRequested &&
      this.nextTargetIndex < input.targetUserIds.length &&
      this.inFlight.size < input.settings.window &&
      this.startedThisRun < input.settings.continueAsNewAfter &&
      (this.startedThisRun === 0 || !workflowInfo().continueAsNewSuggested)
    );
  }

  private takeNextTarget(): string {
    const userId = this.run.input.targetUserIds[this.nextTargetIndex++];
    this.inFlight.add(userId);
    this.startedThisRun++;
    return userId;
  }

  private async start(userId: string): Promise<void> {
    const { lockdownId } = this.run;
    const input = this.childInput(userId);
    try {
      const child = await startChild(lockdownUser, {
        workflowId: userLockdownWorkflowId(lockdownId, userId),
        // The per-user run finishes its steps and its audit event even if this one is terminated.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: userLockdownSearchAttributes(lockdownId, userId),
        args: [input],
      });
      void child.result().then(
        (result) => this.finished(userId, result.success),
        (err: unknown) => this.ended(userId, input, child.firstExecutionRunId, err),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Only after an operator reset this workflow: that per-user run records its own result
      // in PostgreSQL, but this run cannot follow it, so it counts the user as not locked.
      log.warn('per-user run already started; not followed', { lockdownId, userId });
      this.finished(userId, false);
    }
  }

  private finished(userId: string, success: boolean): void {
    if (!this.inFlight.delete(userId)) return;
    if (success) this.run.locked++;
    else this.run.failed++;
  }

  /**
   * A child that ended without a result failed on its own (its result could not be recorded:
   * it said so in its logs) or was ended from outside. Then its target is failed with why and,
   * if the account may have changed, given its one `account_lockdown_failed` event.
   */
  private async ended(userId: string, input: LockdownUserInput, runId: string, err: unknown): Promise<void> {
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    const how =
      cause instanceof TerminatedFailure ? 'was terminated' : cause instanceof TimeoutFailure ? 'timed out' : cause instanceof CancelledFailure ? 'was cancelled' : null;
    if (how !== null) {
      const error = `Its per-user run ${how} before it finished; which of its steps ran is not known: check the account.`;
      log.warn('user lockdown ended from outside', { lockdownId: input.lockdownId, userId, how });
      try {
        const audit = await recordUnfinishedUserRun({
          lockdownId: input.lockdownId,
          userId,
          actor: input.actor,
          reason: input.reason,
          selfService: input.selfService,
          actions: withRevocationOnDeactivation(input.actions),
          clientIp: input.clientIp,
          workflowId: userLockdownWorkflowId(input.lockdownId, userId),
          runId,
          parentWorkflowId: input.parentWorkflowId,
          ...(input.cause ? { cause: input.cause } : {}),
          contained: input.contained === true,
          error,
        });
        if (audit?.notify) await startNotifications(audit.eventId);
        if (audit && (await securityEventsToPush(audit.eventId)) > 0) await startSecurityEvents(audit.eventId);
      } catch (recordErr) {
        log.error('unfinished user lockdown not recorded', { lockdownId: input.lockdownId, userId, error: failureMessage(recordErr) });
      }
    }
    this.finished(userId, false);
  }

  private childInput(userId: string): LockdownUserInput {
    const { run, stage, uncontained } = this;
    const { input } = run;
    return {
      lockdownId: run.lockdownId,
      parentWorkflowId: workflowInfo().workflowId,
      userId,
      actor: input.actor,
      bulk: input.bulk,
      selfService: input.selfService,
      // A deactivation has no prompt: its reason is the one it was recorded with.
      reason: run.values.reason ?? (input.cause ? input.initialValues.reason : undefined) ?? '',
      actions: stage.actions,
      clientIp: input.clientIp,
      ...(input.cause ? { cause: input.cause } : {}),
      // Set only when containment ran: the child then knows this account was already deactivated.
      ...(uncontained ? { contained: !uncontained.has(userId) } : {}),
    };
  }
}
