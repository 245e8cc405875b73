import { invalidFields } from './prompt';
import type { FlowSnapshot } from './stages';

/**
 * The most targets a lockdown's own transaction deactivates: one statement, so the transaction
 * that records a lockdown stays short. Larger lockdowns are contained by their workflow's first
 * task instead (activities/containment.ts), within seconds.
 */
export const CONTAINED_ON_RECORD_MAX_TARGETS = 1_000;

/**
 * Whether a lockdown's run deactivates its targets before anything can hold it back: its
 * lockdown stage deactivates users with containment first, no second person has to approve
 * it, and every prompt before that stage is answered by the values sent with the request —
 * the same steps the workflow walks (workflows/lockdown-flow.ts, workflows/flow/prompt.ts).
 * Such a lockdown, up to CONTAINED_ON_RECORD_MAX_TARGETS, is contained by the transaction that
 * records it (services/lockdown-record.ts):
 * its targets' credentials are refused from the moment the lockdown exists, before Temporal
 * has its workflow; the workflow's own containment then finds them inactive.
 */
export function containedOnRecord(
  flow: FlowSnapshot,
  initialValues: Record<string, string>,
  options: { targetCount: number; needsApproval: boolean; containmentFirst: boolean },
): boolean {
  if (!options.containmentFirst || options.needsApproval || options.targetCount === 0 || options.targetCount > CONTAINED_ON_RECORD_MAX_TARGETS) return false;
  const lockdownStageIndex = flow.stages.findIndex((stage) => stage.kind === 'account_lockdown');
  const lockdownStage = flow.stages[lockdownStageIndex];
  if (lockdownStage?.kind !== 'account_lockdown' || !lockdownStage.actions.deactivateUser) return false;
  const supplied = Object.keys(initialValues).length > 0;
  return flow.stages.slice(0, lockdownStageIndex).every((stage) => stage.kind === 'prompt' && supplied && invalidFields(stage, initialValues).length === 0);
}
