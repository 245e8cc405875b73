import { createBrand } from './support/flows';
import { adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';

/**
 * Requests that arrive at once: the answers stay 2xx/4xx and the records stay right.
 */
let stack: Stack;
let admin: string;

beforeAll(async () => {
  // 50 workflows started at once on a shared 2-core machine can take longer than the
  // default wait for a worker; a 503 then is the honest overload answer, not what is tested here.
  stack = await startStack({ API_WORKFLOW_DEADLINE_MS: '120000' });
  admin = await adminSession(stack);
});
afterAll(() => stack?.stop());

const statusesOf = (responses: { status: number }[]) => responses.map((response) => response.status).sort();

describe('the same Idempotency-Key sent concurrently', () => {
  it('when ten identical POST /lockdowns carry one key, then one lockdown, and every answer names it with 200/201', async () => {
    const victim = await createUser(stack.db);
    const key = uniqueName('idem');
    const send = () => stack.http.post('/api/v1/lockdowns').set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'same request, ten times' });
    const responses = await Promise.all(Array.from({ length: 10 }, send));
    expect(statusesOf(responses).filter((status) => status !== 200 && status !== 201)).toEqual([]);
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(await stack.db.lockdown.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it('when one key carries different bodies concurrently, then one lockdown, and the others 409 (never 500)', async () => {
    const victims = await Promise.all(Array.from({ length: 5 }, () => createUser(stack.db)));
    const key = uniqueName('idem');
    const responses = await Promise.all(
      victims.map((victim) => stack.http.post('/api/v1/lockdowns').set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'different bodies' })),
    );
    expect(statusesOf(responses).filter((status) => status !== 201 && status !== 409)).toEqual([]);
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409).map((response) => response.body.error.code)).toEqual(Array(4).fill('idempotency_conflict'));
    expect(await stack.db.lockdown.count({ where: { idempotencyKey: key } })).toBe(1);
  });
});

describe('two admins lock the same user at once', () => {
  it('when both requests arrive together, then both lockdowns complete, the user is locked once over, and each writes its own event', async () => {
    const password = 'second-admin-password';
    const second = await createUser(stack.db, { password, isSuperuser: true });
    const secondKey = await login(stack, second.username, password);
    const victim = await createUser(stack.db, { password: 'victim-password' });
    const [first, other] = await Promise.all(
      [admin, secondKey].map((key) => stack.http.post('/api/v1/lockdowns').set(bearer(key)).send({ user: victim.id, reason: 'seen by two admins' })),
    );
    expect([first.status, other.status]).toEqual([201, 201]);
    expect(first.body.id).not.toBe(other.body.id);
    const finished = [await waitForLockdown(stack, admin, first.body.id), await waitForLockdown(stack, secondKey, other.body.id)];
    expect(finished.map((lockdown) => lockdown.status)).toEqual(['completed', 'completed']);
    expect(finished.map((lockdown) => lockdown.progress.locked)).toEqual([1, 1]);

    const user = await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(user.isActive).toBe(false);
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    // One event per lockdown and user: two lockdowns, two events, each naming its own lockdown.
    const events = await stack.db.event.findMany({ where: { action: 'account_lockdown_triggered', context: { path: ['affected_user_id'], equals: victim.id } } });
    expect(events.map((event) => event.lockdownId).sort()).toEqual([first.body.id, other.body.id].sort());
  });
});

describe('many requests at once', () => {
  it('when 50 logins and 50 lockdowns run concurrently, then no answer is a 5xx and every lockdown completes', async () => {
    const { host } = await createBrand(stack.db);
    const password = 'concurrent-login-password';
    const loginUsers = await Promise.all(Array.from({ length: 50 }, () => createUser(stack.db, { password })));
    const victims = await Promise.all(Array.from({ length: 50 }, () => createUser(stack.db)));
    const responses = await Promise.all([
      ...loginUsers.map((user) => stack.http.post('/api/v1/auth/login').send({ username: user.username, password })),
      ...victims.map((victim) => stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).send({ user: victim.id, reason: 'fifty at once' })),
    ]);
    const [logins, lockdowns] = [responses.slice(0, 50), responses.slice(50)];
    expect(statusesOf(logins)).toEqual(Array(50).fill(200));
    expect(statusesOf(lockdowns)).toEqual(Array(50).fill(201));
    const finished = await Promise.all(lockdowns.map((response) => waitForLockdown(stack, admin, response.body.id, 180_000)));
    expect(finished.map((lockdown) => lockdown.status)).toEqual(Array(50).fill('completed'));
    expect(await stack.db.user.count({ where: { id: { in: victims.map((victim) => victim.id) }, isActive: true } })).toBe(0);
  }, 300_000);
});
