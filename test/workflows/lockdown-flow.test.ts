import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { promptExpiredMessage } from '../../workflows/flow/prompt';
import { cancelSignal, lockdownStateQuery, submitPromptUpdate } from '../../workflows/messages';
import type { LockdownFlowState } from '../../workflows/types';
import { waitUntil } from '../support/wait';
import { startTimeSkippingEnvironment, withWorker } from './environment';
import { FakeLockdownActivities } from './fake-activities';
import { HOUR, lockdownInput, startLockdown } from './lockdown-input';

/**
 * lockdownFlow alone, on Temporal's time-skipping test server with fake activities: the
 * durable timers of the prompt (one hour) and of approval (a day) fire in milliseconds.
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnvironment();
});
afterAll(() => env?.teardown());

describe('a prompt nobody answers', () => {
  it('when nobody answers within the prompt timeout, then the lockdown ends expired, nobody locked, with a plain explanation', async () => {
    const input = lockdownInput(2, { initialValues: {} });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    const state = await withWorker(env, fake, async (taskQueue) => (await startLockdown(env, taskQueue, input)).result() as Promise<LockdownFlowState>);
    expect(state.status).toBe('expired');
    expect(state.error).toBe(promptExpiredMessage(HOUR));
    expect(state.error).toBe('Nobody answered the prompt within 1 hour: the lockdown expired and nobody was locked.');
    expect(state.progress).toMatchObject({ total: 2, locked: 0, cancelled: 2 });
    expect(fake.recordedStates.map((recorded) => recorded.status)).toEqual(['awaiting_input', 'expired']);
    expect(fake.lastState).toEqual({ status: 'expired', error: promptExpiredMessage(HOUR), finished: true });
    expect([...fake.targets.values()]).toEqual(['cancelled', 'cancelled']);
    expect(fake.checks.size).toBe(0);
    // Nobody was touched: no summary to alert on.
    expect(fake.summaries).toBe(0);
  });

  it('when the answer comes before the timeout, then the lockdown runs', async () => {
    const input = lockdownInput(1, { initialValues: {} });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    const state = await withWorker(env, fake, async (taskQueue) => {
      const handle = await startLockdown(env, taskQueue, input);
      await waitUntil('the prompt', async () => (await handle.query(lockdownStateQuery)).status === 'awaiting_input');
      await env.sleep(HOUR - 60_000);
      await handle.executeUpdate(submitPromptUpdate, { args: [{ reason: 'answered in time' }] });
      return handle.result() as Promise<LockdownFlowState>;
    });
    expect(state.status).toBe('completed');
    expect(state.progress).toMatchObject({ total: 1, locked: 1 });
    expect(fake.targets.get('user-0')).toBe('locked');
    expect(fake.summaries).toBe(1);
  });

  it('when the prompt is cancelled, then the lockdown ends cancelled with every target cancelled', async () => {
    const input = lockdownInput(3, { initialValues: {} });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    const state = await withWorker(env, fake, async (taskQueue) => {
      const handle = await startLockdown(env, taskQueue, input);
      await waitUntil('the prompt', async () => (await handle.query(lockdownStateQuery)).status === 'awaiting_input');
      await handle.signal(cancelSignal);
      return handle.result() as Promise<LockdownFlowState>;
    });
    expect(state).toMatchObject({ status: 'cancelled', error: null, progress: { total: 3, locked: 0, cancelled: 3 } });
    expect(fake.checks.size).toBe(0);
  });
});

describe('approval', () => {
  it('when nobody decides within the approval timeout, then the lockdown ends expired and nobody is touched', async () => {
    const input = lockdownInput(4, { approval: { timeoutMs: 24 * HOUR } });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    const state = await withWorker(env, fake, async (taskQueue) => (await startLockdown(env, taskQueue, input)).result() as Promise<LockdownFlowState>);
    expect(state).toMatchObject({ status: 'expired', progress: { total: 4, locked: 0, cancelled: 4 } });
    expect(fake.approvalOutcomes).toEqual(['expired']);
    expect(fake.recordedStates.map((recorded) => recorded.status)).toEqual(['awaiting_approval', 'expired']);
    expect(fake.checks.size).toBe(0);
  });
});

describe('the sliding window', () => {
  it('when a bulk lockdown runs, then never more than `window` users run at once, and each runs once', async () => {
    const input = lockdownInput(8, { settings: { window: 3 } });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    fake.holdChecks();
    const state = await withWorker(env, fake, async (taskQueue) => {
      const handle = await startLockdown(env, taskQueue, input);
      // The first window is held at its target checks: exactly `window` users running, no more started.
      await waitUntil('a full window', async () => fake.running === 3);
      expect((await handle.query(lockdownStateQuery)).progress).toMatchObject({ locked: 0, pending: 8 });
      expect(fake.checks.size).toBe(3);
      fake.release();
      return handle.result() as Promise<LockdownFlowState>;
    });
    expect(state).toMatchObject({ status: 'completed', progress: { total: 8, locked: 8, failed: 0, pending: 0 } });
    expect(fake.mostRunningAtOnce).toBe(3);
    expect([...fake.checks.values()]).toEqual(Array(8).fill(1));
  });

  it('when a bulk lockdown is cancelled midway, then the users started finish and the rest are cancelled', async () => {
    const input = lockdownInput(10, { settings: { window: 3 } });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    fake.holdChecks();
    const state = await withWorker(env, fake, async (taskQueue) => {
      const handle = await startLockdown(env, taskQueue, input);
      await waitUntil('a full window', async () => fake.running === 3);
      await handle.signal(cancelSignal);
      await waitUntil('the cancel to be seen', async () => {
        const history = await handle.fetchHistory();
        return (history.events ?? []).some((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'cancel');
      });
      fake.release();
      return handle.result() as Promise<LockdownFlowState>;
    });
    expect(state).toMatchObject({ status: 'cancelled', progress: { total: 10, locked: 3, cancelled: 7, pending: 0 } });
    expect(fake.checks.size).toBe(3);
  });

  it('when a bulk lockdown is larger than one run, then it continues as new, and every user is locked once', async () => {
    const input = lockdownInput(12, { settings: { window: 3, continueAsNewAfter: 5 } });
    const fake = new FakeLockdownActivities(input.targetUserIds);
    const { state, runs } = await withWorker(env, fake, async (taskQueue) => {
      const handle = await startLockdown(env, taskQueue, input);
      const result = (await handle.result()) as LockdownFlowState;
      // Follow the chain of runs from the first.
      let count = 0;
      for (let runId: string | undefined = handle.firstExecutionRunId; runId; count++) {
        const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      return { state: result, runs: count };
    });
    expect(runs).toBe(3); // 5 + 5 + 2 children
    expect(state).toMatchObject({ status: 'completed', progress: { total: 12, locked: 12, pending: 0 } });
    expect([...fake.checks.values()]).toEqual(Array(12).fill(1));
    expect(fake.mostRunningAtOnce).toBeLessThanOrEqual(3);
    // One summary for the whole lockdown, written by its last run.
    expect(fake.summaries).toBe(1);
  });
});
