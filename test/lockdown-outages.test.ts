import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '../lib/db';
import { createLogger } from '../lib/logger';
import { freePort } from '../scripts/lib/ports';
import { startTemporalDevServer, type DevServer } from '../scripts/lib/temporal-cli';
import { createLockdownWorker } from '../worker/create-worker';
import { createBrand } from './support/flows';
import { adminSession, bearer, createManyUsers, startStack, waitForLockdownRecord, type Stack } from './support/stack';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { waitUntil } from './support/wait';

/**
 * The spec's durability promise for the services around the worker: PostgreSQL dropping
 * off the network, and the Temporal server killed and restarted on its persistent store,
 * in the middle of a bulk run. When they are back the run finishes and every user is
 * locked exactly once, with exactly one audit event.
 */
const BULK_ENV = { LOCKDOWN_BULK_WINDOW: '20', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '60' };

const lockedCount = (db: Db, lockdownId: string) => db.lockdownTarget.count({ where: { lockdownId, status: 'locked' } });

async function waitUntilLocked(db: Db, lockdownId: string, count: number): Promise<void> {
  await waitUntil(`${count} users to be locked`, async () => (await lockedCount(db, lockdownId)) >= count, 120_000);
}

async function startBulkLockdown(stack: Stack, ids: string[], reason: string): Promise<string> {
  const { host } = await createBrand(stack.db);
  const response = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(await adminSession(stack))).send({ users: ids, reason });
  expect(response.status).toBe(201);
  return response.body.id;
}

/** Completed, every target locked once (createManyUsers gives each one session and one token), one event each. */
async function expectEveryUserLockedOnce(stack: Stack, lockdownId: string, ids: string[]): Promise<void> {
  const lockdown = await waitForLockdownRecord(stack.db, lockdownId, 200_000);
  expect(lockdown.status).toBe('completed');
  const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId } });
  expect(targets).toHaveLength(ids.length);
  // The reasons of any failed target, so a misclassified outage error shows its message.
  expect(targets.filter((target) => target.status !== 'locked').map((target) => `${target.status}: ${target.error}`)).toEqual([]);
  expect(targets.filter((target) => target.sessionsRevoked !== 1 || target.tokensRevoked !== 1)).toEqual([]);
  expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
  const events = await stack.db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' } });
  expect(events).toHaveLength(ids.length);
  expect(new Set(events.map((event) => (event.context as { affected_user_id: string }).affected_user_id))).toEqual(new Set(ids));
  const finished = await stack.http.get(`/api/v1/lockdowns/${lockdownId}`).set(bearer(await adminSession(stack)));
  expect(finished.body.progress).toEqual({ total: ids.length, locked: ids.length, failed: 0, cancelled: 0, pending: 0 });
}

describe('PostgreSQL outage', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  let workerDb: Db;
  let lockdownWorker: Awaited<ReturnType<typeof createLockdownWorker>>;
  let running: Promise<void>;

  beforeAll(async () => {
    stack = await startStack(BULK_ENV, { worker: false });
    // Only the worker goes through the proxy; the API and the test's own queries do not.
    const direct = new URL(stack.config.DATABASE_URL);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.host = `127.0.0.1:${proxy.port}`;
    workerDb = createDb(proxied.toString());
    lockdownWorker = await createLockdownWorker({
      config: { ...stack.config, DATABASE_URL: proxied.toString() },
      db: workerDb,
      logger: createLogger(process.env.LOG_LEVEL ?? 'warn', 'test'),
      workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
    });
    running = lockdownWorker.worker.run();
  });
  afterAll(async () => {
    // Let a failed test's stuck activities reach the database, so the worker can drain.
    proxy?.restore();
    try {
      if (lockdownWorker) {
        lockdownWorker.worker.shutdown();
        await running;
        await lockdownWorker.connection.close();
      }
      await workerDb?.$disconnect();
    } finally {
      await proxy?.close();
      await stack?.stop();
    }
  });

  it('when the worker loses PostgreSQL for 8 s during a bulk run of 150 users, then after it is back every user is locked exactly once', async () => {
    const ids = await createManyUsers(stack.db, 150);
    const lockdownId = await startBulkLockdown(stack, ids, 'survive a database outage');
    await waitUntilLocked(stack.db, lockdownId, 30);

    proxy.cut();
    // A statement the server had already received may still commit; after that, nothing moves.
    await sleep(1000);
    const stalledAt = await lockedCount(stack.db, lockdownId);
    await sleep(7000);
    expect(await lockedCount(stack.db, lockdownId)).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(150);
    proxy.restore();

    await expectEveryUserLockedOnce(stack, lockdownId, ids);
  }, 240_000);
});

describe('Temporal server crash', () => {
  let work: string;
  let server: DevServer;
  let stack: Stack;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'lockdown-outage-temporal-'));
    server = await startTemporalDevServer({ dbFile: path.join(work, 'temporal.db'), port: await freePort(), uiPort: await freePort(), logFile: path.join(work, 'temporal.log') });
    stack = await startStack({ ...BULK_ENV, TEMPORAL_ADDRESS: server.address });
  });
  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await server?.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('when the Temporal server is killed with SIGKILL during a bulk run of 100 users and restarted on its store, then every user is locked exactly once', async () => {
    const ids = await createManyUsers(stack.db, 100);
    const lockdownId = await startBulkLockdown(stack, ids, 'survive a Temporal crash');
    await waitUntilLocked(stack.db, lockdownId, 25);

    const killed = server;
    const exited = new Promise((resolve) => killed.process.once('exit', resolve));
    killed.process.kill('SIGKILL');
    await exited;
    await sleep(3000);
    // Children already running may finish their steps meanwhile; no new one starts without the server.
    expect(await lockedCount(stack.db, lockdownId)).toBeLessThan(100);
    const port = Number(killed.address.split(':')[1]);
    const uiPort = Number(new URL(killed.uiUrl).port);
    server = await startTemporalDevServer({ dbFile: path.join(work, 'temporal.db'), port, uiPort, logFile: path.join(work, 'temporal.log') });

    await expectEveryUserLockedOnce(stack, lockdownId, ids);
  }, 240_000);
});
