import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  getExternalWorkflowHandle,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { CeilingActivities } from './activities';

/**
 * The no-op ceiling: the same shape as lockdownFlow → lockdownUser (a sliding window of
 * per-user children, ABANDON, a signal back, continue-as-new every N, the same number of
 * local activities per child) with activities that do nothing. What it reaches is what
 * Temporal and the worker allow on this machine, whatever the steps cost.
 */
const { noop } = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '30 seconds' });
const finishedSignal = defineSignal<[string]>('ceilingChildFinished');

export interface CeilingInput {
  total: number;
  window: number;
  continueAsNewAfter: number;
  steps: number;
  next?: number;
  inFlight?: string[];
}

export async function ceilingParent(input: CeilingInput): Promise<number> {
  let next = input.next ?? 0;
  const inFlight = new Set(input.inFlight ?? []);
  let startedThisRun = 0;
  setHandler(finishedSignal, (id) => void inFlight.delete(id));
  const canStart = () => next < input.total && startedThisRun < input.continueAsNewAfter;
  for (;;) {
    const batch: string[] = [];
    while (canStart() && inFlight.size < input.window) {
      const id = `${workflowInfo().workflowId}-u${next++}`;
      inFlight.add(id);
      startedThisRun++;
      batch.push(id);
    }
    await Promise.all(
      batch.map((id) =>
        startChild(ceilingChild, {
          workflowId: id,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [{ parentWorkflowId: workflowInfo().workflowId, id, steps: input.steps }],
        }),
      ),
    );
    if (next >= input.total && inFlight.size === 0) return input.total;
    if (next < input.total && startedThisRun >= input.continueAsNewAfter) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ceilingParent>({ ...input, next, inFlight: [...inFlight] });
    }
    await condition(() => inFlight.size === 0 || (canStart() && inFlight.size < input.window));
  }
}

export async function ceilingChild(input: { parentWorkflowId: string; id: string; steps: number }): Promise<void> {
  for (let step = 0; step < input.steps; step++) await noop();
  await getExternalWorkflowHandle(input.parentWorkflowId).signal(finishedSignal, input.id);
}
