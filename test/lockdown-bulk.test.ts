import { CANCELLED_AFTER_CONTAINMENT } from '../activities/lockdown-record';
import { createBrand } from './support/flows';
import {
  adminSession,
  bearer,
  createManyUsers,
  createUser,
  login,
  startStack,
  waitForLockdown,
  waitForLockdownRecord,
  type Stack,
} from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitUntil } from './support/wait';

let stack: Stack;
let admin: string;
let host: string;

beforeAll(async () => {
  // A small window and a low continue-as-new threshold, so modest runs exercise both.
  stack = await startStack({ LOCKDOWN_BULK_WINDOW: '10', LOCKDOWN_CONTINUE_AS_NEW_AFTER: '40' });
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(() => stack?.stop());

const lock = (key: string, body: object) => startLockdown(stack, key, body, host);
const eventsOf = (lockdownId: string) => stack.db.event.findMany({ where: { lockdownId, action: 'account_lockdown_triggered' } });

describe('bulk lockdowns', () => {
  it('when two users are locked in one request, then both are locked and each has its event', async () => {
    const [a, b] = [await createUser(stack.db), await createUser(stack.db)];
    const started = await lock(admin, { users: [a.id, b.id, a.id], reason: 'shared credentials leaked' });
    expect(started.status).toBe(201);
    const finished = await waitForLockdown(stack, admin, started.body.id);
    expect(finished.progress).toMatchObject({ total: 2, locked: 2, failed: 0 });
    expect(finished.results.map((result: { username: string }) => result.username)).toEqual([a.username, b.username]);
    expect(finished.stage.fields[0].initialValue).toBe(`Successfully locked down ${a.username};Successfully locked down ${b.username};`);
    const events = await eventsOf(started.body.id);
    expect(events.map((event) => (event.context as { affected_user: string }).affected_user).sort()).toEqual([a.username, b.username].sort());
  });

  it('when locking one user fails unexpectedly, then the other is still locked and only it gets an event', async () => {
    const [healthy, broken] = [await createUser(stack.db), await createUser(stack.db)];
    await stack.db.session.create({ data: { userId: broken.id, keyHash: `broken-${broken.id}`, expiresAt: new Date(Date.now() + 60_000) } });
    // A real failure inside PostgreSQL: deleting this user's sessions raises an error.
    const trigger = `fail_${broken.id.replace(/-/g, '')}`;
    await stack.db.$executeRawUnsafe(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'session store unavailable for this user'; END $$`);
    await stack.db.$executeRawUnsafe(
      `CREATE TRIGGER ${trigger} BEFORE DELETE ON sessions FOR EACH ROW WHEN (OLD.user_id = '${broken.id}') EXECUTE FUNCTION ${trigger}()`,
    );
    try {
      const started = await lock(admin, { users: [broken.id, healthy.id], reason: 'one of them breaks' });
      const finished = await waitForLockdown(stack, admin, started.body.id);
      expect(finished.status).toBe('completed');
      expect(finished.progress).toMatchObject({ total: 2, locked: 1, failed: 1 });
      const byUser = Object.fromEntries(finished.results.map((result: { userId: string }) => [result.userId, result]));
      expect(byUser[healthy.id]).toMatchObject({ success: true, error: null });
      expect(byUser[broken.id]).toMatchObject({ success: false, error: expect.stringContaining('session store unavailable') });
      expect(finished.stage.fields[0].initialValue).toContain(`Failed to lock down ${broken.username}: `);
      const events = await eventsOf(started.body.id);
      expect(events.map((event) => (event.context as { affected_user: string }).affected_user)).toEqual([healthy.username]);
    } finally {
      await stack.db.$executeRawUnsafe(`DROP TRIGGER ${trigger} ON sessions`);
      await stack.db.$executeRawUnsafe(`DROP FUNCTION ${trigger}()`);
    }
  });

  it('when an admin bulk-locks a list that includes themself, then the run ends self-service with no admin results', async () => {
    const other = await createUser(stack.db);
    const self = await createUser(stack.db, { password: 'admin-two-password', isSuperuser: true });
    const session = await login(stack, self.username, 'admin-two-password');
    const response = await lock(session, { users: [other.id, self.id], reason: 'my laptop and my colleague’s were stolen' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'completed',
      selfService: true,
      stage: null,
      completion: { redirect: '/flows/default-account-lockdown-complete' },
      progress: { total: 2, locked: 2 },
    });
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);
  });

  it('when a few hundred users are locked with a small window, then the run continues as new several times and locks each once', async () => {
    const ids = await createManyUsers(stack.db, 300);
    const started = Date.now();
    const response = await lock(admin, { users: ids, reason: 'credential stuffing wave' });
    expect(response.status).toBe(201);
    const finished = await waitForLockdown(stack, admin, response.body.id, 300_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`bulk of ${ids.length} users locked in ${seconds.toFixed(1)} s (${(ids.length / seconds).toFixed(1)} users/s)`);

    expect(finished.progress).toEqual({ total: 300, locked: 300, failed: 0, cancelled: 0, pending: 0 });
    expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
    expect(await stack.db.session.count({ where: { userId: { in: ids } } })).toBe(0);
    expect(await stack.db.token.count({ where: { userId: { in: ids } } })).toBe(0);
    const events = await eventsOf(response.body.id);
    expect(events).toHaveLength(300);
    expect(new Set(events.map((event) => (event.context as { affected_user_id: string }).affected_user_id))).toEqual(new Set(ids));

    // 300 children at 40 per run: the parent ran at least 8 times.
    const runs: string[] = [];
    for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = '${response.body.workflowId}'` })) runs.push(execution.runId);
    expect(runs.length).toBeGreaterThanOrEqual(8);
  }, 330_000); // the wait above allows 300 s: a shared 2-core machine can be that slow

  it('when a running bulk lockdown is cancelled, then started users finish, the rest are cancelled', async () => {
    const ids = await createManyUsers(stack.db, 120);
    const response = await lock(admin, { users: ids, reason: 'cancel me midway' });
    let lockdown = await stack.db.lockdown.findUniqueOrThrow({ where: { id: response.body.id } });
    await waitUntil('5 users of the bulk run to be locked', async () => (await stack.db.lockdownTarget.count({ where: { lockdownId: lockdown.id, status: 'locked' } })) >= 5);
    const cancelled = await stack.http.post(`/api/v1/lockdowns/${lockdown.id}/cancel`).set(bearer(admin));
    expect(cancelled.status).toBe(200);
    lockdown = await waitForLockdownRecord(stack.db, lockdown.id);
    expect(lockdown.status).toBe('cancelled');
    const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId: lockdown.id } });
    const locked = targets.filter((target) => target.status === 'locked');
    const cancelledTargets = targets.filter((target) => target.status === 'cancelled');
    expect(locked.length + cancelledTargets.length).toBe(120);
    expect(cancelledTargets.length).toBeGreaterThan(0);
    expect(await eventsOf(lockdown.id)).toHaveLength(locked.length);
    // Containment first deactivated every target before the cancel: the ones left out stay inactive, and their results say so.
    expect(await stack.db.user.count({ where: { id: { in: cancelledTargets.map((target) => target.userId) }, isActive: true } })).toBe(0);
    expect(cancelledTargets.map((target) => target.error)).toEqual(cancelledTargets.map(() => CANCELLED_AFTER_CONTAINMENT));
  });
});
