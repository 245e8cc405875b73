import {
  ApplicationFailure,
  ContinueAsNew,
  ParentClosePolicy,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LockdownActivities } from '../activities';
import { finalStatus, progressFrom } from '../domain/lockdown-status';
import { acceptedValues, invalidFields } from '../domain/prompt';
import { selfServiceEnding } from '../domain/self-service';
import { unknownStageKind } from '../domain/stages';
import { ACTIVITY_OPTIONS, CONTAINMENT_OPTIONS, LOCAL_ACTIVITY_OPTIONS } from './activity-options';
import { failureMessage } from './failures';
import { userLockdownWorkflowId } from './ids';
import { userLockdownSearchAttributes } from './search-attributes';
import { lockdownUser, startNotifications } from './lockdown-user';
import { cancelSignal, decideApprovalUpdate, lockdownStartedUpdate, lockdownStateQuery, submitPromptUpdate, userFinishedSignal } from './messages';
import { isRequester, type ApprovalDecisionInput } from '../domain/approval';
import type { LockdownFlowInput, LockdownFlowState } from './types';
import type { AccountLockdownStageSnapshot, Completion, PromptStageSnapshot } from '../domain/stages';
import type { LockdownStatus } from '../domain/lockdown-status';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);
const { containTargets } = proxyLocalActivities<LockdownActivities>(CONTAINMENT_OPTIONS);
const localActivities = proxyLocalActivities<LockdownActivities>(LOCAL_ACTIVITY_OPTIONS);

/** Patch: children of a window are started together rather than one after another. */
const PARALLEL_CHILD_STARTS = 'parallel-child-starts';
/** Patch: cancelling at a prompt marks the targets cancelled. */
const CANCEL_MARKS_TARGETS = 'cancel-marks-targets';
/** Patch: a run that fails marks its record `failed` (histories before it never failed). */
const RECORD_RUN_FAILURE = 'record-run-failure';
/** Patch: per-user workflows carry the LockdownId and LockdownTargetUserId search attributes. */
const CHILD_SEARCH_ATTRIBUTES = 'child-search-attributes';
/** Patch: a lockdown that needs approval waits for it before its lockdown stage. */
const APPROVAL_WAIT = 'approval-wait';
/** Patch: the lockdown stage deactivates every target in batches before the per-user runs start. */
const CONTAINMENT_FIRST = 'containment-first';
/** Patch: the lockdown's state is recorded by a local activity, not an activity task (a server round trip less before the first child starts). */
const RECORD_STATE_LOCALLY = 'record-state-locally';

const NO_TARGET_MESSAGE = 'No user to lock: the lockdown has no target.';

/**
 * One lockdown: walks the flow's stages in order.
 * - prompt before the lockdown stage: waits for `submitPrompt` (or uses the values given
 *   at start, when they are complete and recordable); prompts after it only display (results).
 * - account lockdown stage: one child workflow per user through a sliding window,
 *   continuing as new every `continueAsNewAfter` children so bulk runs of any size stay
 *   within Temporal's history and pending-children limits.
 * Whatever makes the run fail is recorded on the lockdown (status `failed`, the reason), so
 * no lockdown is left waiting in PostgreSQL for a workflow that is gone.
 */
export async function lockdownFlow(input: LockdownFlowInput): Promise<LockdownFlowState> {
  const { lockdownId, flow, settings, targetUserIds } = input;
  const resume = input.resume;

  let status: LockdownStatus = resume ? 'running' : 'pending';
  // What PostgreSQL holds: the start update answers once it left `pending`, so the API's read agrees.
  let recordedStatus: LockdownStatus = status;
  let stageIndex = resume?.stageIndex ?? 0;
  let values: Record<string, string> = resume?.values ?? {};
  let submission: Record<string, string> | null = null;
  let cancelRequested = resume?.cancelRequested ?? false;
  let nextTargetIndex = resume?.nextTargetIndex ?? 0;
  let locked = resume?.locked ?? 0;
  let failed = resume?.failed ?? 0;
  let cancelled = 0;
  let completion: Completion | null = null;
  let error: string | null = null;
  const inFlight = new Set<string>(resume?.inFlight ?? []);
  let decision: ApprovalDecisionInput | null = null;
  // null: no containment ran (older histories, a stage that does not deactivate, or it failed).
  let uncontained: Set<string> | null = resume?.uncontained ? new Set(resume.uncontained) : null;

  const progress = () => progressFrom({ total: targetUserIds.length, locked, failed, cancelled });
  const state = (): LockdownFlowState => ({ status, stageIndex, progress: progress(), completion, error });
  const currentPrompt = (): PromptStageSnapshot | null => {
    const stage = flow.stages[stageIndex];
    return status === 'awaiting_input' && stage?.kind === 'prompt' ? stage : null;
  };

  setHandler(lockdownStateQuery, state);
  setHandler(lockdownStartedUpdate, async () => {
    await condition(() => recordedStatus !== 'pending');
    return state();
  });
  setHandler(cancelSignal, () => {
    cancelRequested = true;
  });
  setHandler(userFinishedSignal, ({ userId, success }) => {
    // Delete-then-count makes a duplicated report harmless.
    if (!inFlight.delete(userId)) return;
    if (success) locked++;
    else failed++;
  });
  setHandler(
    submitPromptUpdate,
    (submitted) => {
      submission = acceptedValues(currentPrompt()!, submitted);
      return state();
    },
    {
      // Runs before the update is accepted: an answer that is incomplete or could not be
      // recorded never reaches the workflow's history.
      validator: (submitted) => {
        const prompt = currentPrompt();
        if (!prompt) throw ApplicationFailure.nonRetryable('This lockdown is not waiting for input.', 'NotAwaitingInput');
        const errors = invalidFields(prompt, submitted);
        if (errors.length > 0) throw ApplicationFailure.nonRetryable('Some fields are invalid.', 'ValidationError', errors);
      },
    },
  );

  setHandler(
    decideApprovalUpdate,
    (submitted) => {
      decision = submitted;
      return state();
    },
    {
      // The API checked the permission (domain/permissions.ts); a decision reaches the history only if it is allowed.
      validator: (submitted) => {
        if (status !== 'awaiting_approval' || decision !== null) throw ApplicationFailure.nonRetryable('This lockdown is not waiting for approval.', 'NotAwaitingApproval');
        if (isRequester(submitted.approver.id, input.actor.id)) {
          throw ApplicationFailure.nonRetryable('The person who requested a lockdown cannot approve or reject it.', 'RequesterCannotDecide');
        }
        if (!submitted.permitted) throw ApplicationFailure.nonRetryable('Approving needs change_user on every target.', 'PermissionDenied');
      },
    },
  );

  const record = async (extra: { completion?: Completion | null; finished?: boolean } = {}) => {
    const recording = status;
    const recordState = patched(RECORD_STATE_LOCALLY) ? localActivities.recordLockdownState : activities.recordLockdownState;
    await recordState({ lockdownId, status, stageIndex, reason: values.reason ?? null, error, ...extra });
    recordedStatus = recording;
  };

  try {
    return await walkStages();
  } catch (err) {
    if (err instanceof ContinueAsNew || !(err instanceof TemporalFailure) || !patched(RECORD_RUN_FAILURE)) throw err;
    status = 'failed';
    error = failureMessage(err);
    log.error('lockdown failed', { lockdownId, error });
    await activities.recordLockdownFailure({ lockdownId, error });
    recordedStatus = status;
    throw err;
  }

  async function walkStages(): Promise<LockdownFlowState> {
    const lockdownStageIndex = flow.stages.findIndex((stage) => stage.kind === 'account_lockdown');
    for (; stageIndex < flow.stages.length; stageIndex++) {
      const stage = flow.stages[stageIndex];
      switch (stage.kind) {
        case 'prompt': {
          if (lockdownStageIndex >= 0 && stageIndex > lockdownStageIndex) continue; // display only (results)
          const answered = await answerPrompt(stage);
          if (!answered) {
            status = 'cancelled';
            // Nobody was locked: every target is cancelled (histories before the patch left them pending).
            if (patched(CANCEL_MARKS_TARGETS)) cancelled = await activities.cancelPendingTargets({ lockdownId });
            await record({ finished: true });
            return state();
          }
          continue;
        }
        case 'account_lockdown': {
          if (targetUserIds.length === 0) {
            status = 'failed';
            error = NO_TARGET_MESSAGE;
            await record({ finished: true });
            return state();
          }
          // Nobody is touched before a second person approved (never after continue-as-new: approved already).
          if (input.approval && !resume && patched(APPROVAL_WAIT) && !(await awaitApproval(input.approval.timeoutMs))) return state();
          if (!resume && stage.actions.deactivateUser && settings.containmentFirst !== false && patched(CONTAINMENT_FIRST)) uncontained = await containAll();
          if (status !== 'running') {
            status = 'running';
            await record();
          }
          await lockAllTargets(stage); // may continue as new, which ends this run
          if (input.selfService) completion = selfServiceEnding(stage, progress());
          continue;
        }
        default:
          return unknownStageKind(stage);
      }
    }

    status = finalStatus(progress());
    // The results prompt (admin runs) is the last stage shown; self-service runs end on `completion`.
    stageIndex = Math.min(stageIndex, flow.stages.length - 1);
    await record({ completion, finished: true });
    return state();
  }

  /**
   * Waits for another person's decision (a durable timer bounds it); true when approved.
   * Rejected, expired or cancelled: every target is cancelled, nobody locked.
   */
  async function awaitApproval(timeoutMs: number): Promise<boolean> {
    status = 'awaiting_approval';
    await record();
    const requested = await activities.requestLockdownApproval({ lockdownId, expiresAt: new Date(Date.now() + timeoutMs).toISOString() });
    if (requested.notify) await startNotifications(requested.eventId);
    await condition(() => decision !== null || cancelRequested, timeoutMs);
    const made = decision as ApprovalDecisionInput | null;
    const decidedAt = new Date().toISOString();
    if (made?.approve) {
      const approved = await activities.recordApprovalDecision({ lockdownId, outcome: 'approved', approver: made.approver, comment: made.comment, decidedAt });
      if (approved.notify) await startNotifications(approved.eventId);
      return true;
    }
    if (made || !cancelRequested) {
      const outcome = made ? 'rejected' : 'expired';
      const ended = await activities.recordApprovalDecision({ lockdownId, outcome, approver: made?.approver ?? null, comment: made?.comment ?? null, decidedAt });
      if (ended.notify) await startNotifications(ended.eventId);
      status = outcome;
    } else {
      status = 'cancelled';
    }
    cancelled = await activities.cancelPendingTargets({ lockdownId });
    await record({ finished: true });
    return false;
  }

  /** Takes the prompt's values from the start request or waits for them; false when cancelled instead. */
  async function answerPrompt(stage: PromptStageSnapshot): Promise<boolean> {
    const suppliedAtStart = Object.keys(input.initialValues).length > 0;
    if (suppliedAtStart && invalidFields(stage, input.initialValues).length === 0) {
      values = { ...values, ...acceptedValues(stage, input.initialValues) };
      return true;
    }
    status = 'awaiting_input';
    await record();
    await condition(() => submission !== null || cancelRequested);
    if (submission === null) return false;
    values = { ...values, ...(submission as Record<string, string>) };
    submission = null;
    return true;
  }

  async function lockAllTargets(stage: AccountLockdownStageSnapshot): Promise<void> {
    let startedThisRun = 0;
    const takeNextTarget = () => {
      const userId = targetUserIds[nextTargetIndex++];
      // Added before starting: the child's report may arrive in the same activation.
      inFlight.add(userId);
      startedThisRun++;
      return userId;
    };
    const canStartMore = () =>
      !cancelRequested && nextTargetIndex < targetUserIds.length && startedThisRun < settings.continueAsNewAfter;

    for (;;) {
      if (patched(PARALLEL_CHILD_STARTS)) {
        // Fill every free slot of the window in one workflow task.
        const batch: string[] = [];
        while (canStartMore() && inFlight.size < settings.window) batch.push(takeNextTarget());
        await Promise.all(batch.map((userId) => startUserLockdown(stage, userId)));
      } else {
        // Histories recorded before PARALLEL_CHILD_STARTS started children one at a time.
        while (canStartMore() && inFlight.size < settings.window) await startUserLockdown(stage, takeNextTarget());
      }
      const moreToStart = !cancelRequested && nextTargetIndex < targetUserIds.length;
      if (!moreToStart && inFlight.size === 0) break;
      if (moreToStart && (startedThisRun >= settings.continueAsNewAfter || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        log.info('continuing as new', { lockdownId, nextTargetIndex, inFlight: inFlight.size });
        await continueAsNew<typeof lockdownFlow>({
          ...input,
          resume: { stageIndex, values, nextTargetIndex, inFlight: [...inFlight], locked, failed, cancelRequested, ...(uncontained ? { uncontained: [...uncontained] } : {}) },
        });
      }
      await condition(() => inFlight.size === 0 || (canStartMore() && inFlight.size < settings.window));
    }
    if (cancelRequested) {
      // The targets left out were contained all the same: their results say they stay inactive.
      const contained = uncontained ? { contained: true, uncontained: [...uncontained] } : {};
      cancelled = await activities.cancelPendingTargets({ lockdownId, ...contained });
    }
  }

  /**
   * Containment first: every target deactivated in one short local activity (batched
   * statements) before any per-user run, so a bulk lockdown refuses every credential within
   * seconds rather than when each user's turn in the window comes. The children still run
   * every step, verify and audit per user. A failure here only costs speed: the children
   * deactivate the users themselves.
   */
  async function containAll(): Promise<Set<string> | null> {
    try {
      const result = await containTargets({ lockdownId, actorId: input.actor.id, bulk: input.bulk });
      return new Set(result.uncontained);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('containment failed; the per-user runs deactivate their users', { lockdownId, error: failureMessage(err) });
      return null;
    }
  }

  async function startUserLockdown(stage: AccountLockdownStageSnapshot, userId: string): Promise<void> {
    try {
      await startChild(lockdownUser, {
        workflowId: userLockdownWorkflowId(lockdownId, userId),
        // Children outlive their parent's continue-as-new and report to the next run.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...(patched(CHILD_SEARCH_ATTRIBUTES) ? { typedSearchAttributes: userLockdownSearchAttributes(lockdownId, userId) } : {}),
        args: [
          {
            lockdownId,
            parentWorkflowId: workflowInfo().workflowId,
            userId,
            actor: input.actor,
            bulk: input.bulk,
            selfService: input.selfService,
            // A deactivation has no prompt: its reason is the one it was recorded with.
            reason: values.reason ?? (input.cause ? input.initialValues.reason : undefined) ?? '',
            actions: stage.actions,
            clientIp: input.clientIp,
            ...(input.cause ? { cause: input.cause } : {}),
            // Set only when containment ran: the child then knows this account was already deactivated.
            ...(uncontained ? { contained: !uncontained.has(userId) } : {}),
          },
        ],
      });
    } catch (err) {
      // Already started by an earlier run of this lockdown: it will report when done.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
