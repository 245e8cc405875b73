import { randomUUID } from 'node:crypto';
import { MASKED } from '../services/audit-log';
import { freePort } from '../scripts/lib/ports';
import { startScimServer, type ScimServer } from '../scripts/lib/scim-server';
import { privateDatabase } from './support/private-database';
import { addToken, adminSession, bearer, createUser, startStack, uniqueName, type Stack } from './support/stack';

/**
 * Connectors as configuration (`/api/v1/connectors`): change_user reads and tests, a superuser
 * writes; the credential is write-only and sealed; the base URL goes through the outbound
 * policy; bad input is a 400 naming the field; every change is in the audit log with the
 * credential masked. The health check runs against a real SCIM server (scim2-server).
 * On a database of its own: connectors are global, and lockdowns of other files would reach them.
 */
const SCIM_TOKEN = 'scim-token-for-the-api-tests';
let scim: ScimServer;
let database: { url: string; drop(): Promise<void> };
let stack: Stack;
let admin: string;
/** change_user globally, not a superuser. */
let operator: string;
let plain: string;

beforeAll(async () => {
  [scim, database] = await Promise.all([startScimServer({ bearerToken: SCIM_TOKEN }), privateDatabase()]);
  stack = await startStack({ DATABASE_URL: database.url, OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1', CONNECTOR_REQUEST_TIMEOUT_MS: '2000' });
  admin = await adminSession(stack);
  const operatorUser = await createUser(stack.db);
  await stack.db.permission.create({ data: { userId: operatorUser.id, permission: 'change_user' } });
  operator = await addToken(stack.db, operatorUser.id, 'api');
  plain = await addToken(stack.db, (await createUser(stack.db)).id, 'api');
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await database?.drop();
  await scim?.stop();
});

const as = (key: string) => ({
  get: (path: string) => stack.http.get(path).set(bearer(key)),
  post: (path: string, body: object = {}) => stack.http.post(path).set(bearer(key)).send(body),
  patch: (path: string, body: object) => stack.http.patch(path).set(bearer(key)).send(body),
  delete: (path: string) => stack.http.delete(path).set(bearer(key)),
});

// The validation cases are listed before the server starts: any URL does for them.
const scimBody = (overrides: Record<string, unknown> = {}) => ({ name: uniqueName('scim'), kind: 'scim', baseUrl: scim?.url ?? 'http://127.0.0.1:9/v2', token: SCIM_TOKEN, mapping: 'username', enabled: false, ...overrides });
const keycloakBody = (overrides: Record<string, unknown> = {}) => ({
  name: uniqueName('keycloak'),
  kind: 'keycloak',
  baseUrl: 'http://127.0.0.1:8180/',
  realm: 'corp',
  clientId: 'account-lockdown',
  clientSecret: 'keycloak-client-secret',
  enabled: false,
  ...overrides,
});

const modelEvents = async (id: string) =>
  (await stack.db.event.findMany({ where: { context: { path: ['model_id'], equals: id } }, orderBy: { createdAt: 'asc' } })).map((event) => ({ action: event.action, context: event.context as Record<string, unknown> }));

describe('configuring connectors', () => {
  test('when a superuser adds a Keycloak connector, then the secret is never returned, sealed at rest, masked in the audit log; defaults fill the rest', async () => {
    const created = await as(admin).post('/api/v1/connectors', keycloakBody({ name: 'Corporate Keycloak' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Corporate Keycloak',
      kind: 'keycloak',
      baseUrl: 'http://127.0.0.1:8180/',
      realm: 'corp',
      clientId: 'account-lockdown',
      hasCredential: true,
      mapping: 'email',
      mappingAttribute: null,
      actions: ['disable', 'endSessions', 'revokeGrants'],
      enabled: false,
      viewerMayChange: true,
    });
    expect(JSON.stringify(created.body)).not.toContain('keycloak-client-secret');
    const row = await stack.db.connector.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.credentialSealed).toMatch(/^v1\./);
    expect(row.credentialSealed).not.toContain('keycloak-client-secret');
    expect(JSON.stringify((await as(admin).get(`/api/v1/connectors/${created.body.id}`)).body)).not.toContain('keycloak-client-secret');

    const changed = await as(admin).patch(`/api/v1/connectors/${created.body.id}`, { clientSecret: 'a-rotated-secret', mapping: 'external_id', mappingAttribute: 'lockdown_id' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ mapping: 'external_id', mappingAttribute: 'lockdown_id' });
    expect((await stack.db.connector.findUniqueOrThrow({ where: { id: created.body.id } })).credentialSealed).not.toBe(row.credentialSealed);
    expect((await as(admin).delete(`/api/v1/connectors/${created.body.id}`)).status).toBe(204);

    const events = await modelEvents(created.body.id);
    expect(events.map((event) => event.action)).toEqual(['model_created', 'model_updated', 'model_deleted']);
    expect(events.every((event) => event.context.model === 'connector' && event.context.name === 'Corporate Keycloak')).toBe(true);
    expect((events[0].context.diff as Record<string, unknown>).credential).toEqual({ from: null, to: MASKED });
    expect(events[1].context.diff).toEqual({ credential: { from: MASKED, to: MASKED }, mapping: { from: 'email', to: 'external_id' }, mappingAttribute: { from: null, to: 'lockdown_id' } });
    expect(JSON.stringify(events)).not.toMatch(/keycloak-client-secret|a-rotated-secret/);
  });

  test('when change_user holders read, then they see connectors but may not write; others get 403', async () => {
    const created = await as(admin).post('/api/v1/connectors', scimBody());
    expect(created.status).toBe(201);
    const listed = await as(operator).get('/api/v1/connectors?limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.viewerMayConfigure).toBe(false);
    expect(listed.body.items.find((item: { id: string }) => item.id === created.body.id)).toMatchObject({ viewerMayChange: false, hasCredential: true });
    expect((await as(operator).post('/api/v1/connectors', scimBody())).status).toBe(403);
    expect((await as(operator).patch(`/api/v1/connectors/${created.body.id}`, { enabled: true })).status).toBe(403);
    expect((await as(operator).delete(`/api/v1/connectors/${created.body.id}`)).status).toBe(403);
    for (const call of [as(plain).get('/api/v1/connectors'), as(plain).get(`/api/v1/connectors/${created.body.id}`), as(plain).post(`/api/v1/connectors/${created.body.id}/test`)]) {
      expect((await call).status).toBe(403);
    }
    expect((await stack.db.connector.findUniqueOrThrow({ where: { id: created.body.id } })).enabled).toBe(false);
  });

  test.each([
    ['a Keycloak connector without its realm', keycloakBody({ realm: undefined }), 'body.realm'],
    ['a Keycloak connector given a token', keycloakBody({ token: 'x' }), 'body.token'],
    ['a SCIM connector without its token', scimBody({ token: undefined }), 'body.token'],
    ['a SCIM connector given a realm', scimBody({ realm: 'corp' }), 'body.realm'],
    ['an action the kind does not have', scimBody({ actions: ['endSessions'] }), 'body.actions'],
    ['no action', scimBody({ actions: [] }), 'body.actions'],
    ['the external_id mapping without its attribute', scimBody({ mapping: 'external_id' }), 'body.mappingAttribute'],
    ['an attribute the SCIM filter cannot name', scimBody({ mapping: 'external_id', mappingAttribute: 'externalId or true' }), 'body.mappingAttribute'],
    ['an attribute Keycloak’s search cannot name', keycloakBody({ mapping: 'external_id', mappingAttribute: 'id:x' }), 'body.mappingAttribute'],
    ['an attribute without the external_id mapping', scimBody({ mappingAttribute: 'externalId' }), 'body.mappingAttribute'],
    ['credentials in the URL', scimBody({ baseUrl: 'https://user:pass@scim.example.org/v2' }), 'body.baseUrl'],
    ['a URL that is not http(s)', scimBody({ baseUrl: 'ftp://scim.example.org/v2' }), 'body.baseUrl'],
    ['an address the outbound policy refuses', scimBody({ baseUrl: 'http://169.254.169.254/v2' }), 'body.baseUrl'],
    ['a secret with a line break', keycloakBody({ clientSecret: 'secret\r\nX-Injected: 1' }), 'body.clientSecret'],
    ['an unknown kind', scimBody({ kind: 'ldap' }), 'body.kind'],
    ['an unknown field', scimBody({ password: 'x' }), 'body'],
  ])('when the request has %s, then 400 names the field and nothing is written', async (_what, body, field) => {
    const before = await stack.db.connector.count();
    const response = await as(admin).post('/api/v1/connectors', body);
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
    expect(await stack.db.connector.count()).toBe(before);
  });

  test('when a name is taken, then 409; a URL is stored as the outbound policy normalises it', async () => {
    const name = uniqueName('scim');
    const created = await as(admin).post('/api/v1/connectors', scimBody({ name, baseUrl: 'HTTP://127.0.0.1:9/scim/v2#fragment' }));
    expect(created.status).toBe(201);
    expect(created.body.baseUrl).toBe('http://127.0.0.1:9/scim/v2');
    const taken = await as(admin).post('/api/v1/connectors', scimBody({ name }));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('name_taken');
    expect((await as(admin).get(`/api/v1/connectors/${randomUUID()}`)).status).toBe(404);
    expect((await as(admin).get('/api/v1/connectors/not-an-id')).status).toBe(404);
  });
});

describe('the health check', () => {
  test('when the connector is right, then it reaches, authenticates and finds the user; each thing wrong is said plainly', async () => {
    const user = await createUser(stack.db);
    const created = await fetch(`${scim.url}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SCIM_TOKEN}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: user.username, emails: [{ value: user.email }], active: true }),
    });
    const remoteId = ((await created.json()) as { id: string }).id;

    const good = (await as(admin).post('/api/v1/connectors', scimBody())).body;
    const test = (id: string, body: object = { user: user.username }) => as(operator).post(`/api/v1/connectors/${id}/test`, body);
    expect((await test(good.id)).body).toMatchObject({ ok: true, reachable: true, authenticated: true, userFound: true, remoteAccountId: remoteId, user: { id: user.id, username: user.username } });
    expect((await test(good.id, { user: user.id })).body).toMatchObject({ ok: true, remoteAccountId: remoteId });

    const stranger = await createUser(stack.db);
    expect((await test(good.id, { user: stranger.username })).body).toMatchObject({ ok: false, reachable: true, authenticated: true, userFound: false, message: expect.stringContaining('no account there matches') });

    const wrongToken = (await as(admin).post('/api/v1/connectors', scimBody({ token: 'not-the-token' }))).body;
    expect((await test(wrongToken.id)).body).toMatchObject({ ok: false, reachable: true, authenticated: false, userFound: null, message: expect.stringMatching(/^The SCIM server answered HTTP 401 to the user search/) });

    const nowhere = (await as(admin).post('/api/v1/connectors', scimBody({ baseUrl: `http://127.0.0.1:${await freePort()}/v2` }))).body;
    expect((await test(nowhere.id)).body).toMatchObject({ ok: false, reachable: false, authenticated: null, message: 'The SCIM server is unreachable (connection refused).' });

    const badUser = await test(good.id, { user: 'nobody-by-this-name' });
    expect(badUser.status).toBe(400);
    expect(badUser.body.error.details[0].field).toBe('body.user');

    // Counted in the API's metrics, per connector.
    const metrics = (await stack.http.get('/metrics')).text;
    expect(metrics).toContain(`lockdown_connector_requests_total{connector="${good.name}",kind="scim",result="2xx"}`);
    expect(metrics).toContain(`lockdown_connector_requests_total{connector="${nowhere.name}",kind="scim",result="unreachable"} 1`);
    expect(metrics).toContain(`lockdown_connector_failures_total{connector="${wrongToken.name}",kind="scim"} 1`);
  });

  test('when the outbound policy refuses where a host name leads, then the check says so, and no request leaves', async () => {
    // `localhost` is judged when sent (it resolves to loopback), and this stack allows only 127.0.0.1 by address… which it resolves to:
    // so ask a stack without the allowance.
    const strict = await startStack({ DATABASE_URL: database.url });
    try {
      const connector = (await strict.http.post('/api/v1/connectors').set(bearer(admin)).send(scimBody({ baseUrl: scim.url.replace('127.0.0.1', 'localhost') }))).body;
      const checked = await strict.http.post(`/api/v1/connectors/${connector.id}/test`).set(bearer(admin)).send({ user: 'admin' });
      expect(checked.body).toMatchObject({ ok: false, reachable: false, message: 'The SCIM server is at an address the outbound policy refuses (OUTBOUND_ALLOWED_DESTINATIONS).' });
    } finally {
      await strict.stop();
    }
  });
});
