import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { DownstreamSummary } from '../../domain/connectors';
import { downstreamRetryWorkflowId, downstreamWorkflowId } from '../../workflows/ids';
import type { LockdownFlowState } from '../../workflows/types';
import { waitUntil } from '../support/wait';
import { startTimeSkippingEnvironment, withWorker } from './environment';
import { FakeLockdownActivities } from './fake-activities';
import { lockdownInput, startLockdown } from './lockdown-input';

/**
 * The downstream step alone, on Temporal's time-skipping test server with fake activities:
 * the local lockdown never waits for a downstream system, one connector's failure leaves the
 * others' results alone, and a retry run reaches each of its users once, a few at a time. (A
 * server's pause as Temporal's next retry delay is shown on the dev server, where the retry
 * interval Temporal holds is read back: test/connectors-lockdown.test.ts.)
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnvironment();
});
afterAll(() => env?.teardown());

const keycloak = { id: 'connector-keycloak', name: 'SSO', kind: 'keycloak' as const };
const scim = { id: 'connector-scim', name: 'Tickets', kind: 'scim' as const };

it('when a downstream system hangs, then the lockdown here completes all the same, and each user’s downstream run ends once it answers', async () => {
  const input = lockdownInput(4);
  const fake = new FakeLockdownActivities(input.targetUserIds);
  fake.downstreamConnectors = [scim];
  const waiting: (() => void)[] = [];
  fake.reachDownstream = async (call) => {
    await new Promise<void>((resume) => waiting.push(resume));
    return { connectorId: call.connector.id, outcome: 'done', error: null, eventId: null, notify: false };
  };
  const summaries = await withWorker(env, fake, async (taskQueue) => {
    const state = (await (await startLockdown(env, taskQueue, input)).result()) as LockdownFlowState;
    expect(state).toMatchObject({ status: 'completed', progress: { total: 4, locked: 4 } });
    await waitUntil('every downstream call under way', async () => waiting.length === 4);
    for (const resume of waiting) resume();
    return Promise.all(input.targetUserIds.map((userId) => env.client.workflow.getHandle(downstreamWorkflowId(input.lockdownId, userId)).result() as Promise<DownstreamSummary>));
  });
  expect(summaries).toEqual(Array(4).fill({ done: 1, notFound: 0, failed: 0 }));
  expect(fake.downstreamCalls.map((call) => call.userId).sort()).toEqual(input.targetUserIds);
});

it('when one connector fails for good, then its failure is recorded with why, and the other connector’s result stands', async () => {
  const input = lockdownInput(1);
  const fake = new FakeLockdownActivities(input.targetUserIds);
  fake.downstreamConnectors = [keycloak, scim];
  fake.reachDownstream = async (call) => {
    if (call.connector.id === scim.id) throw ApplicationFailure.nonRetryable('a bug in the step', 'Bug');
    return { connectorId: call.connector.id, outcome: 'done', error: null, eventId: null, notify: false };
  };
  const summary = await withWorker(env, fake, async (taskQueue) => {
    await (await startLockdown(env, taskQueue, input)).result();
    return env.client.workflow.getHandle(downstreamWorkflowId(input.lockdownId, 'user-0')).result() as Promise<DownstreamSummary>;
  });
  expect(summary).toEqual({ done: 1, notFound: 0, failed: 1 });
  expect(fake.downstreamFailures).toEqual([{ userId: 'user-0', connectorId: scim.id, error: 'a bug in the step' }]);
});

it('when a connector is retried for 23 failed users, then each is reached once, at most 10 at a time', async () => {
  const fake = new FakeLockdownActivities([]);
  fake.retryUsers = Array.from({ length: 23 }, (_, index) => `user-${String(index).padStart(2, '0')}`);
  let atOnce = 0;
  let mostAtOnce = 0;
  fake.reachDownstream = async (call) => {
    mostAtOnce = Math.max(mostAtOnce, ++atOnce);
    await new Promise((resolve) => setTimeout(resolve, 20));
    atOnce--;
    return { connectorId: call.connector.id, outcome: call.userId.endsWith('7') ? 'not_found' : 'done', error: null, eventId: null, notify: false };
  };
  const lockdownId = 'retried-lockdown';
  const summary = await withWorker(env, fake, async (taskQueue) =>
    env.client.workflow.execute('retryDownstream', {
      taskQueue,
      workflowId: downstreamRetryWorkflowId(lockdownId, scim.id, 2),
      args: [{ lockdownId, connector: scim, run: 2, actor: { id: 'admin-id', username: 'admin' }, reason: 'fixed', clientIp: null }],
    }),
  );
  expect(summary).toEqual({ done: 21, notFound: 2, failed: 0 });
  expect(fake.downstreamCalls.map((call) => call.userId).sort()).toEqual(fake.retryUsers);
  expect(fake.downstreamCalls.every((call) => call.run === 2)).toBe(true);
  expect(mostAtOnce).toBeLessThanOrEqual(10);
});
