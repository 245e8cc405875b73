import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { resolveTemporalCli } from '../../scripts/lib/temporal-cli';
import { resolveTemporalTestServer } from '../../scripts/lib/temporal-test-server';
import { LOCKDOWN_ACTOR_ID, LOCKDOWN_ID, LOCKDOWN_SELF_SERVICE, LOCKDOWN_TARGET_COUNT, LOCKDOWN_TARGET_USER_ID, SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { FakeLockdownActivities } from './fake-activities';

/**
 * Workflow tests alone: Temporal's time-skipping test server (durable timers of hours fire
 * at once; scripts/lib/temporal-test-server.ts installs it once per machine) and a worker
 * running the real workflow code with fake activities — no PostgreSQL, no API.
 */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await createTimeSkipping(await resolveTemporalTestServer());
  // The per-user children carry the lockdown search attributes, which a server must know.
  const types = { Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL, Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, types[type]])),
  });
  return env;
}

/**
 * The Temporal dev server, for what the time-skipping server does not model: it never tells a
 * parent that its child was terminated (its TestWorkflowMutableState has no such event).
 * `npm test`'s own dev server when there is one (TEMPORAL_ADDRESS), else one of the Temporal CLI.
 */
export async function startDevServerEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: await resolveTemporalCli() },
      searchAttributes: [LOCKDOWN_ID, LOCKDOWN_ACTOR_ID, LOCKDOWN_SELF_SERVICE, LOCKDOWN_TARGET_COUNT, LOCKDOWN_TARGET_USER_ID],
    },
  });
}

/** The SDK's own logs at error level only (its warnings about the test server's capabilities are expected). */
function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // installed already by another test of this process
  }
}

/**
 * The SDK gives the server 5 s to listen (a constant of its core); a JVM on a machine busy
 * with other tests can miss that now and then even with its class archive: it tries again.
 */
async function createTimeSkipping(executable: string, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: executable } } });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/** The workflows as `npm test` bundled them (WORKFLOW_BUNDLE_PATH), else bundled from source. */
function workflowSource() {
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
  return bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../../workflows') };
}

/** Runs `test` while a worker on a task queue of its own executes the workflows with the fake activities. */
export async function withWorker<T>(env: TestWorkflowEnvironment, fake: FakeLockdownActivities, test: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `workflow-test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, ...workflowSource(), activities: fake.activities() });
  return worker.runUntil(test(taskQueue));
}
