import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import type { DownstreamStatus } from '../domain/connectors';
import { createLogger } from '../lib/logger';
import { createWorkerMetrics, type WorkerMetrics } from '../lib/metrics';
import { startKeycloak, type KeycloakServer } from '../scripts/lib/keycloak';
import { freePort } from '../scripts/lib/ports';
import { startScimServer, type ScimServer } from '../scripts/lib/scim-server';
import { createLockdownWorker } from '../worker/create-worker';
import { downstreamWorkflowId } from '../workflows/ids';
import { startHttpFaultProxy, type HttpFaultProxy } from './support/http-fault-proxy';
import { createTestRealm, type TestRealm } from './support/keycloak-realm';
import { lockAndWait, startLockdown } from './support/lockdowns';
import { privateDatabase } from './support/private-database';
import { adminSession, bearer, createUser, startStack, uniqueName, type Stack } from './support/stack';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait';

/**
 * One lockdown reaches every place the account lives: a real Keycloak (the official
 * distribution, scripts/lib/keycloak.ts) and a real SCIM 2.0 service provider (scim2-server,
 * scripts/lib/scim-server.ts) configured as connectors through the API, then users locked
 * through the API and what is left of them asked of those servers themselves.
 *
 * On a database of its own: connectors are global configuration, and every lockdown of a
 * test file sharing the database would reach them. Faults come from real hops in front of the
 * SCIM server: a TCP proxy that is cut (the server off the network, its users kept) and an
 * HTTP proxy answering 429 or 500 on demand.
 *
 * Retries here: 10 attempts, 500 ms doubling up to 2 s (CONNECTOR_* below), so a connector
 * that never answers gives up within about 20 s.
 */
const SCIM_TOKEN = 'scim-token-for-the-lockdown-tests';
const MAX_ATTEMPTS = 10;
const FINAL: DownstreamStatus[] = ['done', 'not_found', 'failed'];

let keycloak: KeycloakServer;
let realm: TestRealm;
let scim: ScimServer;
let tcp: TcpProxy;
let faults: HttpFaultProxy;
let database: { url: string; drop(): Promise<void> };
let stack: Stack;
let worker: { worker: Worker; connection: { close(): Promise<void> }; metrics: WorkerMetrics };
let running: Promise<void>;
let admin: string;

beforeAll(async () => {
  [keycloak, scim, database] = await Promise.all([startKeycloak(), startScimServer({ bearerToken: SCIM_TOKEN }), privateDatabase()]);
  realm = await createTestRealm(keycloak);
  tcp = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(scim.url).port) });
  faults = await startHttpFaultProxy(scim.url);
  stack = await startStack(
    {
      DATABASE_URL: database.url,
      // The servers listen on this machine: allowed, as an operator would allow an internal IdP.
      OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1',
      CONNECTOR_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      CONNECTOR_RETRY_INITIAL_MS: '500',
      CONNECTOR_RETRY_MAX_INTERVAL_MS: '2000',
      CONNECTOR_REQUEST_TIMEOUT_MS: '3000',
    },
    { worker: false },
  );
  // The worker of this file, with its metrics at hand.
  worker = await createLockdownWorker({ config: stack.config, db: stack.db, logger: createLogger(process.env.LOG_LEVEL ?? 'warn', 'test'), workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH, metrics: createWorkerMetrics() });
  running = worker.worker.run();
  admin = await adminSession(stack);
}, 600_000);

afterAll(async () => {
  if (worker) {
    worker.worker.shutdown();
    await running;
    await worker.connection.close();
  }
  await stack?.stop();
  await database?.drop();
  await Promise.all([faults?.close(), tcp?.close()]);
  await Promise.all([scim?.stop(), keycloak?.stop()]);
});

const api = {
  get: (path: string) => stack.http.get(path).set(bearer(admin)),
  post: (path: string, body: object = {}) => stack.http.post(path).set(bearer(admin)).send(body),
  patch: (path: string, body: object) => stack.http.patch(path).set(bearer(admin)).send(body),
};

type Connector = { id: string; name: string };

async function addConnector(body: Record<string, unknown>): Promise<Connector> {
  const response = await api.post('/api/v1/connectors', { name: uniqueName(String(body.kind)), ...body });
  expect(response.status).toBe(201);
  return response.body;
}
const keycloakConnector = (overrides: Record<string, unknown> = {}) =>
  addConnector({ kind: 'keycloak', baseUrl: realm.baseUrl, realm: realm.realm, ...realm.serviceAccount, mapping: 'email', ...overrides });
const scimConnector = (baseUrl: string, overrides: Record<string, unknown> = {}) =>
  addConnector({ kind: 'scim', baseUrl, token: SCIM_TOKEN, mapping: 'external_id', mappingAttribute: 'externalId', ...overrides });

/** Exactly these connectors take part in the next lockdowns (each test chooses its own). */
async function only(...connectors: Connector[]) {
  const ids = connectors.map((connector) => connector.id);
  await stack.db.connector.updateMany({ where: { id: { notIn: ids } }, data: { enabled: false } });
  await stack.db.connector.updateMany({ where: { id: { in: ids } }, data: { enabled: true } });
}

async function scimRequest<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${scim.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${SCIM_TOKEN}`, 'Content-Type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A local user and its SCIM account (externalId: the local id, as a provisioning client sets it). */
async function localAndScimUser() {
  const user = await createUser(stack.db);
  const created = await scimRequest<{ id: string }>('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: user.username,
    externalId: user.id,
    emails: [{ value: user.email, primary: true }],
    active: true,
  });
  expect(created.status).toBe(201);
  return { user, scimId: created.body.id };
}
const scimActive = async (id: string) => (await scimRequest<{ active?: boolean }>('GET', `/Users/${id}`)).body.active;

interface Result {
  userId: string;
  status: string;
  downstream: { connectorId: string | null; connector: string; kind: string; status: DownstreamStatus; run: number; attempts: number; actions: string[]; remoteAccountId: string | null; error: string | null }[];
}

/** The lockdown's per-user results once each user has a final result on `connectors` connectors (of `run`, 1 unless retried). */
async function downstreamSettled(lockdownId: string, connectors: number, options: { run?: number; timeoutMs?: number } = {}): Promise<Result[]> {
  let seen = 'nothing yet';
  return waitFor(
    `the downstream results of lockdown ${lockdownId}`,
    async () => {
      const response = await api.get(`/api/v1/lockdowns/${lockdownId}/results?limit=500`);
      expect(response.status).toBe(200);
      const items = response.body.items as Result[];
      seen = JSON.stringify(items.map((item) => item.downstream.map((result) => `${result.kind}:${result.status}#${result.run}/${result.attempts}`)));
      const settled = items.every((item) => item.downstream.length === connectors && item.downstream.every((result) => FINAL.includes(result.status) && result.run >= (options.run ?? 1)));
      return settled ? items : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 90_000, intervalMs: 250, lastSeen: () => seen },
  );
}

const downstreamEvents = (lockdownId: string) =>
  stack.db.event.findMany({ where: { lockdownId, action: { startsWith: 'account_lockdown_downstream' } }, orderBy: { createdAt: 'asc' } });

describe('a user with a live Keycloak session and a SCIM account', () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  let password: string;
  let keycloakId: string;
  let scimId: string;
  let keycloakC: Connector;
  let scimC: Connector;
  let lockdownId: string;
  let online: Awaited<ReturnType<TestRealm['login']>>;

  beforeAll(async () => {
    ({ user, scimId } = await localAndScimUser());
    password = `pw-${randomUUID()}`;
    keycloakId = await realm.createUser({ username: user.username, email: user.email, password });
    online = await realm.login(user.username, password);
    expect(online.status).toBe(200);
    expect((await realm.admin<unknown[]>('GET', `/users/${keycloakId}/sessions`)).body.length).toBe(1);
    keycloakC = await keycloakConnector();
    scimC = await scimConnector(scim.url);
    await only(keycloakC, scimC);
  });

  test('when an operator tests the connectors, then each reaches its server, authenticates and finds the user', async () => {
    for (const connector of [keycloakC, scimC]) {
      const checked = await api.post(`/api/v1/connectors/${connector.id}/test`, { user: user.username });
      expect(checked.status).toBe(200);
      expect(checked.body).toMatchObject({ ok: true, reachable: true, authenticated: true, userFound: true, remoteAccountId: connector === keycloakC ? keycloakId : scimId });
    }
  });

  test('when locked here, then the Keycloak session is gone, the Keycloak user disabled and the SCIM user inactive; the results, the audit events and the timeline show each connector', async () => {
    const locked = await lockAndWait(stack, admin, { user: user.id, reason: 'phished: downstream too' });
    lockdownId = locked.id;
    expect(locked).toMatchObject({ status: 'completed', progress: { total: 1, locked: 1 } });

    const [result] = await downstreamSettled(lockdownId, 2);
    expect(result.status).toBe('locked');
    expect(result.downstream).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ connectorId: keycloakC.id, kind: 'keycloak', status: 'done', run: 1, actions: ['disable', 'endSessions', 'revokeGrants'], remoteAccountId: keycloakId, error: null }),
        expect.objectContaining({ connectorId: scimC.id, kind: 'scim', status: 'done', run: 1, actions: ['disable'], remoteAccountId: scimId, error: null }),
      ]),
    );

    // Asked of the servers themselves, and tried with the user's own credentials.
    expect((await realm.admin<{ enabled: boolean }>('GET', `/users/${keycloakId}`)).body.enabled).toBe(false);
    expect((await realm.admin('GET', `/users/${keycloakId}/sessions`)).body).toEqual([]);
    expect(await realm.refresh(online.body.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await realm.login(user.username, password)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await scimActive(scimId)).toBe(false);

    // One event for the user here, and exactly one per connector.
    const events = await stack.db.event.findMany({ where: { lockdownId }, orderBy: { createdAt: 'asc' } });
    expect(events.map((event) => event.action).sort()).toEqual(['account_lockdown_downstream', 'account_lockdown_downstream', 'account_lockdown_triggered']);
    const byConnector = Object.fromEntries(events.filter((event) => event.action === 'account_lockdown_downstream').map((event) => [(event.context as { connector_id: string }).connector_id, event.context]));
    expect(byConnector[keycloakC.id]).toMatchObject({ connector: keycloakC.name, connector_kind: 'keycloak', outcome: 'done', affected_user: user.username, affected_user_id: user.id, actions: ['disable', 'endSessions', 'revokeGrants'], remote_account_id: keycloakId, run: 1, reason: 'phished: downstream too' });
    expect(byConnector[scimC.id]).toMatchObject({ connector: scimC.name, connector_kind: 'scim', outcome: 'done', actions: ['disable'], remote_account_id: scimId, run: 1 });
    // Readable in the audit log's own words.
    const listed = await api.get(`/api/v1/events?action=account_lockdown_downstream&limit=50`);
    expect(listed.body.items.filter((event: { lockdownId: string }) => event.lockdownId === lockdownId)).toHaveLength(2);

    const timeline = await api.get(`/api/v1/lockdowns/${lockdownId}/timeline`);
    expect(timeline.status).toBe(200);
    const [timelineUser] = timeline.body.users;
    expect(timelineUser.steps.map((step: { step: string }) => step.step)).toEqual(expect.arrayContaining(['planDownstream', 'downstream connectors started']));
    expect(timelineUser.downstream.map((entry: { connector: string; status: string }) => [entry.connector, entry.status]).sort()).toEqual([keycloakC.name, scimC.name].sort().map((name) => [name, 'done']));

    const view = await api.get(`/api/v1/lockdowns/${lockdownId}`);
    expect(view.body.downstream).toEqual(
      expect.arrayContaining([
        { connectorId: keycloakC.id, connector: keycloakC.name, kind: 'keycloak', pending: 0, done: 1, notFound: 0, failed: 0 },
        { connectorId: scimC.id, connector: scimC.name, kind: 'scim', pending: 0, done: 1, notFound: 0, failed: 0 },
      ]),
    );

    // Counted per connector where the calls were made (this file's worker).
    const metrics = await worker.metrics.registry.metrics();
    expect(metrics).toContain(`lockdown_connector_requests_total{connector="${keycloakC.name}",kind="keycloak",result="2xx"}`);
    expect(metrics).toContain(`lockdown_connector_outcomes_total{connector="${scimC.name}",kind="scim",outcome="done"} 1`);
    expect(metrics).toMatch(new RegExp(`lockdown_connector_request_duration_seconds_count\\{connector="${scimC.name}",kind="scim"\\} [1-9]`));
  });

  test('when access is restored, then the downstream accounts are listed and only the one asked for is enabled, audited; activating here enables nothing downstream', async () => {
    expect((await api.post(`/api/v1/users/${user.id}/activate`, { reason: 'cleared' })).status).toBe(200);
    expect((await realm.admin<{ enabled: boolean }>('GET', `/users/${keycloakId}`)).body.enabled).toBe(false);
    expect(await scimActive(scimId)).toBe(false);

    const listed = await api.get(`/api/v1/users/${user.id}/downstream`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ connectorId: keycloakC.id, remoteAccountId: keycloakId, lockdownId, deleted: false, mayEnable: true }),
        expect.objectContaining({ connectorId: scimC.id, remoteAccountId: scimId, lockdownId, deleted: false, mayEnable: true }),
      ]),
    );
    expect(listed.body.items).toHaveLength(2);

    const enabled = await api.post(`/api/v1/users/${user.id}/downstream/${keycloakC.id}/enable`, { reason: 'cleared by the SOC' });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ connectorId: keycloakC.id, remoteAccountId: keycloakId });
    expect((await realm.admin<{ enabled: boolean }>('GET', `/users/${keycloakId}`)).body.enabled).toBe(true);
    expect((await realm.login(user.username, password)).status).toBe(200);
    // What the lockdown ended stays ended.
    expect(await realm.refresh(online.body.refresh_token!)).toMatchObject({ status: 400 });
    expect(await scimActive(scimId)).toBe(false);

    const events = await stack.db.event.findMany({ where: { action: 'downstream_account_enabled', context: { path: ['affected_user_id'], equals: user.id } } });
    expect(events.map((event) => event.context)).toEqual([expect.objectContaining({ connector_id: keycloakC.id, remote_account_id: keycloakId, lockdown_ids: [lockdownId], reason: 'cleared by the SOC' })]);
    expect((await api.get(`/api/v1/users/${user.id}/downstream`)).body.items.map((item: { connectorId: string }) => item.connectorId)).toEqual([scimC.id]);
    const again = await api.post(`/api/v1/users/${user.id}/downstream/${keycloakC.id}/enable`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('nothing_to_enable');
  });
});

describe('a SCIM outage in the middle of a bulk lockdown', () => {
  test('when the SCIM server is off the network while 20 users are locked, then every user is locked here at once, and there once it is back, each exactly once', async () => {
    const viaTcp = await scimConnector(`http://127.0.0.1:${tcp.port}/v2`);
    await only(viaTcp);
    const users = await Promise.all(Array.from({ length: 20 }, () => localAndScimUser()));
    tcp.cut();
    try {
      const locked = await lockAndWait(stack, admin, { users: users.map(({ user }) => user.id), reason: 'bulk during an outage' });
      expect(locked).toMatchObject({ status: 'completed', progress: { total: 20, locked: 20, failed: 0 } });
      expect(await stack.db.user.count({ where: { id: { in: users.map(({ user }) => user.id) }, isActive: true } })).toBe(0);
      // Downstream is still trying: retried, with the reason, nobody given up on.
      await waitFor('every user retried on the SCIM connector', async () => {
        const rows = await stack.db.downstreamResult.findMany({ where: { lockdownId: locked.id } });
        return rows.length === 20 && rows.every((row) => row.attempts >= 2 && !FINAL.includes(row.status as DownstreamStatus)) ? rows : undefined;
      });
      const waiting = await stack.db.downstreamResult.findMany({ where: { lockdownId: locked.id } });
      expect(waiting.every((row) => /^The SCIM server is unreachable/.test(row.error ?? ''))).toBe(true);
      for (const { scimId } of users) expect(await scimActive(scimId)).toBe(true);
      tcp.restore();

      const results = await downstreamSettled(locked.id, 1);
      expect(results.map((result) => result.downstream[0]).every((result) => result.status === 'done' && result.run === 1 && result.attempts >= 2 && result.attempts <= MAX_ATTEMPTS)).toBe(true);
      for (const { scimId } of users) expect(await scimActive(scimId)).toBe(false);
      const events = await downstreamEvents(locked.id);
      expect(events.map((event) => event.action)).toEqual(Array(20).fill('account_lockdown_downstream'));
      expect(new Set(events.map((event) => (event.context as { affected_user_id: string }).affected_user_id))).toEqual(new Set(users.map(({ user }) => user.id)));
    } finally {
      tcp.restore();
    }
  });
});

describe('bad input downstream: each a clear result, nothing lost, no retry storm', () => {
  test('when the SCIM token is wrong, then the result fails at once with the refusal; fixed and retried for that connector alone, the user is locked there, audited once per run', async () => {
    const wrong = await scimConnector(scim.url, { token: 'not-the-token' });
    await only(wrong);
    const { user, scimId } = await localAndScimUser();
    const locked = await lockAndWait(stack, admin, { user: user.id, reason: 'wrong token' });
    expect(locked.status).toBe('completed');
    const [first] = await downstreamSettled(locked.id, 1);
    expect(first.downstream[0]).toMatchObject({ status: 'failed', attempts: 1, run: 1, error: expect.stringMatching(/^The SCIM server answered HTTP 401 to the user search/) });
    expect((await api.get(`/api/v1/lockdowns/${locked.id}`)).body.downstream).toEqual([expect.objectContaining({ connectorId: wrong.id, failed: 1, done: 0 })]);
    expect(await scimActive(scimId)).toBe(true);

    // Nothing failed elsewhere, and a refusal while it stays wrong is said, not retried blindly.
    const nothing = await api.post(`/api/v1/lockdowns/${locked.id}/downstream/retry`, { connectorId: randomUUID() });
    expect(nothing.status).toBe(404);
    expect((await api.patch(`/api/v1/connectors/${wrong.id}`, { token: SCIM_TOKEN })).status).toBe(200);
    const retried = await api.post(`/api/v1/lockdowns/${locked.id}/downstream/retry`, { connectorId: wrong.id, reason: 'token fixed' });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ connectorId: wrong.id, run: 2, users: 1 });

    const [second] = await downstreamSettled(locked.id, 1, { run: 2 });
    expect(second.downstream[0]).toMatchObject({ status: 'done', run: 2, actions: ['disable'], remoteAccountId: scimId });
    expect(await scimActive(scimId)).toBe(false);
    const events = await downstreamEvents(locked.id);
    expect(events.map((event) => [event.action, (event.context as { run: number }).run])).toEqual([
      ['account_lockdown_downstream_failed', 1],
      ['account_lockdown_downstream', 2],
    ]);
    expect((events[1].actorSnapshot as { username: string }).username).toBe('admin');
    expect(events[1].context).toMatchObject({ reason: 'token fixed', outcome: 'done' });
    const again = await api.post(`/api/v1/lockdowns/${locked.id}/downstream/retry`, { connectorId: wrong.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('nothing_to_retry');
  });

  test('when the server answers 429 with Retry-After, then the next attempt waits what it asked, and the user is locked then', async () => {
    const throttled = await scimConnector(faults.url);
    await only(throttled);
    const { user, scimId } = await localAndScimUser();
    faults.failNext(1, 429, { 'Retry-After': '3' });
    const started = await startLockdown(stack, admin, { user: user.id, reason: 'throttled' });
    expect(started.status).toBe(201);
    // Temporal holds the attempt the server asked for: its retry interval is the Retry-After.
    const handle = stack.temporal.workflow.getHandle(downstreamWorkflowId(started.body.id, user.id));
    const pending = await waitFor('the downstream attempt after the 429', async () => {
      const description = await handle.describe().catch(() => null);
      const activity = description?.raw.pendingActivities?.find((entry) => (entry.attempt ?? 0) >= 2);
      return activity ?? undefined;
    }, { intervalMs: 50 });
    expect(pending.lastFailure?.message).toBe(`${throttled.name} answered HTTP 429; attempt 1 of ${MAX_ATTEMPTS}.`);
    expect(Number(pending.currentRetryInterval?.seconds ?? 0)).toBe(3);
    const [result] = await downstreamSettled(started.body.id, 1);
    expect(result.downstream[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect(await scimActive(scimId)).toBe(false);
  });

  test('when a storm of 500s passes, then each attempt sends one request, backing off, and the user is locked after it', async () => {
    const stormy = await scimConnector(faults.url);
    await only(stormy);
    const { user, scimId } = await localAndScimUser();
    const before = faults.requests;
    faults.failNext(4, 500);
    const locked = await lockAndWait(stack, admin, { user: user.id, reason: 'storm' });
    const [result] = await downstreamSettled(locked.id, 1);
    expect(result.downstream[0]).toMatchObject({ status: 'done', attempts: 5, error: null });
    // 4 attempts refused with one request each, then the search, the PATCH and the read-back.
    expect(faults.requests - before).toBe(4 + 3);
    expect(await scimActive(scimId)).toBe(false);
    expect((await downstreamEvents(locked.id)).map((event) => event.action)).toEqual(['account_lockdown_downstream']);
  });

  test('when the URL is unreachable, then the user is locked here at once, and downstream fails after the bounded attempts, saying why', async () => {
    const nowhere = await scimConnector(`http://127.0.0.1:${await freePort()}/v2`);
    await only(nowhere);
    const { user } = await localAndScimUser();
    const locked = await lockAndWait(stack, admin, { user: user.id, reason: 'unreachable' });
    expect(locked).toMatchObject({ status: 'completed', progress: { locked: 1 } });
    const [result] = await downstreamSettled(locked.id, 1, { timeoutMs: 120_000 });
    expect(result.downstream[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, error: `Gave up after ${MAX_ATTEMPTS} attempts: The SCIM server is unreachable (connection refused).` });
    const events = await downstreamEvents(locked.id);
    expect(events.map((event) => [event.action, (event.context as { attempts: number }).attempts])).toEqual([['account_lockdown_downstream_failed', MAX_ATTEMPTS]]);
  });

  test('when the user has no account downstream, then the result is not_found, audited as such, and nothing is left to restore', async () => {
    const connector = await scimConnector(scim.url);
    const kc = await keycloakConnector();
    await only(connector, kc);
    const user = await createUser(stack.db);
    const locked = await lockAndWait(stack, admin, { user: user.id, reason: 'nobody downstream' });
    const [result] = await downstreamSettled(locked.id, 2);
    expect(result.downstream.map((entry) => [entry.kind, entry.status, entry.attempts]).sort()).toEqual([
      ['keycloak', 'not_found', 1],
      ['scim', 'not_found', 1],
    ]);
    expect((await downstreamEvents(locked.id)).map((event) => event.action)).toEqual(['account_lockdown_downstream_not_found', 'account_lockdown_downstream_not_found']);
    expect((await api.get(`/api/v1/users/${user.id}/downstream`)).body.items).toEqual([]);
  });

  test('when a user is deleted, then the lockdown before it still disables the Keycloak account, audited after the local account is gone', async () => {
    const kc = await keycloakConnector({ mapping: 'username' });
    await only(kc);
    const user = await createUser(stack.db);
    const keycloakId = await realm.createUser({ username: user.username, email: `other-${user.email}`, password: `pw-${randomUUID()}` });
    expect((await api.get(`/api/v1/users/${user.id}`)).status).toBe(200);
    expect((await stack.http.delete(`/api/v1/users/${user.id}`).set(bearer(admin))).status).toBe(204);
    await waitFor('the Keycloak account disabled', async () => ((await realm.admin<{ enabled: boolean }>('GET', `/users/${keycloakId}`)).body.enabled === false ? true : undefined));
    const event = await waitFor('its downstream event', () => stack.db.event.findFirst({ where: { action: 'account_lockdown_downstream', context: { path: ['affected_user_id'], equals: user.id } } }).then((found) => found ?? undefined));
    expect(event.context).toMatchObject({ connector_id: kc.id, affected_user: user.username, remote_account_id: keycloakId, outcome: 'done' });
  });
});
