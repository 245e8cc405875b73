import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { CAEP_EVENT_TYPES } from '../domain/security-events';
import { RECEIVED_EVENT_TYPES } from '../domain/signals';
import { loadPayloadKeys } from '../lib/payload-keys';
import { SsfSigningKeys } from '../lib/ssf-signing-keys';
import { lockAndWait } from './support/lockdowns';
import { privateDatabase } from './support/private-database';
import { addSession, adminSession, bearer, startStack, uniqueName, waitForLockdown, type Stack } from './support/stack';
import { waitFor } from './support/wait';

/**
 * Two instances of this service, each with its API, worker and database: A transmits (its
 * lockdowns push CAEP SETs to its receivers), B receives (A is a transmitter it trusts). A
 * lockdown on A produces a lockdown on B within seconds, B having verified each SET against
 * A's published keys. Forged, replayed, foreign-audience and otherwise wrong SETs change
 * nothing on B and are answered with RFC 8935 error codes and an audit event.
 */
const AUDIENCE = 'https://b.example.test';
let a: Stack;
let b: Stack;
let adminA: string;
let adminB: string;
let databases: { drop(): Promise<void> }[] = [];
let transmitter: { id: string; pushToken: string; account: { id: string; username: string } };
let issuerA: string;

beforeAll(async () => {
  databases = await Promise.all([privateDatabase(), privateDatabase()]);
  const [dbA, dbB] = databases as unknown as { url: string }[];
  const common = { OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1', NOTIFICATION_RETRY_INITIAL_MS: '50', NOTIFICATION_RETRY_MAX_INTERVAL_MS: '200', NOTIFICATION_MAX_ATTEMPTS: '4' };
  a = await startStack({ ...common, DATABASE_URL: dbA.url });
  b = await startStack({ ...common, DATABASE_URL: dbB.url, LOCKDOWN_APPROVAL_THRESHOLD: '2' });
  [adminA, adminB] = await Promise.all([adminSession(a), adminSession(b)]);

  // B trusts A: A's issuer and published keys, B's audience, what each event does here.
  issuerA = (await a.http.get('/.well-known/ssf-configuration')).body.issuer;
  const created = await b.http.post('/api/v1/ssf_transmitters').set(bearer(adminB)).send({
    name: 'stack-a',
    issuer: issuerA,
    jwksUrl: `${a.baseUrl}/.well-known/jwks.json`,
    audience: AUDIENCE,
    events: { 'credential-change': 'lockdown', 'session-revoked': 'lockdown', 'credential-compromise': 'lockdown', 'account-disabled': 'alert' },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'stack-a', allUsers: true, account: { username: 'ssf:stack-a' }, enabled: true, pushToken: expect.any(String) });
  transmitter = created.body;
  // Only its digest is stored.
  const stored = await b.db.ssfTransmitter.findUniqueOrThrow({ where: { id: transmitter.id } });
  expect(stored.pushTokenHash).not.toContain(transmitter.pushToken);

  // A pushes to B, identifying subjects by email, with the bearer token B issued.
  const receiver = await a.http.post('/api/v1/ssf_receivers').set(bearer(adminA)).send({
    name: 'stack-b',
    endpointUrl: pushUrl(),
    audience: AUDIENCE,
    authorizationHeader: `Bearer ${transmitter.pushToken}`,
    subjectFormat: 'email',
  });
  expect(receiver.status).toBe(201);
}, 300_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all(databases.map((database) => database.drop()));
});

const pushUrl = () => `${b.baseUrl}/api/v1/ssf_transmitters/${transmitter.id}/push`;

/** The same person on both instances: one account on each, with the same email. */
async function person() {
  const email = `${uniqueName('person')}@corp.example.test`;
  const onA = await a.db.user.create({ data: { username: uniqueName('a'), email } });
  const onB = await b.db.user.create({ data: { username: uniqueName('b'), email } });
  return { email, onA, onB, sessionOnB: await addSession(b.db, onB.id) };
}

/** B's lockdowns of a user, requested by the transmitter's account. */
const lockdownsOnB = (userId: string) => b.db.lockdown.findMany({ where: { actorId: transmitter.account.id, targets: { some: { userId } } } });
const rejectionsOnB = (jti: string) => b.db.event.findMany({ where: { action: 'security_event_rejected', context: { path: ['jti'], equals: jti } } });

/** A SET as a transmitter makes one, signed with `key` (A's own by default). */
async function set(claims: Partial<JWTPayload> & Record<string, unknown>, options: { key?: { kid: string; privateKey: CryptoKey }; typ?: string | null } = {}) {
  const key = options.key ?? (await new SsfSigningKeys(a.db, () => loadPayloadKeys(a.config)).signingKey());
  const header = { alg: 'ES256', kid: key.kid, ...(options.typ === null ? {} : { typ: options.typ ?? 'secevent+jwt' }) };
  return new SignJWT({ iss: issuerA, aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ...claims }).setProtectedHeader(header).sign(key.privateKey);
}

const compromise = (email: string) => ({
  sub_id: { format: 'email', email },
  events: { [RECEIVED_EVENT_TYPES['credential-compromise']]: { credential_type: 'password', reason_admin: { en: 'Password found in a breach corpus' } } },
});

const push = (token: string, bearerToken = transmitter.pushToken) =>
  b.http.post(`/api/v1/ssf_transmitters/${transmitter.id}/push`).set('Content-Type', 'application/secevent+jwt').set('Authorization', `Bearer ${bearerToken}`).send(token);

it('when a user is locked on the transmitting instance, then the receiving one verifies its SETs and locks the same person within seconds, once', async () => {
  const alice = await person();
  await lockAndWait(a, adminA, { user: alice.onA.id, reason: 'INC-7: phished' });

  // A pushed session-revoked and credential-change (one transaction); B verified both and started one lockdown.
  const [lockdownOnB] = await waitFor('the lockdown on B', async () => {
    const found = await lockdownsOnB(alice.onB.id);
    return found.length > 0 ? found : undefined;
  }, { timeoutMs: 30_000 });
  const finished = await waitForLockdown(b, adminB, lockdownOnB.id);
  expect(finished).toMatchObject({
    status: 'completed',
    actor: { id: transmitter.account.id, username: 'ssf:stack-a' },
    trigger: { kind: 'shared_signal', transmitter: { id: transmitter.id, name: 'stack-a' }, issuer: issuerA },
    progress: { total: 1, locked: 1 },
  });
  expect(finished.reason).toMatch(/^Shared Signal from "stack-a": (session revoked|credential change) \(CAEP\)/);
  expect((await b.http.get('/api/v1/me').set(bearer(alice.sessionOnB))).status).toBe(401);

  // Both SETs were delivered to B and received there, each verified; they share one lockdown.
  const deliveries = await waitFor('both SETs delivered', async () => {
    const rows = await a.db.securityEventDelivery.findMany({ where: { event: { context: { path: ['affected_user_id'], equals: alice.onA.id } } } });
    return rows.length === 2 && rows.every((row) => row.status === 'delivered') ? rows : undefined;
  });
  expect(deliveries.map((row) => row.eventType).sort()).toEqual(['credential-change', 'session-revoked']);
  const received = await b.db.event.findMany({ where: { action: 'security_event_received', context: { path: ['affected_user_id'], equals: alice.onB.id } } });
  expect(received.map((event) => (event.context as { jti: string }).jti).sort()).toEqual(deliveries.map((row) => row.jti).sort());
  expect(received.map((event) => event.lockdownId)).toEqual([lockdownOnB.id, lockdownOnB.id]);
  expect(received.map((event) => (event.context as { events: string[] }).events[0]).sort()).toEqual([CAEP_EVENT_TYPES['credential-change'], CAEP_EVENT_TYPES['session-revoked']].sort());
  expect(await lockdownsOnB(alice.onB.id)).toHaveLength(1);
});

it('when a valid SET is replayed, then the replay is refused (invalid_request), audited, and starts nothing', async () => {
  const bob = await person();
  const token = await set(compromise(bob.email));
  expect((await push(token)).status).toBe(202);
  const [lockdown] = await lockdownsOnB(bob.onB.id);
  expect(lockdown.trigger).toMatchObject({ kind: 'shared_signal', events: [RECEIVED_EVENT_TYPES['credential-compromise']] });
  expect(lockdown.reason).toBe('Shared Signal from "stack-a": credential compromise (RISC): Password found in a breach corpus');
  await waitForLockdown(b, adminB, lockdown.id);

  const replayed = await push(token);
  expect(replayed.status).toBe(400);
  expect(replayed.body).toEqual({ err: 'invalid_request', description: expect.stringMatching(/received before/) });
  const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
  expect(await rejectionsOnB(jti)).toMatchObject([{ actorId: transmitter.account.id, context: { err: 'invalid_request', replay: true } }]);
  expect(await lockdownsOnB(bob.onB.id)).toHaveLength(1);
});

it('when SETs are forged, for another audience or otherwise wrong, then each is answered with its RFC 8935 code, audited, and nothing is locked', async () => {
  const carol = await person();
  const forger = await generateKeyPair('ES256');
  const ownKid = (await new SsfSigningKeys(a.db, () => loadPayloadKeys(a.config)).signingKey()).kid;
  const cases: [string, string, string][] = [
    // A key A never published, under A's kid and under one of its own.
    ['forged, A’s kid', await set(compromise(carol.email), { key: { kid: ownKid, privateKey: forger.privateKey } }), 'invalid_key'],
    ['forged, own kid', await set(compromise(carol.email), { key: { kid: 'forger', privateKey: forger.privateKey } }), 'invalid_key'],
    ['foreign audience', await set({ ...compromise(carol.email), aud: 'https://someone-else.example.test' }), 'invalid_audience'],
    ['another issuer', await set({ ...compromise(carol.email), iss: 'https://evil.example.test' }), 'invalid_issuer'],
    ['too old', await set({ ...compromise(carol.email), iat: Math.floor(Date.now() / 1000) - 2 * 3600 }), 'invalid_request'],
    ['no typ', await set(compromise(carol.email), { typ: null }), 'invalid_request'],
    ['unknown subject', await set(compromise(`${uniqueName('nobody')}@corp.example.test`)), 'access_denied'],
    ['event it is not trusted with', await set({ ...compromise(carol.email), events: { [CAEP_EVENT_TYPES['session-revoked'].replace('session-revoked', 'token-claims-change')]: {} } }), 'access_denied'],
  ];
  for (const [what, token, err] of cases) {
    const answer = await push(token);
    expect({ what, status: answer.status, err: answer.body.err }).toEqual({ what, status: 400, err });
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
    expect({ what, events: (await rejectionsOnB(jti)).map((event) => (event.context as { err: string }).err) }).toEqual({ what, events: [err] });
  }
  // Not authenticated as the transmitter: refused before anything is read of the SET (logged, not audited).
  const unauthenticated = await push(await set(compromise(carol.email)), 'not-the-push-token');
  expect(unauthenticated.status).toBe(400);
  expect(unauthenticated.body.err).toBe('authentication_failed');
  // A body that is no SET at all.
  expect((await push('not.a-set')).body.err).toBe('invalid_request');

  expect(await lockdownsOnB(carol.onB.id)).toEqual([]);
  expect(await b.db.user.findUniqueOrThrow({ where: { id: carol.onB.id } })).toMatchObject({ isActive: true });
  expect((await b.http.get('/api/v1/me').set(bearer(carol.sessionOnB))).status).toBe(200);
});

it('when pasted keys verify a SET and the event is configured to alert, then it is recorded and nobody is locked', async () => {
  const other = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(other.publicKey)), kid: 'pasted-1', alg: 'ES256', use: 'sig' };
  const created = await b.http.post('/api/v1/ssf_transmitters').set(bearer(adminB)).send({
    name: uniqueName('pasted'),
    issuer: 'https://idp.example.test',
    jwks: { keys: [publicJwk] },
    audience: AUDIENCE,
    events: { 'account-disabled': 'alert' },
  });
  expect(created.status).toBe(201);
  const dave = await person();
  const token = await new SignJWT({
    iss: 'https://idp.example.test',
    aud: AUDIENCE,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    sub_id: { format: 'email', email: dave.email },
    events: { [RECEIVED_EVENT_TYPES['account-disabled']]: { reason: 'hijacking' } },
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid: 'pasted-1' })
    .sign(other.privateKey);
  const answer = await b.http.post(`/api/v1/ssf_transmitters/${created.body.id}/push`).set('Content-Type', 'application/secevent+jwt').set('Authorization', `Bearer ${created.body.pushToken}`).send(token);
  expect(answer.status).toBe(202);
  const [event] = await b.db.event.findMany({ where: { action: 'security_event_received', context: { path: ['affected_user_id'], equals: dave.onB.id } } });
  expect(event).toMatchObject({ actorId: created.body.account.id, lockdownId: null, context: { outcome: 'alert', action: 'alert' } });
  expect(await b.db.lockdown.count({ where: { targets: { some: { userId: dave.onB.id } } } })).toBe(0);
  // A private key is never accepted as a transmitter's.
  const privateJwk = await exportJWK(other.privateKey);
  const refused = await b.http.post('/api/v1/ssf_transmitters').set(bearer(adminB)).send({ name: uniqueName('leaky'), issuer: 'https://x.example.test', jwks: { keys: [privateJwk] }, events: { 'account-disabled': 'alert' } });
  expect(refused.status).toBe(400);
  expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'body.jwks' })]);
});

it('when the transmitter has asked for more users than the approval threshold within the window, then its next lockdown waits for a second person', async () => {
  // B's lockdown stage requires approval; B's threshold is 2 users per requester per window.
  await b.db.accountLockdownStage.updateMany({ data: { requireApproval: true } });
  const people = [await person(), await person(), await person()];
  for (const someone of people) expect((await push(await set(compromise(someone.email)))).status).toBe(202);
  const [last] = await lockdownsOnB(people[2].onB.id);
  expect(last.status).toBe('awaiting_approval');
  expect(await b.db.user.findUniqueOrThrow({ where: { id: people[2].onB.id } })).toMatchObject({ isActive: true });
  expect((await b.http.post(`/api/v1/lockdowns/${last.id}/reject`).set(bearer(adminB)).send({ comment: 'not this one' })).status).toBe(200);
});
