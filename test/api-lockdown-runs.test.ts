import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CANCELLED_AFTER_CONTAINMENT, cancelEffect, cancelledOutcome, UNDO_CANCELLED_AFTER_CONTAINMENT } from '../domain/cancellation';
import { adminSession, bearer, createManyUsers, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { waitFor } from './support/wait';

/**
 * What the console needs of a lockdown at the scale of an incident, through the API: what a
 * lockdown is (bulk, the requester among its targets), containment counted as soon as it ran,
 * results filtered and sorted on the server, and cancelling said in one set of words.
 */
let stack: Stack;
let admin: string;

beforeAll(async () => {
  // A window of two: a run held in its first users' checks leaves the others not started.
  stack = await startStack({ LOCKDOWN_BULK_WINDOW: '2' });
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

const PASSWORD = 'runs-password-1';

/** A trigger of this test's own on `table`, for the given users only. */
async function withTrigger<T>(name: string, table: 'users' | 'lockdown_targets', when: string, body: string, run: () => Promise<T>): Promise<T> {
  await stack.db.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`);
  await stack.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`);
  try {
    return await run();
  } finally {
    await stack.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await stack.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${name}()`);
  }
}
const triggerName = () => `runs_${uniqueName('t').replace(/-/g, '_')}`;
const idList = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ');

describe('what a lockdown is', () => {
  it('when an admin selects others and themself, then the lockdown says bulk with the requester included, the prompt names everyone and says they are logged out; cancelled there, it asks nothing again', async () => {
    const caller = await createUser(stack.db, { username: uniqueName('runs-caller'), password: PASSWORD });
    await stack.db.permission.create({ data: { userId: caller.id, permission: 'change_user' } });
    const key = await login(stack, caller.username, PASSWORD);
    const others = [await createUser(stack.db, { username: uniqueName('runs-anna') }), await createUser(stack.db, { username: uniqueName('runs-bert') })];
    const started = await startLockdown(stack, key, { users: [others[0].id, caller.id, others[1].id] });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'awaiting_input', finished: false, selfService: true, targetCount: 3, includesCaller: true, containment: null });
    const warning = started.body.stage.fields.find((field: { fieldKey: string }) => field.fieldKey === 'lockdown_warning').initialValue as string;
    expect(warning).toContain(`You are about to lock down 3 users, your own account (${caller.username}) among them.`);
    expect(warning).toContain('You will be logged out too.');
    expect(warning).toContain(`Users: ${others[0].username}, ${caller.username}, ${others[1].username}`);
    const reason = started.body.stage.fields.find((field: { fieldKey: string }) => field.fieldKey === 'reason');
    expect(reason.placeholder).not.toMatch(/this account/);
    expect(started.body.cancellation.effect).toBe('Nobody has been touched yet: cancelling ends the lockdown and nobody is locked.');

    const cancelled = await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(key));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', finished: true, stage: null, cancellation: { effect: null, leftDeactivated: 0, outcome: null } });
    // Listed as what it is, to whoever lists it.
    const listed = await stack.http.get(`/api/v1/lockdowns?actor=${caller.username}`).set(bearer(admin));
    expect(listed.body.items[0]).toMatchObject({ id: started.body.id, targetCount: 3, includesCaller: true });
    expect(await stack.db.user.count({ where: { id: { in: [caller.id, ...others.map((user) => user.id)] }, isActive: true } })).toBe(3);
  });
});

describe('results of a bulk run', () => {
  it('when a run ends with a failure, then containment is counted, and the results filter by status and sort on the server (failures first), page after page', async () => {
    const ids = await createManyUsers(stack.db, 7, uniqueName('runs-results'));
    const broken = ids[4];
    const done = await withTrigger(triggerName(), 'users', `OLD.id = '${broken}' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash`, "RAISE EXCEPTION 'the directory refused the password change'", async () => {
      const started = await startLockdown(stack, admin, { users: ids, reason: 'results at scale' });
      expect(started.status).toBe(201);
      return waitForLockdown(stack, admin, started.body.id);
    });
    expect(done).toMatchObject({ status: 'completed', targetCount: 7, includesCaller: false, progress: { total: 7, locked: 6, failed: 1 }, containment: { contained: 7 } });
    expect(done.containment.finishedAt).not.toBeNull();
    const results = (query: string) => stack.http.get(`/api/v1/lockdowns/${done.id}/results?${query}`).set(bearer(admin));

    const failed = await results('status=failed');
    expect(failed.body.items).toEqual([expect.objectContaining({ userId: broken, status: 'failed', error: expect.stringContaining('the directory refused the password change'), viewerMayViewUser: true })]);

    const byResult: { userId: string; status: string }[] = [];
    for (let cursor: string | null = null, pages = 0; ; pages++) {
      const page = await results(`sort=result&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      byResult.push(...page.body.items);
      cursor = page.body.nextCursor;
      if (!cursor) break;
      expect(pages).toBeLessThan(3);
    }
    expect(byResult.map((result) => result.status)).toEqual(['failed', 'locked', 'locked', 'locked', 'locked', 'locked', 'locked']);
    expect(new Set(byResult.map((result) => result.userId)).size).toBe(7);

    const descending = (await results('sort=-username&limit=50')).body.items.map((result: { username: string }) => result.username);
    expect(descending).toEqual([...descending].sort().reverse());
    // A cursor of one order is not a cursor of another.
    const positionCursor = (await results('limit=2')).body.nextCursor;
    expect((await results(`sort=username&cursor=${positionCursor}`)).status).toBe(400);
  });
});

describe('cancelling after containment', () => {
  it('when a running bulk run is cancelled, then the API says what cancelling does before, what it did after, in the words of the rows and the README', async () => {
    const ids = await createManyUsers(stack.db, 8, uniqueName('runs-cancel'));
    // The first two users (the whole window) are held in their target check, 10 s each.
    const done = await withTrigger(triggerName(), 'lockdown_targets', `OLD.user_id IN (${idList(ids.slice(0, 2))}) AND OLD.status = 'pending' AND NEW.status = 'running'`, 'PERFORM pg_sleep(10)', async () => {
      const started = await startLockdown(stack, admin, { users: ids, reason: 'cancel after containment' });
      expect(started.status).toBe(201);
      const running = await waitFor(
        'containment to have run',
        async () => {
          const body = (await stack.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(admin))).body;
          return body.status === 'running' && body.containment?.finishedAt ? body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(running.containment.contained).toBe(8);
      expect(running.cancellation.effect).toBe(cancelEffect({ status: 'running', contained: 8, total: 8 }));
      expect(running.cancellation.effect).toContain(UNDO_CANCELLED_AFTER_CONTAINMENT);
      expect((await stack.http.post(`/api/v1/lockdowns/${started.body.id}/cancel`).set(bearer(admin))).status).toBe(200);
      return waitForLockdown(stack, admin, started.body.id);
    });
    expect(done).toMatchObject({ status: 'cancelled', progress: { total: 8, locked: 2, cancelled: 6 }, cancellation: { effect: null, leftDeactivated: 6 } });
    expect(done.cancellation.outcome).toBe(cancelledOutcome({ cancelledAfterContainment: 6 }));
    const rows = (await stack.http.get(`/api/v1/lockdowns/${done.id}/results?status=cancelled`).set(bearer(admin))).body.items;
    expect(rows.map((row: { error: string }) => row.error)).toEqual(Array(6).fill(CANCELLED_AFTER_CONTAINMENT));
    // "Stay deactivated" is true: every one of them is inactive.
    expect(await stack.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
    // The README says it in the same words.
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme.includes(UNDO_CANCELLED_AFTER_CONTAINMENT)).toBe(true);
  });
});
