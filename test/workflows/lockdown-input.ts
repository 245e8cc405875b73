import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { actionsWith } from '../../domain/lockdown-actions';
import type { FlowSnapshot } from '../../domain/stages';
import { lockdownWorkflowId } from '../../workflows/ids';
import type { LockdownFlowInput } from '../../workflows/types';

export const HOUR = 3_600_000;

/** A flow like the seed's: the warning prompt with a required reason, the lockdown stage, the results. */
export const flow: FlowSnapshot = {
  slug: 'workflow-test',
  title: 'Lockdown',
  stages: [
    {
      kind: 'prompt',
      name: 'warning',
      fields: [{ fieldKey: 'reason', label: 'Reason', type: 'text_area', required: true, order: 0, placeholder: '', subText: '', initialValue: '' }],
    },
    {
      kind: 'account_lockdown',
      name: 'lockdown',
      actions: actionsWith(),
      selfServiceMessageTitle: 'Locked',
      selfServiceMessage: 'Locked',
      completionFlowSlug: null,
    },
    { kind: 'prompt', name: 'results', fields: [] },
  ],
};

/** A lockdown of `targets` users (user-0, user-1, …) with its reason given at start, the settings changed as given. */
export function lockdownInput(targets: number, changes: Partial<Omit<LockdownFlowInput, 'settings'>> & { settings?: Partial<LockdownFlowInput['settings']> } = {}): LockdownFlowInput {
  const lockdownId = randomUUID();
  const { settings, ...rest } = changes;
  return {
    lockdownId,
    actor: { id: 'admin-id', username: 'admin' },
    targetUserIds: Array.from({ length: targets }, (_, index) => `user-${index}`),
    selfService: false,
    bulk: targets > 1,
    flow,
    initialValues: { reason: 'workflow test' },
    clientIp: null,
    settings: { window: 3, continueAsNewAfter: 100, containmentFirst: true, promptTimeoutMs: HOUR, ...settings },
    ...rest,
  };
}

export function startLockdown(env: TestWorkflowEnvironment, taskQueue: string, input: LockdownFlowInput) {
  return env.client.workflow.start('lockdownFlow', { taskQueue, workflowId: lockdownWorkflowId(input.lockdownId), args: [input] });
}
