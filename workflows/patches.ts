import { deprecatePatch, patched } from '@temporalio/workflow';

/**
 * Every workflow patch, declared once (README § Workflow changes and patches).
 *
 * Release v1.0.0 is the baseline: the workflows as they are there have no patch, and
 * test/histories/v1.0.0 holds their recorded histories. From then on, every change to what
 * a workflow does (which activities, children, timers, in which order, with which options)
 * runs behind a patch listed here and is retired in three steps:
 *
 *   1. `patched`    — the change runs behind `patchApplies(id)`, the old code stays in the
 *                     else branch; histories of the release are recorded under its own folder.
 *   2. `deprecated` — once no run started before `since` can still be open (see `retire`):
 *                     the old branch goes, the call becomes `patchDeprecated(id)`, and the
 *                     history folders of releases before `since` are deleted.
 *   3. removed      — once no run started before the release that deprecated it can still be
 *                     open: the call and this entry are deleted.
 *
 * Calls of `patched`/`deprecatePatch` go through here only (test/unit/workflow-patches.test.ts
 * fails on a direct call and on an entry no workflow uses).
 */
export interface WorkflowPatch {
  /** What changed and why the old runs must keep the old code. */
  why: string;
  /** The first release with the patch (its histories carry the marker). */
  since: string;
  /** When it can move to its next step: which runs must have closed first. */
  retire: string;
  stage: 'patched' | 'deprecated';
}

export const WORKFLOW_PATCHES = {
  'downstream-connectors': {
    why:
      'After its local steps, result and audit event, the per-user run plans the enabled downstream connectors (a local activity) and starts the lockdownDownstream workflow that locks the account there (issue 21). Runs started before it have no such steps in their history.',
    since: 'v1.1.0',
    retire: 'Deprecate once no per-user run started before v1.1.0 can still be open (the prompt and approval timeouts plus the run time after deploying v1.1.0 everywhere).',
    stage: 'patched',
  },
  'lockdown-summary-alerts': {
    why:
      'A lockdown that reaches its lockdown stage writes one `account_lockdown_finished` summary event when it ends and starts its notifications, ' +
      'so rules alerting per lockdown send one alert instead of one per user; it marks its record `summaryAlerts` when it starts running (before ' +
      'any per-user event), so those rules skip its per-user events. Runs started before it write no summary: their per-user events keep alerting.',
    since: 'v1.1.0',
    retire:
      'Deprecate once no lockdown started before v1.1.0 is still open (LOCKDOWN_PROMPT_TIMEOUT_SECONDS + LOCKDOWN_APPROVAL_TIMEOUT_SECONDS plus its run time after the deploy; ' +
      '`temporal workflow count --query "WorkflowType=\'lockdownFlow\' AND ExecutionStatus=\'Running\' AND StartTime < \'<deploy time>\'"` says 0).',
    stage: 'patched',
  },
} as const satisfies Record<string, WorkflowPatch>;

export type PatchId = keyof typeof WORKFLOW_PATCHES;

/** Step 1: true when this run takes the patched code (new runs, and runs that already took it). */
export function patchApplies(id: PatchId): boolean {
  return patched(id);
}

/** Step 2: the old code is gone; runs recorded with the patch still replay. */
export function patchDeprecated(id: PatchId): void {
  deprecatePatch(id);
}
