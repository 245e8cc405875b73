import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ACCOUNT_LOCKDOWN_FAILED, ACCOUNT_LOCKDOWN_TRIGGERED } from '../domain/events';
import { CAEP_EVENT_TYPES } from '../domain/security-events';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createSecurityEventActivities } from '../activities/security-events';
import { createLogger } from '../lib/logger';
import { securityEventsWorkflowId } from '../workflows/ids';
import type { NotificationSummary } from '../domain/notifications';
import { createBrand, type BrandOptions } from './support/flows';
import { closedPort } from './support/receivers';
import { addSession, adminSession, bearer, createUser, startStack, uniqueName, waitForWorkflowResult, type Stack } from './support/stack';
import { lockAndWait } from './support/lockdowns';
import { waitUntil } from './support/wait';

/**
 * OpenID Shared Signals / CAEP: every locked user is announced to the configured receivers
 * as signed Security Event Tokens pushed by RFC 8935. A real HTTP receiver on 127.0.0.1
 * fetches the API's JWKS and verifies every SET it gets, as a downstream application would.
 *
 * Receivers are global: lockdowns of other test files running meanwhile reach this file's
 * receivers too, so every assertion looks only at the SETs about this file's users, and each
 * test removes its receivers when it ends.
 */
const SESSION_REVOKED = CAEP_EVENT_TYPES['session-revoked'];
const CREDENTIAL_CHANGE = CAEP_EVENT_TYPES['credential-change'];
const MAX_ATTEMPTS = 4;

interface ReceivedSet {
  path: string;
  headers: IncomingHttpHeaders;
  token: string;
  /** What the receiver answered. */
  status: number;
}

/** How a receiver path answers: 202 always, 503 to the first push of each SET then 202, or a 400 RFC 8935 error. */
type Behaviour = 'accept' | 'unavailable-once' | 'invalid-audience' | 'chatty-400';

/** The `jti` of a SET, unverified (the receiver verifies later, as the tests need). */
const jtiOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}').jti;

/** A downstream application's push endpoint (RFC 8935), one path per receiver. */
async function startSetReceiver() {
  const received: ReceivedSet[] = [];
  const behaviours = new Map<string, Behaviour>();
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const token = Buffer.concat(chunks).toString('utf8');
      const behaviour = behaviours.get(path) ?? 'accept';
      let status = 202;
      let body = '';
      if (behaviour === 'invalid-audience') {
        status = 400;
        body = JSON.stringify({ err: 'invalid_audience', description: 'The audience is not this receiver.' });
      } else if (behaviour === 'chatty-400') {
        // What an internal service that is not a receiver says: it must never reach the delivery record.
        status = 400;
        body = JSON.stringify({ err: 'FATAL: password authentication failed for user "postgres"', description: 'internal-db.corp:5432' });
      } else if (behaviour === 'unavailable-once' && !seen.has(jtiOf(token))) {
        status = 503;
      }
      seen.add(jtiOf(token));
      received.push({ path, headers: req.headers, token, status });
      res.writeHead(status, body ? { 'Content-Type': 'application/json' } : {}).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint(behaviour: Behaviour = 'accept') {
      const path = `/events/${randomUUID()}`;
      behaviours.set(path, behaviour);
      return `http://127.0.0.1:${port}${path}`;
    },
    /** Every push to `endpoint`, in arrival order. */
    at: (endpoint: string) => received.filter((set) => set.path === new URL(endpoint).pathname),
    all: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let stack: Stack;
let admin: string;
let receiver: Awaited<ReturnType<typeof startSetReceiver>>;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
const receiversMade: string[] = [];

beforeAll(async () => {
  receiver = await startSetReceiver();
  stack = await startStack({
    // Short backoff, so retries play out in a test's time.
    NOTIFICATION_RETRY_INITIAL_MS: '50',
    NOTIFICATION_RETRY_MAX_INTERVAL_MS: '200',
    NOTIFICATION_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    // The receivers of this file listen on loopback, which the outbound address policy refuses by default.
    OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1',
  });
  admin = await adminSession(stack);
  // The receiver learns where the keys are from the transmitter's configuration, as SSF receivers do.
  const configuration = (await stack.http.get('/.well-known/ssf-configuration')).body as { issuer: string; jwks_uri: string };
  issuer = configuration.issuer;
  jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', stack.baseUrl));
});
afterAll(async () => {
  // Other test files' lockdowns must not keep pushing to this file's closed receiver.
  if (stack) await stack.db.ssfReceiver.deleteMany({ where: { id: { in: receiversMade } } });
  await stack?.stop();
  await receiver?.close();
});
afterEach(async () => {
  await stack.db.ssfReceiver.updateMany({ where: { id: { in: receiversMade } }, data: { enabled: false } });
});

const api = {
  post: (path: string, body: object, key = admin) => stack.http.post(path).set(bearer(key)).send(body),
  patch: (path: string, body: object, key = admin) => stack.http.patch(path).set(bearer(key)).send(body),
  get: (path: string, key = admin) => stack.http.get(path).set(bearer(key)),
  delete: (path: string, key = admin) => stack.http.delete(path).set(bearer(key)),
};

async function createReceiver(fields: object): Promise<{ id: string; audience: string }> {
  const audience = `https://app-${randomUUID().slice(0, 8)}.example.test`;
  const response = await api.post('/api/v1/ssf_receivers', { name: uniqueName('receiver'), audience, ...fields });
  if (response.status !== 201) throw new Error(`create receiver: ${response.status} ${JSON.stringify(response.body)}`);
  receiversMade.push(response.body.id);
  return response.body;
}

/** Locks `userIds` through a brand of its own (its stage's actions as given) and waits for the lockdown and its SETs. */
async function lock(userIds: string[], actions?: BrandOptions['actions']) {
  const { host } = await createBrand(stack.db, { actions });
  const finished = await lockAndWait(stack, admin, { users: userIds, reason: 'INC-4711: token stolen from alice@corp' }, host);
  expect(finished.progress).toMatchObject({ locked: userIds.length, failed: 0 });
  return { lockdownId: finished.id as string, summaries: await setsSettled(userIds) };
}

/** Waits until each user's audit event is written and its SET delivery workflow has ended (so nothing more can arrive). */
async function setsSettled(userIds: string[]): Promise<NotificationSummary[]> {
  const events = await Promise.all(userIds.map(lockdownEventOf));
  return Promise.all(events.map((event) => waitForWorkflowResult<NotificationSummary>(stack, securityEventsWorkflowId(event.id))));
}

async function lockdownEventOf(userId: string) {
  let event: { id: string } | null = null;
  await waitUntil(`the lockdown event of ${userId}`, async () => {
    event = await stack.db.event.findFirst({
      where: { action: { in: [ACCOUNT_LOCKDOWN_TRIGGERED, ACCOUNT_LOCKDOWN_FAILED] }, context: { path: ['affected_user_id'], equals: userId } },
      orderBy: { createdAt: 'desc' },
    });
    return event !== null;
  });
  return event!;
}

/** Verifies a SET as a receiver must: signature against the published JWKS, `typ`, issuer and audience. */
type SetClaims = JWTPayload & { sub_id: Record<string, string>; events: Record<string, Record<string, unknown>> };
async function verified(set: ReceivedSet, audience: string): Promise<SetClaims> {
  const { payload, protectedHeader } = await jwtVerify(set.token, jwks, { issuer, audience, typ: 'secevent+jwt', algorithms: ['ES256'] });
  expect(protectedHeader.kid).toEqual(expect.any(String));
  return payload as SetClaims;
}

/** The verified SETs pushed to `endpoint` about the given subjects (other files' users are ignored). */
async function setsAbout(endpoint: string, audience: string, isOurs: (subId: Record<string, string>) => boolean) {
  const sets = [];
  for (const set of receiver.at(endpoint)) {
    const claims = await verified(set, audience);
    if (isOurs(claims.sub_id)) sets.push({ set, claims });
  }
  return sets;
}

async function deliveriesOf(lockdownId: string, receiverId: string) {
  const response = await api.get(`/api/v1/security_event_deliveries?lockdownId=${lockdownId}&receiverId=${receiverId}`);
  expect(response.status).toBe(200);
  return response.body.items as { eventType: string; jti: string; status: string; attempts: number; lastError: string | null }[];
}

describe('the transmitter configuration and keys', () => {
  it('when a receiver reads /.well-known/ssf-configuration and the JWKS, then it learns the issuer, push delivery, the CAEP events and the public keys only', async () => {
    const response = await stack.http.get('/.well-known/ssf-configuration');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      spec_version: '1_0',
      issuer: stack.config.PUBLIC_URL?.replace(/\/+$/, '') ?? `http://${stack.config.HOST}:${stack.config.PORT}`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      delivery_methods_supported: ['urn:ietf:rfc:8935'],
      events_supported: [SESSION_REVOKED, CREDENTIAL_CHANGE],
      default_subjects: 'ALL',
    });
    const keys = await stack.http.get('/.well-known/jwks.json');
    expect(keys.status).toBe(200);
    expect(keys.body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys.body.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(key.d).toBeUndefined();
    }
    // The private half is stored sealed, never as a JWK in clear.
    const stored = await stack.db.ssfSigningKey.findMany();
    for (const row of stored) expect(row.privateJwkSealed).not.toContain('"d"');
  });
});

describe('receivers', () => {
  it('when a receiver is created, read, listed and changed, then its authorization header is never answered and is stored sealed', async () => {
    const secret = `Bearer ${randomUUID()}`;
    const created = await api.post('/api/v1/ssf_receivers', {
      name: uniqueName('receiver'),
      endpointUrl: 'https://app.example.test/ssf/events',
      audience: 'https://app.example.test',
      authorizationHeader: secret,
    });
    expect(created.status).toBe(201);
    receiversMade.push(created.body.id);
    expect(created.body).toMatchObject({ events: ['session-revoked', 'credential-change'], subjectFormat: 'opaque', enabled: true, hasAuthorizationHeader: true });
    const answers = [
      created,
      await api.get(`/api/v1/ssf_receivers/${created.body.id}`),
      await api.get('/api/v1/ssf_receivers?limit=500'),
      await api.patch(`/api/v1/ssf_receivers/${created.body.id}`, { subjectFormat: 'email', events: ['session-revoked'] }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([201, 200, 200, 200]);
    for (const answer of answers) {
      expect(JSON.stringify(answer.body)).not.toContain(secret.slice(7));
      expect(JSON.stringify(answer.body)).not.toContain('authorizationHeader"');
    }
    expect(answers[3].body).toMatchObject({ subjectFormat: 'email', events: ['session-revoked'], hasAuthorizationHeader: true });
    const row = await stack.db.ssfReceiver.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.authorizationHeaderSealed).not.toContain(secret.slice(7));

    const cleared = await api.patch(`/api/v1/ssf_receivers/${created.body.id}`, { authorizationHeader: null });
    expect(cleared.body.hasAuthorizationHeader).toBe(false);
    expect((await api.delete(`/api/v1/ssf_receivers/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/ssf_receivers/${created.body.id}`)).status).toBe(404);
  });

  it('when the input is wrong, then a 400 names the field; a duplicate name is a 409; without change_user a 403', async () => {
    const base = { name: uniqueName('receiver'), endpointUrl: 'https://app.example.test/events', audience: 'app' };
    const cases: [object, string][] = [
      [{ endpointUrl: 'ftp://app.example.test/events' }, 'endpointUrl'],
      [{ endpointUrl: 'not a url' }, 'endpointUrl'],
      [{ events: ['account-disabled'] }, 'events'],
      [{ events: [] }, 'events'],
      [{ subjectFormat: 'phone' }, 'subjectFormat'],
      [{ authorizationHeader: 'Bearer x\r\nX-Injected: 1' }, 'authorizationHeader'],
      [{ audience: '' }, 'audience'],
      [{ audience: 'a'.repeat(501) }, 'audience'],
    ];
    for (const [change, field] of cases) {
      const response = await api.post('/api/v1/ssf_receivers', { ...base, ...change });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.error.details)).toContain(field);
    }
    const first = await createReceiver({ ...base, enabled: false });
    expect(first).toMatchObject({ name: base.name });
    expect((await api.post('/api/v1/ssf_receivers', base)).status).toBe(409);
    expect((await api.patch(`/api/v1/ssf_receivers/${first.id}`, { endpointUrl: 'javascript:alert(1)' })).status).toBe(400);

    const plain = await createUser(stack.db);
    const plainKey = await addSession(stack.db, plain.id);
    expect((await api.get('/api/v1/ssf_receivers', plainKey)).status).toBe(403);
    expect((await api.post('/api/v1/ssf_receivers', { ...base, name: uniqueName('x') }, plainKey)).status).toBe(403);
    expect((await api.get('/api/v1/security_event_deliveries', plainKey)).status).toBe(403);
  });
});

describe('Security Event Tokens of lockdowns', () => {
  it('when two users are locked, then each enabled receiver gets a verified session-revoked and credential-change SET per user, in its subject format; a disabled one gets nothing', async () => {
    const [alice, bob] = [await createUser(stack.db), await createUser(stack.db)];
    const ours = new Set([alice.id, bob.id, alice.email, bob.email]);
    const isOurs = (subId: Record<string, string>) => ours.has(subId.id ?? subId.email);
    const header = `Bearer ${randomUUID()}`;
    const byEmail = receiver.endpoint();
    const byId = receiver.endpoint();
    const disabled = receiver.endpoint();
    const emailReceiver = await createReceiver({ endpointUrl: byEmail, subjectFormat: 'email', authorizationHeader: header });
    const opaqueReceiver = await createReceiver({ endpointUrl: byId });
    await createReceiver({ endpointUrl: disabled, enabled: false });

    const { lockdownId, summaries } = await lock([alice.id, bob.id]);
    // Per user: two receivers, two events each.
    expect(summaries).toEqual([
      { delivered: 4, failed: 0 },
      { delivered: 4, failed: 0 },
    ]);

    const emailSets = await setsAbout(byEmail, emailReceiver.audience, isOurs);
    const opaqueSets = await setsAbout(byId, opaqueReceiver.audience, isOurs);
    expect(emailSets).toHaveLength(4);
    expect(opaqueSets).toHaveLength(4);
    expect(receiver.at(disabled)).toHaveLength(0);

    const subjectsAndEvents = (sets: typeof emailSets) => sets.map(({ claims }) => ({ sub_id: claims.sub_id, events: Object.keys(claims.events) }));
    const expected = (subject: (user: typeof alice) => object) =>
      [alice, bob].flatMap((user) => [SESSION_REVOKED, CREDENTIAL_CHANGE].map((type) => ({ sub_id: subject(user), events: [type] })));
    expect(subjectsAndEvents(emailSets)).toEqual(expect.arrayContaining(expected((user) => ({ format: 'email', email: user.email }))));
    expect(subjectsAndEvents(opaqueSets)).toEqual(expect.arrayContaining(expected((user) => ({ format: 'opaque', id: user.id }))));
    // SSF writes the format first.
    expect(Object.keys(emailSets[0].claims.sub_id)).toEqual(['format', 'email']);

    const now = Math.floor(Date.now() / 1000);
    for (const { set, claims } of [...emailSets, ...opaqueSets]) {
      expect(set.headers['content-type']).toBe('application/secevent+jwt');
      expect(decodeProtectedHeader(set.token)).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt' });
      expect(claims.iat).toBeGreaterThan(now - 300);
      expect(claims.iat).toBeLessThanOrEqual(now + 5);
      expect(Object.keys(claims.events)).toHaveLength(1);
      const [[type, event]] = Object.entries(claims.events as Record<string, Record<string, unknown>>);
      expect(event).toMatchObject({ initiating_entity: 'admin', reason_admin: { en: 'Account locked down by an administrator.' }, event_timestamp: expect.any(Number) });
      // The lockdown's own reason names an incident: it stays inside.
      expect(JSON.stringify(claims)).not.toContain('INC-4711');
      if (type === CREDENTIAL_CHANGE) expect(event).toMatchObject({ credential_type: 'password', change_type: 'revoke' });
      else expect(event.credential_type).toBeUndefined();
    }
    expect(emailSets.every(({ set }) => set.headers.authorization === header)).toBe(true);
    expect(opaqueSets.every(({ set }) => set.headers.authorization === undefined)).toBe(true);

    // jti: unique across every SET this receiver accepted (a retry of a refused push carries the same one).
    const allJtis = receiver.all().filter((set) => set.status === 202).map((set) => jtiOf(set.token));
    expect(new Set(allJtis).size).toBe(allJtis.length);

    const deliveries = await deliveriesOf(lockdownId, emailReceiver.id);
    expect(deliveries).toHaveLength(4);
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts])).toEqual(Array(4).fill(['delivered', 1]));
    expect(new Set(deliveries.map((delivery) => delivery.jti))).toEqual(new Set(emailSets.map(({ claims }) => claims.jti)));
  });

  it('when the receiver answers 503 first, then each SET is delivered once on the retry, with the same jti, and the delivery shows two attempts', async () => {
    const victim = await createUser(stack.db);
    const endpoint = receiver.endpoint('unavailable-once');
    const flaky = await createReceiver({ endpointUrl: endpoint });

    const { lockdownId, summaries } = await lock([victim.id]);
    expect(summaries).toEqual([{ delivered: 2, failed: 0 }]);
    const sets = await setsAbout(endpoint, flaky.audience, (subId) => subId.id === victim.id);
    expect(sets).toHaveLength(4);
    const byJti = new Map<string, number[]>();
    for (const { set, claims } of sets) byJti.set(claims.jti!, [...(byJti.get(claims.jti!) ?? []), set.status]);
    expect([...byJti.values()]).toEqual([
      [503, 202],
      [503, 202],
    ]);
    const deliveries = await deliveriesOf(lockdownId, flaky.id);
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts, delivery.lastError])).toEqual(Array(2).fill(['delivered', 2, 'The receiver answered HTTP 503.']));
  });

  it('when the receiver refuses a SET with 400 invalid_audience, then the delivery fails at once, not retried, with the error code', async () => {
    const victim = await createUser(stack.db);
    const endpoint = receiver.endpoint('invalid-audience');
    const refusing = await createReceiver({ endpointUrl: endpoint, events: ['session-revoked'] });

    const { lockdownId, summaries } = await lock([victim.id]);
    expect(summaries).toEqual([{ delivered: 0, failed: 1 }]);
    expect(await setsAbout(endpoint, refusing.audience, (subId) => subId.id === victim.id)).toHaveLength(1);
    const [delivery] = await deliveriesOf(lockdownId, refusing.id);
    expect(delivery).toMatchObject({ eventType: 'session-revoked', status: 'failed', attempts: 1 });
    // The registered RFC 8935 code only: never the receiver's own description.
    expect(delivery.lastError).toBe('The receiver refused the SET (invalid_audience).');
  });

  it('when the receiver is down for every attempt, then the delivery is marked failed after the last one', async () => {
    const victim = await createUser(stack.db);
    const down = await createReceiver({ endpointUrl: `http://127.0.0.1:${await closedPort()}/events`, events: ['credential-change'] });

    const { lockdownId, summaries } = await lock([victim.id]);
    expect(summaries).toEqual([{ delivered: 0, failed: 1 }]);
    const [delivery] = await deliveriesOf(lockdownId, down.id);
    expect(delivery).toMatchObject({ eventType: 'credential-change', status: 'failed', attempts: MAX_ATTEMPTS });
    expect(delivery.lastError).toBe('The receiver could not be reached (connection refused).');
  });

  it('when the stage keeps sessions, then only credential-change is sent', async () => {
    const victim = await createUser(stack.db);
    const endpoint = receiver.endpoint();
    const app = await createReceiver({ endpointUrl: endpoint });

    const { summaries } = await lock([victim.id], { deactivateUser: false, deleteSessions: false, revokeTokens: false, setUnusablePassword: true });
    expect(summaries).toEqual([{ delivered: 1, failed: 0 }]);
    const sets = await setsAbout(endpoint, app.audience, (subId) => subId.id === victim.id);
    expect(sets.map(({ claims }) => Object.keys(claims.events))).toEqual([[CREDENTIAL_CHANGE]]);
  });

  it('when users lock themselves, are deactivated or deleted, then session-revoked SETs go out with the initiating entity and a fixed reason', async () => {
    const endpoint = receiver.endpoint();
    const app = await createReceiver({ endpointUrl: endpoint, subjectFormat: 'email', events: ['session-revoked'] });
    const [self, deactivated, deleted] = [await createUser(stack.db), await createUser(stack.db), await createUser(stack.db)];

    const { host } = await createBrand(stack.db);
    const selfService = await stack.http.post('/api/v1/lockdowns').set('Host', host).set(bearer(await addSession(stack.db, self.id))).send({ reason: 'my laptop was stolen' });
    expect(selfService.status).toBe(201);
    expect((await api.patch(`/api/v1/users/${deactivated.id}`, { isActive: false })).status).toBe(200);
    expect((await api.delete(`/api/v1/users/${deleted.id}`)).status).toBe(204);
    expect(await setsSettled([self.id, deactivated.id, deleted.id])).toEqual(Array(3).fill({ delivered: 1, failed: 0 }));

    const sets = await setsAbout(endpoint, app.audience, (subId) => [self.email, deactivated.email, deleted.email].includes(subId.email));
    const byEmail = new Map(sets.map(({ claims }) => [claims.sub_id.email, claims.events[SESSION_REVOKED]]));
    expect(byEmail.size).toBe(3);
    expect(byEmail.get(self.email)).toMatchObject({ initiating_entity: 'user', reason_admin: { en: 'Account locked down by its owner.' } });
    expect(byEmail.get(deactivated.email)).toMatchObject({ initiating_entity: 'admin', reason_admin: { en: 'Account deactivated by an administrator.' } });
    // Planned before the account went: the email subject survives the deletion.
    expect(byEmail.get(deleted.email)).toMatchObject({ initiating_entity: 'admin', reason_admin: { en: 'Account deleted by an administrator.' } });
  });
});

describe('the outbound address policy (receivers)', () => {
  it('when an endpoint names a loopback, private, link-local, metadata or unique-local address, or carries user info, whitespace or a backslash, then it is refused naming endpointUrl; a clean one is stored normalised', async () => {
    const base = { name: uniqueName('receiver'), audience: 'app', enabled: false };
    const refused = [
      'http://[::1]:8080/events',
      'http://0x7f000002/events',
      'http://3232235777/events', // 192.168.1.1
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.100.100.200/events',
      ' https://app.example.test/events',
      'http://app.example.test\\@127.0.0.1/',
      'https://admin:secret@app.example.test/events',
    ];
    for (const endpointUrl of refused) {
      const response = await api.post('/api/v1/ssf_receivers', { ...base, name: uniqueName('receiver'), endpointUrl });
      expect({ endpointUrl, status: response.status }).toEqual({ endpointUrl, status: 400 });
      expect(JSON.stringify(response.body.error.details)).toContain('endpointUrl');
    }
    const clean = await createReceiver({ ...base, endpointUrl: 'HTTPS://App.Example.TEST/ssf/./events#x' });
    expect((clean as unknown as { endpointUrl: string }).endpointUrl).toBe('https://app.example.test/ssf/events');
    expect((await api.patch(`/api/v1/ssf_receivers/${clean.id}`, { endpointUrl: 'http://[::1]/events' })).status).toBe(400);
  });

  it('when a receiver host resolves to a refused address at send time, then no SET is sent and the delivery records only "address not allowed"', async () => {
    // This activity runs without the file's allowance: loopback is refused, as in production.
    const activities = createSecurityEventActivities(stack.db, { ...stack.config, OUTBOUND_ALLOWED_DESTINATIONS: '' }, createLogger('silent'));
    const environment = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const endpoint = new URL(receiver.endpoint());
    const victim = await createUser(stack.db);
    const event = await stack.db.event.create({
      data: { action: ACCOUNT_LOCKDOWN_TRIGGERED, actorSnapshot: { id: null, username: 'admin' }, context: { affected_user: victim.username, affected_user_id: victim.id } },
    });
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const url = `http://${host}:${endpoint.port}${endpoint.pathname}`;
      const row = await stack.db.ssfReceiver.create({ data: { name: uniqueName('receiver'), endpointUrl: url, audience: 'app', events: ['session-revoked'], enabled: true } });
      receiversMade.push(row.id);
      const delivery = await stack.db.securityEventDelivery.create({
        data: { eventId: event.id, receiverId: row.id, eventType: 'session-revoked', jti: randomUUID(), subject: { format: 'opaque', id: victim.id } },
      });
      await expect(environment.run(activities.deliverSecurityEvent, { deliveryId: delivery.id })).rejects.toThrow();
      expect(await stack.db.securityEventDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
        status: 'pending',
        lastError: 'The receiver could not be reached (address not allowed).',
      });
      await stack.db.ssfReceiver.update({ where: { id: row.id }, data: { enabled: false } });
    }
    expect(receiver.at(endpoint.href)).toEqual([]);
  });

  it('when a service that is not a receiver answers 400 with its own text, then the delivery records the status only, never the text', async () => {
    const victim = await createUser(stack.db);
    const endpoint = receiver.endpoint('chatty-400');
    const chatty = await createReceiver({ endpointUrl: endpoint, events: ['session-revoked'] });

    const { lockdownId } = await lock([victim.id]);
    const [delivery] = await deliveriesOf(lockdownId, chatty.id);
    expect(delivery).toMatchObject({ status: 'failed', lastError: 'The receiver refused the SET (no RFC 8935 error code).' });
    expect(JSON.stringify(await api.get(`/api/v1/security_event_deliveries?receiverId=${chatty.id}`).then((r) => r.body))).not.toContain('postgres');
  });
});
