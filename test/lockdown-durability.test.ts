import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBrand } from './support/flows';
import { adminSession, bearer, createManyUsers, startStack, waitForLockdownRecord, type Stack } from './support/stack';

/**
 * The seed's promise: bulk lockdowns survive restarts. The worker runs as its own process
 * here, so the test can kill it without warning in the middle of a bulk run.
 */
let stack: Stack;
let admin: string;
let host: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_BULK_WINDOW: '20', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '60' }, { worker: false });
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await stack?.stop();
});

function startWorkerProcess(): ChildProcess {
  const root = path.resolve(__dirname, '..');
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker/main.ts')], {
    cwd: root,
    env: { ...process.env, TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(worker);
  return worker;
}

/** Until the worker process polls the task queue: a loaded machine takes longer to start it than the API waits on a workflow. */
async function waitForPoller(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { pollers } = await stack.temporal.workflowService.describeTaskQueue({
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: { name: stack.config.TEMPORAL_TASK_QUEUE },
      taskQueueType: 1, // workflow tasks
    });
    if ((pollers ?? []).length > 0) return;
    if (Date.now() > deadline) throw new Error('no worker polled within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const lockedCount = (lockdownId: string) => stack.db.lockdownTarget.count({ where: { lockdownId, status: 'locked' } });

it('when the worker is killed with SIGKILL during a bulk run of 200 users, then after a restart every user is locked exactly once', async () => {
  const ids = await createManyUsers(stack.db, 200);
  const first = startWorkerProcess();
  await waitForPoller();
  const response = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ users: ids, reason: 'survive a crash' });
  expect(response.status).toBe(201);
  const lockdownId = response.body.id;

  while ((await lockedCount(lockdownId)) < 30) await new Promise((resolve) => setTimeout(resolve, 50));
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const atCrash = await lockedCount(lockdownId);
  expect(atCrash).toBeLessThan(200);

  startWorkerProcess();
  const lockdown = await waitForLockdownRecord(stack.db, lockdownId, 240_000);
  expect(lockdown.status).toBe('completed');

  const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId } });
  expect(targets).toHaveLength(200);
  expect(targets.every((target) => target.status === 'locked')).toBe(true);
  expect(targets.every((target) => target.sessionsRevoked === 1 && target.tokensRevoked === 1)).toBe(true);
  expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
  const events = await stack.db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' } });
  expect(events).toHaveLength(200);
  expect(new Set(events.map((event) => (event.context as { affected_user_id: string }).affected_user_id)).size).toBe(200);
  const finished = await stack.http.get(`/api/v1/lockdowns/${lockdownId}`).set(bearer(admin));
  expect(finished.body.progress).toEqual({ total: 200, locked: 200, failed: 0, cancelled: 0, pending: 0 });
}, 300_000);
