import supertest from 'supertest';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { createLockdownService } from '../services/lockdowns';
import { createBrand } from './support/flows';
import { addSession, adminSession, bearer, createUser, login, startStack, uniqueName, waitForLockdown, waitForLockdownRecord, type Stack } from './support/stack';
import { startLockdown } from './support/lockdowns';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { waitUntil } from './support/wait';

let stack: Stack;
let admin: string;
let host: string;

beforeAll(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  ({ host } = await createBrand(stack.db));
});
afterAll(() => stack?.stop());

const lock = (key: string | null, body: object, brandHost = host) => startLockdown(stack, key, body, brandHost);

async function userWithSession(password = 'user-password-1') {
  const user = await createUser(stack.db, { password });
  return { user, session: await login(stack, user.username, password) };
}

describe('POST /api/v1/lockdowns', () => {
  it('when an admin locks one user, then 201 with the lockdown', async () => {
    const victim = await createUser(stack.db);
    const response = await lock(admin, { user: victim.id, reason: 'api test' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      selfService: false,
      actor: { username: 'admin' },
      reason: 'api test',
      workflowId: `lockdown-${response.body.id}`,
      links: { self: `/api/v1/lockdowns/${response.body.id}`, temporalUi: expect.stringContaining(`/workflows/lockdown-${response.body.id}`) },
    });
  });

  it('when an earlier lockdown of the user was abandoned at its prompt, then asking again starts a new one', async () => {
    const victim = await createUser(stack.db);
    const abandoned = await lock(admin, { user: victim.id });
    expect(abandoned.body.status).toBe('awaiting_input');
    expect((await stack.http.post(`/api/v1/lockdowns/${abandoned.body.id}/cancel`).set(bearer(admin))).body.status).toBe('cancelled');
    const again = await lock(admin, { user: victim.id, reason: 'second try' });
    expect(again.status).toBe(201);
    expect((await waitForLockdown(stack, admin, again.body.id)).progress.locked).toBe(1);
    // The abandoned one cannot be resumed: its prompt is gone.
    const late = await stack.http.post(`/api/v1/lockdowns/${abandoned.body.id}/stage`).set(bearer(admin)).send({ reason: 'too late' });
    expect(late.status).toBe(409);
  });

  it('when the same user is locked again after an earlier lockdown finished, then 409 already_locked names it; once access is restored, a new lockdown starts', async () => {
    const victim = await createUser(stack.db);
    const first = await lock(admin, { user: victim.id, reason: 'first' });
    await waitForLockdown(stack, admin, first.body.id);
    const refused = await lock(admin, { user: victim.id, reason: 'again' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'already_locked', details: [{ id: victim.id, reason: 'already_locked', lockdownId: first.body.id }] });
    expect((await stack.http.post(`/api/v1/users/${victim.id}/activate`).set(bearer(admin)).send({})).status).toBe(200);
    const second = await lock(admin, { user: victim.id, reason: 'again' });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await waitForLockdown(stack, admin, second.body.id)).status).toBe('completed');
  });

  it('when the brand has no lockdown flow, then single, bulk and self-service requests get 400 "No lockdown flow configured."', async () => {
    const { host: bare } = await createBrand(stack.db, { withFlow: false });
    const [a, b] = [await createUser(stack.db), await createUser(stack.db)];
    const { session } = await userWithSession();
    for (const [key, body] of [[admin, { user: a.id }], [admin, { users: [a.id, b.id] }], [session, {}]] as const) {
      const response = await lock(key, body, bare);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'no_lockdown_flow', message: 'No lockdown flow configured.' });
    }
    expect(await stack.db.lockdown.count({ where: { actorId: { in: [a.id, b.id] } } })).toBe(0);
  });

  it('when an operator unsets a brand’s lockdown flow through the API, then requests are refused until it is set again', async () => {
    // Uses a brand of its own, addressed by its domain, so other tests keep their flow.
    const { host: own, flowSlug } = await createBrand(stack.db);
    const brand = await stack.db.brand.findUniqueOrThrow({ where: { domain: own } });
    const victim = await createUser(stack.db);
    expect((await stack.http.patch(`/api/v1/brands/${brand.id}`).set(bearer(admin)).send({ flowLockdown: null })).status).toBe(200);
    expect((await lock(admin, { user: victim.id }, own)).body.error.message).toBe('No lockdown flow configured.');
    expect((await stack.http.patch(`/api/v1/brands/${brand.id}`).set(bearer(admin)).send({ flowLockdown: flowSlug })).body.flowLockdown).toBe(flowSlug);
    expect((await lock(admin, { user: victim.id }, own)).status).toBe(201);
  });

  it('when unauthenticated, then 401', async () => {
    const response = await lock(null, { user: (await createUser(stack.db)).id });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('not_authenticated');
  });

  it('when a user without permission locks another, then 403 and nothing is recorded', async () => {
    const { user, session } = await userWithSession();
    const victim = await createUser(stack.db);
    const response = await lock(session, { user: victim.id, reason: 'not mine' });
    expect(response.status).toBe(403);
    expect(await stack.db.lockdown.count({ where: { actorId: user.id } })).toBe(0);
  });

  it('when a user locks themself with {}, then 201 without any permission', async () => {
    const { user, session } = await userWithSession();
    const response = await lock(session, {});
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ selfService: true, status: 'awaiting_input', progress: { total: 1 } });
    expect(response.body.results[0].userId).toBe(user.id);
  });

  it('when a bulk request has change_user on only one of two targets, then 403', async () => {
    const { user, session } = await userWithSession();
    const [allowed, other] = [await createUser(stack.db), await createUser(stack.db)];
    await stack.db.permission.create({ data: { userId: user.id, permission: 'change_user', targetUserId: allowed.id } });
    expect((await lock(session, { user: allowed.id, reason: 'allowed' })).status).toBe(201);
    const response = await lock(session, { users: [allowed.id, other.id], reason: 'one too many' });
    expect(response.status).toBe(403);
  });

  it('when a bulk request by a per-user admin includes the caller, then it runs self-service', async () => {
    const { user, session } = await userWithSession();
    const colleague = await createUser(stack.db);
    for (const target of [user.id, colleague.id]) {
      await stack.db.permission.create({ data: { userId: user.id, permission: 'change_user', targetUserId: target } });
    }
    const response = await lock(session, { users: [colleague.id, user.id], reason: 'both compromised' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ selfService: true, status: 'completed', stage: null, completion: { redirect: expect.stringMatching(/^\/flows\//) } });
  });

  it('when protected or unknown ids are named, then 400 invalid_users names each one', async () => {
    const anonymous = await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } });
    const service = await createUser(stack.db, { type: 'internal_service_account' });
    const fine = await createUser(stack.db);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const response = await lock(admin, { users: [fine.id, anonymous.id, unknown, service.id, 'not-a-uuid'], reason: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_users');
    expect(response.body.error.details).toEqual([
      { id: anonymous.id, reason: 'protected' },
      { id: unknown, reason: 'not_found' },
      { id: service.id, reason: 'protected' },
      { id: 'not-a-uuid', reason: 'not_found' },
    ]);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: fine.id } })).isActive).toBe(true);
  });

  it('when more users are named than the configured maximum, then 400', async () => {
    const ids = Array.from({ length: stack.config.LOCKDOWN_MAX_TARGETS + 1 }, () => crypto.randomUUID());
    const response = await lock(admin, { users: ids, reason: 'too many' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(`At most ${stack.config.LOCKDOWN_MAX_TARGETS} users can be locked in one request.`);
  });

  it('when bad input is sent, then 400 names the field and nothing is written', async () => {
    for (const body of [{ users: 'abc' }, { reason: 5 }, { user: 'x', surprise: true }]) {
      const response = await lock(admin, body);
      expect(response.status).toBe(400);
      expect(response.body.error.details[0].field).toMatch(/^body/);
    }
    const malformed = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).set('content-type', 'application/json').send('{"user":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
  });

  it('when the same Idempotency-Key is replayed, then the same lockdown is returned; with another body, 409', async () => {
    const victim = await createUser(stack.db);
    const key = uniqueName('idem');
    const first = await lock(admin, { user: victim.id, reason: 'once' }).set('Idempotency-Key', key);
    expect(first.status).toBe(201);
    const replay = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'once' });
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    const conflict = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'twice' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    expect(await stack.db.lockdown.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it('when the victim’s session is used right after the lockdown completes, then it is already dead', async () => {
    const { user, session } = await userWithSession('stolen-password');
    const started = await lock(admin, { user: user.id, reason: 'stolen session' });
    // Polled tightly: the session must be dead the moment the lockdown reads completed.
    await waitUntil(
      'the lockdown to read completed',
      async () => (await stack.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(admin))).body.status === 'completed',
      60_000,
      10,
    );
    expect((await stack.http.get('/api/v1/me').set(bearer(session))).status).toBe(401);
    expect((await stack.http.get('/api/v1/me').set('Cookie', `lockdown_session=${session}`)).status).toBe(401);
  });
});

describe('when the API died between recording a lockdown and starting its workflow', () => {
  it('then the next API start runs it from the record, once', async () => {
    const victim = await createUser(stack.db);
    const adminUser = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const started = await lock(admin, { user: victim.id });
    const flowSnapshot = (await stack.db.lockdown.findUniqueOrThrow({ where: { id: started.body.id } })).flowSnapshot as object;
    // What the dead request left: the record and its target, but no workflow.
    const lockdownId = crypto.randomUUID();
    await stack.db.lockdown.create({
      data: {
        id: lockdownId,
        actorId: adminUser.id,
        actorUsername: 'admin',
        reason: 'recorded before a crash',
        selfService: false,
        flowSlug: 'restored',
        flowSnapshot,
        workflowId: `lockdown-${lockdownId}`,
        createdAt: new Date(Date.now() - 60_000),
        targets: { create: { userId: victim.id, username: victim.username, position: 0 } },
      },
    });
    const service = createLockdownService({ db: stack.db, temporal: stack.temporal, config: stack.config, logger: createLogger('silent') });
    expect(await service.resumeUnstarted()).toBeGreaterThanOrEqual(1);
    const finished = await waitForLockdown(stack, admin, lockdownId);
    expect(finished).toMatchObject({ status: 'completed', reason: 'recorded before a crash', progress: { locked: 1 } });
    expect(await service.resumeUnstarted()).toBe(0);
    expect(await stack.db.event.count({ where: { lockdownId, action: 'account_lockdown_triggered' } })).toBe(1);
  });
});

describe('when Temporal cannot be reached at start', () => {
  // The API talks to Temporal through a real TCP hop the test cuts; the worker does not.
  let proxy: TcpProxy;
  let temporal: Awaited<ReturnType<typeof createTemporalClient>>;
  let http: ReturnType<typeof supertest>;
  let service: ReturnType<typeof createLockdownService>;
  beforeAll(async () => {
    const [hostname, port] = stack.config.TEMPORAL_ADDRESS.split(':');
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    const config = { ...stack.config, TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`, API_WORKFLOW_DEADLINE_MS: 2_000 };
    temporal = await createTemporalClient(config);
    http = supertest(createApp({ config, db: stack.db, temporal, logger: createLogger('silent') }));
    service = createLockdownService({ db: stack.db, temporal, config, logger: createLogger('silent') });
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await temporal?.connection.close();
    await proxy?.close();
  });

  it('then the lockdown stays recorded (never deleted: Temporal may hold its workflow), and a retry with the same key runs it once', async () => {
    const victim = await createUser(stack.db);
    const key = uniqueName('outage');
    const send = () => http.post('/api/v1/lockdowns').set('Host', host).set(bearer(admin)).set('Idempotency-Key', key).send({ user: victim.id, reason: 'temporal unreachable' });
    proxy.cut();
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('temporal_unavailable');
    const recorded = await stack.db.lockdown.findMany({ where: { idempotencyKey: key } });
    expect(recorded.map((lockdown) => ({ status: lockdown.status, runId: lockdown.runId }))).toEqual([{ status: 'pending', runId: null }]);
    expect(refused.body.error.message).toContain(recorded[0].id);

    proxy.restore();
    let retried: Awaited<ReturnType<typeof send>> | undefined;
    await waitUntil('a retry through the restored connection', async () => (retried = await send()).status === 200, 60_000, 500);
    expect(retried!.body.id).toBe(recorded[0].id);
    expect((await waitForLockdown(stack, admin, recorded[0].id)).progress.locked).toBe(1);
    expect(await stack.db.event.count({ where: { lockdownId: recorded[0].id, action: 'account_lockdown_triggered' } })).toBe(1);
  });

  it('when a user is deactivated meanwhile, then its lockdown stays recorded and the resumer runs it: every credential ends', async () => {
    const victim = await createUser(stack.db);
    await addSession(stack.db, victim.id);
    proxy.cut();
    const refused = await http.patch(`/api/v1/users/${victim.id}`).set(bearer(admin)).send({ isActive: false });
    expect(refused.status).toBe(503);
    const [target] = await stack.db.lockdownTarget.findMany({ where: { userId: victim.id }, include: { lockdown: true } });
    expect(target.lockdown).toMatchObject({ status: 'pending', runId: null, cause: 'user_deactivated' });

    proxy.restore();
    // The resumer leaves young records to the requests that are starting them.
    await stack.db.lockdown.update({ where: { id: target.lockdownId }, data: { createdAt: new Date(Date.now() - 60_000) } });
    await waitUntil('the resumer to start it', async () => (await service.resumeUnstarted()) >= 1 || (await stack.db.lockdown.findUniqueOrThrow({ where: { id: target.lockdownId } })).runId !== null, 60_000, 500);
    expect(await waitForLockdownRecord(stack.db, target.lockdownId)).toMatchObject({ status: 'completed' });
    expect(await stack.db.session.count({ where: { userId: victim.id } })).toBe(0);
    expect(await stack.db.event.count({ where: { lockdownId: target.lockdownId, action: 'account_lockdown_triggered' } })).toBe(1);
  });
});

describe('reading lockdowns', () => {
  it('lists with filters and cursor paging, pages results, and returns the Temporal history with children', async () => {
    const [a, b, c] = [await createUser(stack.db), await createUser(stack.db), await createUser(stack.db)];
    const started = await lock(admin, { users: [a.id, b.id, c.id], reason: 'read me' });
    await waitForLockdown(stack, admin, started.body.id);

    const byTarget = await stack.http.get('/api/v1/lockdowns').query({ target: b.id }).set(bearer(admin));
    expect(byTarget.body.items.map((item: { id: string }) => item.id)).toEqual([started.body.id]);
    const pageOne = await stack.http.get('/api/v1/lockdowns').query({ status: 'completed', limit: 1 }).set(bearer(admin));
    expect(pageOne.body.items).toHaveLength(1);
    const pageTwo = await stack.http.get('/api/v1/lockdowns').query({ status: 'completed', limit: 1, cursor: pageOne.body.nextCursor }).set(bearer(admin));
    expect(pageTwo.body.items[0].id).not.toBe(pageOne.body.items[0].id);

    const firstResults = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/results`).query({ limit: 2 }).set(bearer(admin));
    expect(firstResults.body.items.map((item: { userId: string }) => item.userId)).toEqual([a.id, b.id]);
    const rest = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/results`).query({ limit: 2, cursor: firstResults.body.nextCursor }).set(bearer(admin));
    expect(rest.body).toEqual({ items: [expect.objectContaining({ userId: c.id, success: true })], nextCursor: null });

    const history = await stack.http.get(`/api/v1/lockdowns/${started.body.id}/history`).query({ children: 'true' }).set(bearer(admin));
    expect(history.status).toBe(200);
    expect(history.body.retained).toBe(true);
    expect(history.body.runs[0].events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(history.body.children.map((child: { userId: string }) => child.userId)).toEqual([a.id, b.id, c.id]);

    const events = await stack.http.get('/api/v1/events').query({ affectedUser: a.username }).set(bearer(admin));
    expect(events.body.items[0].links.lockdown).toBe(`/api/v1/lockdowns/${started.body.id}`);
  });

  it('tells each viewer what they may do with it now (answer, cancel, read its history), as the routes decide', async () => {
    const victim = await createUser(stack.db);
    const waiting = await lock(admin, { user: victim.id });
    expect(waiting.body.status).toBe('awaiting_input');
    const viewer = async (permission: 'change_user' | 'view_audit' | null, isSuperuser = false) => {
      const password = 'viewer-password-1';
      const user = await createUser(stack.db, { password, isSuperuser });
      if (permission) await stack.db.permission.create({ data: { userId: user.id, permission } });
      return login(stack, user.username, password);
    };
    const actions = async (key: string) => {
      const { body } = await stack.http.get(`/api/v1/lockdowns/${waiting.body.id}`).set(bearer(key));
      return { answer: body.viewerMayAnswer, cancel: body.viewerMayCancel, history: body.viewerMayReadHistory };
    };
    expect(waiting.body).toMatchObject({ viewerMayAnswer: true, viewerMayCancel: true, viewerMayReadHistory: true });
    const [changeUser, auditor, superuser] = [await viewer('change_user'), await viewer('view_audit'), await viewer(null, true)];
    expect(await actions(changeUser)).toEqual({ answer: false, cancel: false, history: false });
    expect(await actions(auditor)).toEqual({ answer: false, cancel: false, history: true });
    expect(await actions(superuser)).toEqual({ answer: false, cancel: true, history: true });
    // What the view says is what the routes answer.
    expect((await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(changeUser))).status).toBe(403);
    expect((await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/stage`).set(bearer(superuser)).send({ reason: 'not mine' })).status).toBe(403);
    expect((await stack.http.get(`/api/v1/lockdowns/${waiting.body.id}/history`).set(bearer(changeUser))).status).toBe(403);
    const cancelled = await stack.http.post(`/api/v1/lockdowns/${waiting.body.id}/cancel`).set(bearer(superuser));
    expect(cancelled.body).toMatchObject({ status: 'cancelled', viewerMayCancel: false, viewerMayAnswer: false });
    expect(await actions(admin)).toEqual({ answer: false, cancel: false, history: true });
  });

  it('when someone without permission reads another’s lockdown, then it is not found', async () => {
    const victim = await createUser(stack.db);
    const started = await lock(admin, { user: victim.id, reason: 'private' });
    const { session } = await userWithSession();
    expect((await stack.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(session))).status).toBe(404);
    expect((await stack.http.get('/api/v1/events').set(bearer(session))).status).toBe(403);
  });
});

describe('when no worker answers', () => {
  it('then the API answers 503 with a clear message instead of hanging', async () => {
    const idle = await startStack({ API_WORKFLOW_DEADLINE_MS: '1500' }, { worker: false });
    try {
      const key = await adminSession(idle);
      const victim = await createUser(idle.db);
      const started = Date.now();
      const response = await idle.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(key)).send({ user: victim.id, reason: 'nobody home' });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('worker_unavailable');
      expect(Date.now() - started).toBeLessThan(10_000);
      // Temporal accepted the start: the lockdown stays recorded and runs when a worker polls.
      const recorded = await idle.db.lockdownTarget.findMany({ where: { userId: victim.id }, include: { lockdown: true } });
      expect(recorded.map((target) => target.lockdown.status)).toEqual(['pending']);
      // Its run is recorded: it is not mistaken for a lockdown whose start never reached Temporal.
      expect(recorded[0].lockdown.runId).toEqual(expect.any(String));
      const ready = await idle.http.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ database: true, temporal: true, worker: false });
    } finally {
      await idle.stop();
    }
  });
});
