import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { userLockdownWorkflowId } from '../../workflows/ids';
import type { LockdownFlowState } from '../../workflows/types';
import { waitUntil } from '../support/wait';
import { startDevServerEnvironment, withWorker } from './environment';
import { FakeLockdownActivities } from './fake-activities';
import { lockdownInput, startLockdown } from './lockdown-input';

/**
 * A per-user run ended from outside (an operator terminating it) never reports: the parent
 * sees it end and records why. On the dev server: the time-skipping server never tells a
 * parent that its child was terminated.
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startDevServerEnvironment();
});
afterAll(() => env?.teardown());

it('when a per-user run is terminated from outside, then the lockdown still ends, that user failed with why and audited', async () => {
  const input = lockdownInput(2, { settings: { window: 2 } });
  const fake = new FakeLockdownActivities(input.targetUserIds);
  fake.holdChecks();
  const state = await withWorker(env, fake, async (taskQueue) => {
    const handle = await startLockdown(env, taskQueue, input);
    await waitUntil('both users running', async () => fake.running === 2);
    await env.client.workflow.getHandle(userLockdownWorkflowId(input.lockdownId, 'user-0')).terminate('an operator ended it');
    await waitUntil('the parent to record the ended run', async () => fake.unfinished.length === 1);
    expect(fake.targets.get('user-0')).toBe('failed');
    fake.release();
    return handle.result() as Promise<LockdownFlowState>;
  });
  expect(state).toMatchObject({ status: 'completed', progress: { total: 2, locked: 1, failed: 1, pending: 0 } });
  const error = 'Its per-user run was terminated before it finished; which of its steps ran is not known: check the account.';
  expect(fake.unfinished).toEqual([{ userId: 'user-0', error }]);
  expect(fake.targets.get('user-1')).toBe('locked');
  expect(fake.events).toEqual(expect.arrayContaining([{ action: 'failed', userId: 'user-0', error }, { action: 'triggered', userId: 'user-1' }]));
});
