import { ContinueAsNew, TemporalFailure } from '@temporalio/workflow';
import { finalStatus } from '../domain/lockdown-status';
import { selfServiceEnding } from '../domain/self-service';
import { unknownStageKind } from '../domain/stages';
import { failureMessage } from './failures';
import { ApprovalWait } from './flow/approval';
import { containAll } from './flow/containment';
import { PromptAnswers, promptExpiredMessage } from './flow/prompt';
import { LockdownRun } from './flow/run';
import { writeSummary } from './flow/summary';
import { patchApplies } from './patches';
import { UserWindow } from './flow/user-window';
import type { LockdownFlowInput, LockdownFlowState } from './types';

const NO_TARGET_MESSAGE = 'No user to lock: the lockdown has no target.';

/**
 * One lockdown: walks the flow's stages in order (the seed's list of steps).
 * - a prompt before the lockdown stage waits for its answer (or takes the values given at
 *   start), at most LOCKDOWN_PROMPT_TIMEOUT_SECONDS; prompts after it only display (results).
 * - the account lockdown stage waits for a second person's approval when the lockdown needs
 *   it, deactivates every target at once (containment first), then locks each user in a
 *   child workflow through a sliding window, continuing as new as it goes.
 * - the run ends with its status from the counts, and the self-service ending; then (runs
 *   from v1.1.0) it writes the lockdown's summary event and starts its notifications.
 * Whatever makes the run fail is recorded on the lockdown (status `failed`, the reason), so
 * no lockdown is left waiting in PostgreSQL for a workflow that is gone.
 */
export async function lockdownFlow(input: LockdownFlowInput): Promise<LockdownFlowState> {
  // Made before the first await: each registers the messages it answers.
  const run = new LockdownRun(input);
  const prompts = new PromptAnswers(run);
  const approval = new ApprovalWait(run);
  try {
    return await walkStages(run, prompts, approval);
  } catch (err) {
    if (err instanceof ContinueAsNew || !(err instanceof TemporalFailure)) throw err;
    await run.recordFailure(failureMessage(err));
    throw err;
  }
}

async function walkStages(run: LockdownRun, prompts: PromptAnswers, approval: ApprovalWait): Promise<LockdownFlowState> {
  const { flow, targetUserIds, resume, settings } = run.input;
  const lockdownStageIndex = flow.stages.findIndex((stage) => stage.kind === 'account_lockdown');
  for (; run.stageIndex < flow.stages.length; run.stageIndex++) {
    const stage = flow.stages[run.stageIndex];
    switch (stage.kind) {
      case 'prompt': {
        if (lockdownStageIndex >= 0 && run.stageIndex > lockdownStageIndex) continue; // display only (results)
        const outcome = await prompts.answer(stage);
        if (outcome === 'cancelled') return run.endNobodyLocked('cancelled');
        if (outcome === 'expired') return run.endNobodyLocked('expired', promptExpiredMessage(settings.promptTimeoutMs));
        continue;
      }
      case 'account_lockdown': {
        if (targetUserIds.length === 0) return run.finish('failed', NO_TARGET_MESSAGE);
        // A run continued as new has been approved and contained already.
        let uncontained = resume?.uncontained ? new Set(resume.uncontained) : null;
        if (!resume) {
          run.summaryAlerts = patchApplies('lockdown-summary-alerts');
          // Nobody is touched before a second person approved.
          if (run.input.approval && !(await approval.granted(run.input.approval.timeoutMs))) return run.state();
          if (stage.actions.deactivateUser && settings.containmentFirst) uncontained = await containAll(run);
        }
        await run.markRunning();
        await new UserWindow(run, stage, uncontained).lockAll(); // may continue as new, which ends this run
        if (run.input.selfService) run.completion = selfServiceEnding(stage, run.progress());
        continue;
      }
      default:
        return unknownStageKind(stage);
    }
  }
  // The results prompt (admin runs) is the last stage shown; self-service runs end on `completion`.
  run.stageIndex = Math.min(run.stageIndex, flow.stages.length - 1);
  const ended = await run.finish(finalStatus(run.progress()));
  if (run.summaryAlerts) await writeSummary(run);
  return ended;
}
