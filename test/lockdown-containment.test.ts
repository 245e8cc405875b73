import { Client } from 'pg';
import { createContainmentActivities } from '../activities/containment';
import { createLogger } from '../lib/logger';
import { createLockdownWorker } from '../worker/create-worker';
import { createBrand } from './support/flows';
import { adminSession, bearer, createManyUsers, createUser, login, startStack, waitForLockdown, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitUntil } from './support/wait';

/**
 * Containment first: a lockdown deactivates all its targets in batches before the per-user
 * runs do their full steps. The per-user runs are held back here by a real PostgreSQL table
 * lock on lockdown_targets (their first step marks the target `running`), which containment
 * does not need: so what is deactivated while the lock is held was deactivated by containment.
 */
let stack: Stack;
let admin: string;
let host: string;

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_BULK_WINDOW: '5', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '20' });
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(() => stack?.stop());

const lock = (key: string, body: object) => startLockdown(stack, key, body, host);
const answer = (key: string, id: string) => stack.http.post(`/api/v1/lockdowns/${id}/stage`).set('Host', host).set(bearer(key)).send({ reason: 'containment first' });

/** Holds an EXCLUSIVE lock on lockdown_targets (reads pass, writes wait) until released. */
async function holdTargetWrites(): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: stack.config.DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE lockdown_targets IN EXCLUSIVE MODE');
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

describe('containment first', () => {
  it('when a bulk lockdown reaches its lockdown stage, then every target is inactive before any per-user run finishes, and each run still locks and audits its user', async () => {
    const ids = await createManyUsers(stack.db, 45); // over two continue-as-new runs
    const started = await lock(admin, { users: ids });
    expect(started.body.status).toBe('awaiting_input');
    const release = await holdTargetWrites();
    try {
      expect((await answer(admin, started.body.id)).status).toBe(200);
      await waitUntil('every target deactivated by containment', async () => (await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })) === 0);
      // No per-user run got past its first step: containment alone did it.
      const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId: started.body.id }, select: { status: true } });
      expect(targets.map((target) => target.status)).toEqual(ids.map(() => 'pending'));
      expect(await stack.db.session.count({ where: { userId: { in: ids } } })).toBe(ids.length);
    } finally {
      await release();
    }
    const finished = await waitForLockdown(stack, admin, started.body.id, 120_000);
    expect(finished.progress).toMatchObject({ total: ids.length, locked: ids.length, failed: 0 });
    // The per-user runs did every step after containment: sessions and tokens gone, one event each.
    expect(await stack.db.session.count({ where: { userId: { in: ids } } })).toBe(0);
    expect(await stack.db.token.count({ where: { userId: { in: ids } } })).toBe(0);
    const events = await stack.db.event.findMany({ where: { lockdownId: started.body.id, action: 'account_lockdown_triggered' } });
    expect(events).toHaveLength(ids.length);
    expect(new Set(events.map((event) => (event.context as { affected_user_id?: string; affected_user: string }).affected_user)).size).toBe(ids.length);
  });

  it('when a target may no longer be locked by the time the stage runs, then containment leaves it active and its run is refused without an event', async () => {
    const helpdesk = await createUser(stack.db, { password: 'helpdesk-password' });
    const [kept, revoked] = [await createUser(stack.db), await createUser(stack.db)];
    for (const target of [kept, revoked]) await stack.db.permission.create({ data: { userId: helpdesk.id, permission: 'change_user', targetUserId: target.id } });
    const session = await login(stack, helpdesk.username, 'helpdesk-password');
    const started = await lock(session, { users: [kept.id, revoked.id] });
    expect(started.body.status).toBe('awaiting_input');
    await stack.db.permission.deleteMany({ where: { userId: helpdesk.id, targetUserId: revoked.id } });
    expect((await answer(session, started.body.id)).status).toBe(200);
    const finished = await waitForLockdown(stack, session, started.body.id);
    expect(finished.progress).toMatchObject({ total: 2, locked: 1, failed: 1 });
    const users = await stack.db.user.findMany({ where: { id: { in: [kept.id, revoked.id] } }, select: { id: true, isActive: true } });
    expect(Object.fromEntries(users.map((user) => [user.id, user.isActive]))).toEqual({ [kept.id]: false, [revoked.id]: true });
    const events = await stack.db.event.findMany({ where: { lockdownId: started.body.id, action: { not: 'account_lockdown_finished' } } });
    expect(events.map((event) => (event.context as { affected_user: string }).affected_user)).toEqual([kept.username]);
  });

  it('when containment runs again (a retried activity), then it changes nothing more and the users stay inactive', async () => {
    const ids = await createManyUsers(stack.db, 3);
    const started = await lock(admin, { users: ids, reason: 'run twice' });
    await waitForLockdown(stack, admin, started.body.id);
    const { containTargets } = createContainmentActivities(stack.db, createLogger('silent', 'test'));
    const adminUser = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const again = await containTargets({ lockdownId: started.body.id, actorId: adminUser.id, bulk: true });
    expect(again).toEqual({ deactivated: 0, uncontained: [] });
    expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
    expect(await stack.db.event.count({ where: { lockdownId: started.body.id, action: { not: 'account_lockdown_finished' } } })).toBe(ids.length);
  });
});

describe('containment on record', () => {
  it('when a lockdown has nothing to wait for, then its targets are inactive once it is recorded, before any worker runs it; a target refused by the time it runs is still audited', async () => {
    // No worker polls this stack's task queue until the test starts one.
    const idle = await startStack({ API_WORKFLOW_DEADLINE_MS: '1500' }, { worker: false });
    let worker: Awaited<ReturnType<typeof createLockdownWorker>> | null = null;
    let running: Promise<void> | undefined;
    try {
      const { host: idleHost } = await createBrand(idle.db);
      const helpdesk = await createUser(idle.db, { password: 'helpdesk-password' });
      const [kept, revoked] = [await createUser(idle.db), await createUser(idle.db)];
      for (const target of [kept, revoked]) await idle.db.permission.create({ data: { userId: helpdesk.id, permission: 'change_user', targetUserId: target.id } });
      const session = await login(idle, helpdesk.username, 'helpdesk-password');
      const response = await startLockdown(idle, session, { users: [kept.id, revoked.id], reason: 'contained on record' }, idleHost);
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('worker_unavailable');
      const [lockdown] = await idle.db.lockdown.findMany({ where: { actorId: helpdesk.id } });
      expect(lockdown.status).toBe('pending');
      const users = await idle.db.user.findMany({ where: { id: { in: [kept.id, revoked.id] } }, select: { isActive: true } });
      expect(users.map((user) => user.isActive)).toEqual([false, false]);
      const targets = await idle.db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id }, select: { containedOnRecord: true } });
      expect(targets.map((target) => target.containedOnRecord)).toEqual([true, true]);

      // The permission on one target goes before a worker runs the lockdown: its run is refused, and audited since the account changed.
      await idle.db.permission.deleteMany({ where: { userId: helpdesk.id, targetUserId: revoked.id } });
      worker = await createLockdownWorker({ config: idle.config, db: idle.db, logger: createLogger('silent', 'test'), workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH });
      running = worker.worker.run();
      const finished = await waitForLockdown(idle, session, lockdown.id, 120_000);
      expect(finished.progress).toMatchObject({ total: 2, locked: 1, failed: 1 });
      // The summary event is written after the record reads completed: wait for the workflow's end.
      await idle.temporal.workflow.getHandle(lockdown.workflowId).result();
      const events = await idle.db.event.findMany({ where: { lockdownId: lockdown.id }, orderBy: { action: 'asc' } });
      expect(events.map((event) => [event.action, (event.context as { affected_user: string }).affected_user])).toEqual([
        ['account_lockdown_failed', revoked.username],
        ['account_lockdown_finished', undefined], // the lockdown's summary, about no one user
        ['account_lockdown_triggered', kept.username],
      ]);
    } finally {
      if (worker) {
        worker.worker.shutdown();
        await running;
        await worker.connection.close();
      }
      await idle.stop();
    }
  }, 180_000);

  it('when a lockdown waits for an answer first, then nobody is deactivated on record', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id });
    expect(started.body.status).toBe('awaiting_input');
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
    expect((await stack.db.lockdownTarget.findFirstOrThrow({ where: { lockdownId: started.body.id } })).containedOnRecord).toBe(false);
    await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set('Host', host).set(bearer(admin));
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(true);
  });
});
