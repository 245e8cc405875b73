import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../scripts/lib/ports';
import { addSession, adminSession, bearer, createManyUsers, createUser, startStack, waitForLockdownRecord, type Stack } from './support/stack';
import { waitFor, waitUntil } from './support/wait';

/**
 * SIGTERM, as an orchestrator sends it on a rolling deploy: the worker stops polling and
 * lets in-flight work finish, then exits 0, and the run completes on another worker exactly
 * once; the API stops accepting connections, answers the request in flight, then exits 0.
 */
let stack: Stack;
const processes: ChildProcess[] = [];
const ROOT = path.resolve(__dirname, '..');

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_BULK_WINDOW: '20', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '60' }, { worker: false });
});
afterAll(async () => {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.stop();
});

function startService(entry: string, env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  processes.push(child);
  return { child, output: () => output };
}

/** Waits for a line of the service's log (a loaded machine takes many seconds to start a process). */
async function waitForOutput(service: { child: ChildProcess; output: () => string }, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const logged = async () => {
    if (pattern.test(service.output())) return true;
    if (service.child.exitCode !== null) throw new Error(`the process exited before logging ${pattern}: ${service.output()}`);
    return undefined;
  };
  await waitFor(`${pattern} in the process's log`, logged, { timeoutMs, intervalMs: 100, lastSeen: () => `its log: ${service.output()}` });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
const lockedCount = (lockdownId: string) => stack.db.lockdownTarget.count({ where: { lockdownId, status: 'locked' } });

it('when the worker gets SIGTERM during a bulk run, then it drains and exits 0, and another worker finishes every user exactly once', async () => {
  const ids = await createManyUsers(stack.db, 150);
  const first = startService('worker/main.ts');
  await waitForOutput(first, /worker polling/);
  const admin = await adminSession(stack);
  const response = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ users: ids, reason: 'rolling deploy' });
  expect(response.status).toBe(201);
  const lockdownId = response.body.id;

  await waitUntil('20 users to be locked before the SIGTERM', async () => (await lockedCount(lockdownId)) >= 20, 120_000);
  first.child.kill('SIGTERM');
  expect(await exited(first.child)).toBe(0);
  expect(first.output()).toMatch(/worker draining/);
  expect(first.output()).toMatch(/worker stopped/);
  // Nothing it had started was abandoned half-way as a failure.
  expect(await stack.db.lockdownTarget.count({ where: { lockdownId, status: 'failed' } })).toBe(0);

  startService('worker/main.ts');
  const lockdown = await waitForLockdownRecord(stack.db, lockdownId, 240_000);
  expect(lockdown.status).toBe('completed');
  const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId } });
  expect(targets.every((target) => target.status === 'locked' && target.sessionsRevoked === 1 && target.tokensRevoked === 1)).toBe(true);
  const events = await stack.db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' } });
  expect(events).toHaveLength(150);
  expect(new Set(events.map((event) => (event.context as { affected_user_id: string }).affected_user_id)).size).toBe(150);
}, 300_000);

it('when the API gets SIGTERM with a request in flight, then it refuses new connections, answers that request, and exits 0', async () => {
  const port = await freePort();
  // No worker polls this queue (nor the API's own: API_EAGER_START=false), so a self-service request waits its full SELF_SERVICE_WAIT_MS: a request in flight.
  const api = startService('api/main.ts', { PORT: String(port), TEMPORAL_TASK_QUEUE: `no-worker-${port}`, SELF_SERVICE_WAIT_MS: '3000', API_EAGER_START: 'false' });
  const base = `http://127.0.0.1:${port}`;
  await waitForOutput(api, /api listening/);

  const user = await createUser(stack.db);
  const key = await addSession(stack.db, user.id);
  const inFlight = fetch(`${base}/api/v1/lockdowns`, {
    method: 'POST',
    headers: { ...bearer(key), 'Content-Type': 'application/json' },
    body: JSON.stringify({ reason: 'my account was phished' }),
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  api.child.kill('SIGTERM');
  // It logs this, then closes its listener in the same tick.
  await waitForOutput(api, /api draining/);
  await new Promise((resolve) => setTimeout(resolve, 100));

  await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  // The request gets the API's own answer — here 503, as no worker polls — not a dropped connection.
  const answer = await inFlight;
  const body = (await answer.json()) as { id?: string; error?: { code: string } };
  expect(body.id ?? body.error?.code).toEqual(expect.any(String));
  expect(await exited(api.child)).toBe(0);
  expect(api.output()).toMatch(/api draining/);
  expect(api.output()).toMatch(/api stopped/);
}, 180_000);
