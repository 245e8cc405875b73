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
import { ACTIVITY_OPTIONS, CONTAINMENT_OPTIONS } from './activity-options';
import { failureMessage } from './failures';
import { userLockdownWorkflowId } from './ids';
import { lockdownUser } from './lockdown-user';
import { cancelSignal, lockdownStateQuery, submitPromptUpdate, userFinishedSignal } from './messages';
import type {
  AccountLockdownStageSnapshot,
  Completion,
  LockdownFlowInput,
  LockdownFlowState,
  LockdownStatus,
  PromptStageSnapshot,
} from './types';

const activities = proxyActivities<LockdownActivities>(ACTIVITY_OPTIONS);
const { containTargets } = proxyLocalActivities<LockdownActivities>(CONTAINMENT_OPTIONS);

/** Patch: children of a window are started together rather than one after another. */
const PARALLEL_CHILD_STARTS = 'parallel-child-starts';
/** Patch: cancelling at a prompt marks the targets cancelled. */
const CANCEL_MARKS_TARGETS = 'cancel-marks-targets';
/** Patch: a run that fails marks its record `failed` (histories before it never failed). */
const RECORD_RUN_FAILURE = 'record-run-failure';
/** Patch: the lockdown stage deactivates every target in batches before the per-user runs start. */
const CONTAINMENT_FIRST = 'containment-first';

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
  // null: no containment ran (older histories, a stage that does not deactivate, or it failed).
  let uncontained: Set<string> | null = resume?.uncontained ? new Set(resume.uncontained) : null;

  const progress = () => progressFrom({ total: targetUserIds.length, locked, failed, cancelled });
  const state = (): LockdownFlowState => ({ status, stageIndex, progress: progress(), completion, error });
  const currentPrompt = (): PromptStageSnapshot | null => {
    const stage = flow.stages[stageIndex];
    return status === 'awaiting_input' && stage?.kind === 'prompt' ? stage : null;
  };

  setHandler(lockdownStateQuery, state);
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

  const record = (extra: { completion?: Completion | null; finished?: boolean } = {}) =>
    activities.recordLockdownState({ lockdownId, status, stageIndex, reason: values.reason ?? null, error, ...extra });

  try {
    return await walkStages();
  } catch (err) {
    if (err instanceof ContinueAsNew || !(err instanceof TemporalFailure) || !patched(RECORD_RUN_FAILURE)) throw err;
    status = 'failed';
    error = failureMessage(err);
    log.error('lockdown failed', { lockdownId, error });
    await activities.recordLockdownFailure({ lockdownId, error });
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
        args: [
          {
            lockdownId,
            parentWorkflowId: workflowInfo().workflowId,
            userId,
            actor: input.actor,
            bulk: input.bulk,
            selfService: input.selfService,
            reason: values.reason ?? '',
            actions: stage.actions,
            clientIp: input.clientIp,
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
