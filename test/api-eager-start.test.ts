import type { Server } from 'node:http';
import { temporal } from '@temporalio/proto';
import supertest from 'supertest';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { userLockdownWorkflowId } from '../workflows/ids';
import { connectApiToTemporal, type ApiTemporal } from '../worker/api-worker';
import { createLockdownWorker } from '../worker/create-worker';
import { createBrand } from './support/flows';
import { adminSession, bearer, createUser, startStack, waitForLockdown, type Stack } from './support/stack';
import { waitUntil } from './support/wait';

/**
 * The API process as it runs by default (api/main.ts): its client on a native connection shared
 * with its own worker, so a lockdown's first workflow task is handed to that worker in the
 * start's answer (eager workflow start). No worker process polls this stack's task queue until
 * the test starts one: what runs before that ran in the API's own worker.
 */
let stack: Stack;
let apiTemporal: ApiTemporal;
let server: Server;
let http: ReturnType<typeof supertest>;
let host: string;

beforeAll(async () => {
  stack = await startStack({ API_WORKFLOW_DEADLINE_MS: '15000' }, { worker: false });
  apiTemporal = await connectApiToTemporal({ config: stack.config, db: stack.db, logger: createLogger('silent', 'test') });
  const { temporal, eagerWorkflowStart, recordNotices } = apiTemporal;
  server = createApp({ config: stack.config, db: stack.db, temporal, logger: createLogger('silent', 'test'), eagerWorkflowStart, recordNotices }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  http = supertest(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  ({ host } = await createBrand(stack.db));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await apiTemporal?.stop();
  await stack?.stop();
});

it('when the API starts a lockdown, then its own worker runs the first task (contained, running) and only that: the per-user runs wait for a worker process, which then finishes it', async () => {
  const admin = await adminSession(stack);
  const victim = await createUser(stack.db);
  const response = await http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: victim.id, reason: 'eager start' });
  expect(response.status).toBe(201);
  expect(response.body.status).toBe('running');
  expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(false);

  // The first task started the per-user run; the API's worker never polls, so its task waits, untaken, for a worker process.
  const child = stack.temporal.workflow.getHandle(userLockdownWorkflowId(response.body.id, victim.id));
  await waitUntil('the per-user run to be started', async () => (await child.describe().then(() => true, () => false)));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await child.describe()).raw.pendingWorkflowTask?.state).toBe(temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED);
  expect(await stack.db.lockdownTarget.findMany({ where: { lockdownId: response.body.id }, select: { status: true } })).toEqual([{ status: 'pending' }]);

  const worker = await createLockdownWorker({ config: stack.config, db: stack.db, logger: createLogger('silent', 'test'), workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH });
  const running = worker.worker.run();
  try {
    const finished = await waitForLockdown(stack, admin, response.body.id, 120_000);
    expect(finished).toMatchObject({ status: 'completed', progress: { total: 1, locked: 1 } });
  } finally {
    worker.worker.shutdown();
    await running;
    await worker.connection.close();
  }
}, 180_000);
