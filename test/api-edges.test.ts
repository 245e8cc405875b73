import type { Client } from '@temporalio/client';
import supertest from 'supertest';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { createBrand } from './support/flows';
import { addSession, addToken, adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';

/** The HTTP edges of a lockdown request and of restoring access (issue 8). */
let stack: Stack;
let admin: string;
let host: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(() => stack?.stop());

const lock = (key: string, body: object, brandHost = host) => startLockdown(stack, key, body, brandHost);

async function userWithSession(options: { isSuperuser?: boolean } = {}) {
  const password = 'edge-password-1';
  const user = await createUser(stack.db, { password, isSuperuser: options.isSuperuser });
  return { user, session: await login(stack, user.username, password) };
}

describe('Idempotency-Key under concurrency (item 4)', () => {
  it('when ten identical requests with one key arrive at once, then there is one lockdown and every answer names it', async () => {
    const victim = await createUser(stack.db);
    const key = uniqueName('race');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => lock(admin, { user: victim.id, reason: 'raced' }).set('Idempotency-Key', key)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(9);
    const ids = new Set(answers.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    expect(await stack.db.lockdown.count({ where: { idempotencyKey: key } })).toBe(1);
    expect((await waitForLockdown(stack, admin, [...ids][0])).progress.locked).toBe(1);
  });

  it('when the first request is held between recording and starting while nine replays arrive, then all ten get the one lockdown, it completes once, and nothing is deleted', async () => {
    // The first request's start waits at a gate (a real Temporal client behind it) until
    // every replay has answered: the interleaving that lost lockdowns, made certain.
    const gate = holdFirstStart(stack.temporal);
    const app = createApp({ config: { ...stack.config, API_WORKFLOW_DEADLINE_MS: 60_000 }, db: stack.db, temporal: gate.client, logger: createLogger('silent'), eagerWorkflowStart: true });
    const http = supertest(app);
    const victim = await createUser(stack.db);
    const key = uniqueName('held');
    const send = () => http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'held first request' });
    const first = send().then((response) => response);
    await gate.held;
    const replays = await Promise.all(Array.from({ length: 9 }, send));
    gate.release();
    const answers = [await first, ...replays];

    expect(answers.map((answer) => answer.status)).toEqual([201, ...Array(9).fill(200)]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    const id = answers[0].body.id as string;
    expect(await stack.db.lockdown.count({ where: { id } })).toBe(1);
    expect((await waitForLockdown(stack, admin, id)).progress).toMatchObject({ total: 1, locked: 1 });
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(false);
    expect(await stack.db.event.count({ where: { lockdownId: id, action: 'account_lockdown_triggered' } })).toBe(1);
  });

  it('when a key is replayed after its lockdown finished, then the same lockdown answers and its workflow does not run again', async () => {
    const victim = await createUser(stack.db);
    const key = uniqueName('late-replay');
    const first = await lock(admin, { user: victim.id, reason: 'replayed later' }).set('Idempotency-Key', key);
    expect(first.status).toBe(201);
    await waitForLockdown(stack, admin, first.body.id);
    const { runId } = await stack.db.lockdown.findUniqueOrThrow({ where: { id: first.body.id } });
    const replay = await lock(admin, { user: victim.id, reason: 'replayed later' }).set('Idempotency-Key', key);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: first.body.id, status: 'completed' });
    const described = await stack.temporal.workflow.getHandle(first.body.workflowId).describe();
    expect(described.runId).toBe(runId);
    expect(await stack.db.event.count({ where: { lockdownId: first.body.id, action: 'account_lockdown_triggered' } })).toBe(1);
  });

  it('when one key is raced with different bodies, then one lockdown starts and the others get a clean 409', async () => {
    const victims = await Promise.all(Array.from({ length: 5 }, () => createUser(stack.db)));
    const key = uniqueName('race-bodies');
    const answers = await Promise.all(victims.map((victim) => lock(admin, { user: victim.id, reason: 'raced bodies' }).set('Idempotency-Key', key)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.error.code)).toEqual(Array(4).fill('idempotency_conflict'));
    expect(await stack.db.lockdown.count({ where: { idempotencyKey: key } })).toBe(1);
  });
});

/**
 * A Temporal client whose first start of a workflow (a new lockdown's: eager, or update-with-start)
 * waits until `release()`; every other call goes straight to the real client.
 */
function holdFirstStart(client: Client) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (reached = resolve));
  let holding = true;
  const bind = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      if (prop !== 'start' && prop !== 'executeUpdateWithStart' && prop !== 'startUpdateWithStart') return bind(target, prop);
      const call = bind(target, prop) as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        if (holding) {
          holding = false;
          reached();
          await released;
        }
        return call(...args);
      };
    },
  });
  const gated = new Proxy(client, { get: (target, prop) => (prop === 'workflow' ? workflow : bind(target, prop)) });
  return { client: gated, held, release };
}

describe('the flow’s authentication setting at start (item 5)', () => {
  it('when the brand’s flow requires a superuser, then a change_user holder and a self-service user get 403, a superuser runs it', async () => {
    const { host: superOnly, flowSlug } = await createBrand(stack.db);
    await stack.db.flow.update({ where: { slug: flowSlug! }, data: { authentication: 'require_superuser' } });
    const victim = await createUser(stack.db);
    const { user: helpdesk, session } = await userWithSession();
    await stack.db.permission.create({ data: { userId: helpdesk.id, permission: 'change_user' } });
    const byHelpdesk = await lock(session, { user: victim.id, reason: 'not a superuser' }, superOnly);
    expect(byHelpdesk.status).toBe(403);
    expect(byHelpdesk.body.error.message).toBe(`The lockdown flow "${flowSlug}" requires a superuser.`);
    expect((await lock(session, { reason: 'myself' }, superOnly)).status).toBe(403);
    expect(await stack.db.lockdown.count({ where: { actorId: helpdesk.id } })).toBe(0);
    const { session: superSession } = await userWithSession({ isSuperuser: true });
    expect((await lock(superSession, { user: victim.id, reason: 'a superuser' }, superOnly)).status).toBe(201);
  });
});

describe('no probing (item 6)', () => {
  it('when a caller without change_user names unknown, protected or real ids, then every answer is the same 403', async () => {
    const { session } = await userWithSession();
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const real = await createUser(stack.db);
    const answers = await Promise.all(
      [[real.id], ['00000000-0000-4000-8000-000000000000'], [anonymous.id], ['not-a-uuid'], [real.id, anonymous.id]].map((users) =>
        lock(session, users.length === 1 ? { user: users[0], reason: 'probe' } : { users, reason: 'probe' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    expect(answers.map((answer) => answer.body.error.code)).toEqual(Array(5).fill('permission_denied'));
    expect(answers.map((answer) => answer.body.error.details)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('when a caller may lock, then unknown and protected ids are named', async () => {
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const response = await lock(admin, { users: [anonymous.id, '00000000-0000-4000-8000-000000000000'], reason: 'admin sees why' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([
      { id: anonymous.id, reason: 'protected' },
      { id: '00000000-0000-4000-8000-000000000000', reason: 'not_found' },
    ]);
  });
});

describe('behind a proxy (item 9)', () => {
  it('by default X-Forwarded-For is ignored; with TRUST_PROXY=loopback the recorded client IP is the real client', async () => {
    const victim = await createUser(stack.db);
    const direct = await lock(admin, { user: victim.id, reason: 'direct' }).set('X-Forwarded-For', '203.0.113.7');
    expect((await stack.db.lockdown.findUniqueOrThrow({ where: { id: direct.body.id } })).clientIp).toMatch(/127\.0\.0\.1$/);

    const proxied = await startStack({ TRUST_PROXY: 'loopback' });
    try {
      const key = await adminSession(proxied);
      const other = await createUser(proxied.db);
      const response = await proxied.http
        .post('/api/v1/lockdowns')
        .set('Host', host)
        .set(bearer(key))
        .set('X-Forwarded-For', '203.0.113.7')
        .send({ user: other.id, reason: 'through the proxy' });
      expect(response.status).toBe(201);
      expect((await proxied.db.lockdown.findUniqueOrThrow({ where: { id: response.body.id } })).clientIp).toBe('203.0.113.7');
      await waitForLockdown(proxied, key, response.body.id);
      const [event] = await proxied.db.event.findMany({ where: { lockdownId: response.body.id } });
      expect(event.clientIp).toBe('203.0.113.7');
    } finally {
      await proxied.stop();
    }
  });
});

describe('restore access is audited and safe (item 11)', () => {
  it('activate, set password and recovery link each write an event with actor, target and reason', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: 'before restore' });
    await waitForLockdown(stack, admin, started.body.id);

    const activated = await stack.http.post(`/api/v1/users/${victim.id}/activate`).set(bearer(admin)).send({ reason: 'ticket 77' });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ isActive: true, credentialsKept: { sessions: 0, tokens: 0 }, warning: null });
    // What else gives access back: the restore hints of the actions the lockdown ran (the password first).
    expect(activated.body.restoreSteps[0]).toMatch(/set_password/);
    expect((await stack.http.post(`/api/v1/users/${victim.id}/set_password`).set(bearer(admin)).send({ password: 'a-new-password-1', reason: 'ticket 77' })).status).toBe(204);
    expect((await stack.http.post(`/api/v1/users/${victim.id}/recovery_link`).set(bearer(admin)).send({})).status).toBe(201);

    const events = await stack.db.event.findMany({ where: { action: { in: ['user_activated', 'password_set', 'recovery_link_created'] }, context: { path: ['affected_user_id'], equals: victim.id } }, orderBy: { createdAt: 'asc' } });
    expect(events.map((event) => event.action)).toEqual(['user_activated', 'password_set', 'recovery_link_created']);
    expect(events.map((event) => (event.actorSnapshot as { username: string }).username)).toEqual(['admin', 'admin', 'admin']);
    expect(events.map((event) => (event.context as { reason?: string }).reason)).toEqual(['ticket 77', 'ticket 77', undefined]);
    expect(events[0].context).toMatchObject({ affected_user: victim.username, was_active: false });
  });

  it('when credentials were minted after the lockdown, then activating says they work again', async () => {
    // The stage would keep them, but a lockdown that deactivates always revokes: only credentials made afterwards survive.
    const { host: keepAll } = await createBrand(stack.db, { actions: { deleteSessions: false, revokeTokens: false } });
    const victim = await createUser(stack.db);
    await addSession(stack.db, victim.id);
    await addToken(stack.db, victim.id, 'app_password');
    const started = await lock(admin, { user: victim.id, reason: 'kept credentials' }, keepAll);
    await waitForLockdown(stack, admin, started.body.id);
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    await addSession(stack.db, victim.id);
    await addToken(stack.db, victim.id, 'app_password');
    const activated = await stack.http.post(`/api/v1/users/${victim.id}/activate`).set(bearer(admin));
    expect(activated.status).toBe(200);
    expect(activated.body.credentialsKept).toEqual({ sessions: 1, tokens: 1 });
    expect(activated.body.warning).toContain('1 session(s) and 1 token(s)');
  });

  it('when a reason contains NUL, then 400 names it and nothing changes', async () => {
    const victim = await createUser(stack.db);
    await stack.db.user.update({ where: { id: victim.id }, data: { isActive: false } });
    const response = await stack.http.post(`/api/v1/users/${victim.id}/activate`).set(bearer(admin)).send({ reason: 'a\u0000b' });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe('body.reason');
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: victim.id } })).isActive).toBe(false);
  });
});
