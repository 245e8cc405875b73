import { randomUUID } from 'node:crypto';
import { createConnector } from '../connectors';
import { outboundPolicy } from '../lib/outbound-address';
import type { AccountMapping, AnyConnector, LocalUser } from '../connectors/types';
import { freePort } from '../scripts/lib/ports';
import { startScimServer, type ScimServer } from '../scripts/lib/scim-server';
import { startHttpFaultProxy, type HttpFaultProxy } from './support/http-fault-proxy';

/**
 * The SCIM connector against a real SCIM 2.0 service provider (scim2-server from PyPI,
 * scripts/lib/scim-server.ts says why that one): users are created through its API, then
 * found, deactivated, deleted and re-activated by the connector, and every outcome is read
 * back from the server. Faults come from a real HTTP hop in front of it.
 */
const TOKEN = 'scim-connector-test-token';
let server: ScimServer;
let proxy: HttpFaultProxy;

beforeAll(async () => {
  server = await startScimServer({ bearerToken: TOKEN });
  proxy = await startHttpFaultProxy(server.url);
}, 300_000);
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

async function scim<T = Record<string, unknown>>(method: string, path: string, body?: unknown, base = server.url): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A local user and its account on the SCIM server (externalId: the local id, as a provisioning client sets it). */
async function provision(base = server.url): Promise<{ local: LocalUser; remoteId: string }> {
  const local = { id: randomUUID(), username: `user-${randomUUID().slice(0, 8)}`, email: `${randomUUID().slice(0, 8)}@example.org` };
  const created = await scim<{ id: string }>('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: local.username,
    externalId: local.id,
    emails: [{ value: local.email.toUpperCase(), primary: true }],
    active: true,
  }, base);
  expect(created.status).toBe(201);
  return { local, remoteId: created.body.id };
}

const connectorFor = (mapping: AccountMapping, overrides: { baseUrl?: string; token?: string; timeoutMs?: number } = {}): AnyConnector =>
  createConnector({ kind: 'scim', baseUrl: overrides.baseUrl ?? server.url, token: overrides.token ?? TOKEN, mapping, timeoutMs: overrides.timeoutMs, outbound: { policy: outboundPolicy('127.0.0.1') } });

const activeOf = async (id: string) => (await scim<{ active?: boolean }>('GET', `/Users/${id}`)).body.active;

describe('a SCIM account', () => {
  test('when found by userName, email or externalId, then each mapping finds the same one account', async () => {
    const { local, remoteId } = await provision();
    for (const mapping of [{ by: 'username' }, { by: 'email' }, { by: 'external_id', attribute: 'externalId' }] as AccountMapping[]) {
      expect(await connectorFor(mapping).findAccount(local)).toEqual({ status: 'done', value: { id: remoteId } });
    }
  });

  test('when deactivated, then the server shows it inactive, verify agrees, and enable restores it', async () => {
    const { local, remoteId } = await provision();
    const connector = connectorFor({ by: 'email' });
    if (connector.kind !== 'scim') throw new Error('a SCIM connector was asked for');
    const found = await connector.findAccount(local);
    if (found.status !== 'done') throw new Error(`not found: ${JSON.stringify(found)}`);

    expect(await connector.verify(found.value, ['disable'])).toEqual({ status: 'failed', reason: 'The SCIM server still shows the user active.', retryable: true });
    expect(await connector.actions.disable(found.value)).toEqual({ status: 'done', value: null });
    expect(await activeOf(remoteId)).toBe(false);
    expect(await connector.verify(found.value, ['disable'])).toEqual({ status: 'done', value: null });
    // Twice is the same as once: a retried activity changes nothing more.
    expect(await connector.actions.disable(found.value)).toEqual({ status: 'done', value: null });

    expect(await connector.enable(found.value)).toEqual({ status: 'done', value: null });
    expect(await activeOf(remoteId)).toBe(true);
    const user = (await scim<{ userName: string; externalId: string }>('GET', `/Users/${remoteId}`)).body;
    expect(user).toMatchObject({ userName: local.username, externalId: local.id });
  });

  test('when the connector deletes it, then it is gone, verify agrees, and enable says not found', async () => {
    const { local, remoteId } = await provision();
    const connector = connectorFor({ by: 'username' });
    if (connector.kind !== 'scim') throw new Error('a SCIM connector was asked for');
    const account = { id: remoteId };
    expect(await connector.verify(account, ['delete'])).toEqual({ status: 'failed', reason: 'The SCIM server still has the user.', retryable: true });
    expect(await connector.actions.delete(account)).toEqual({ status: 'done', value: null });
    expect((await scim('GET', `/Users/${remoteId}`)).status).toBe(404);
    expect(await connector.verify(account, ['delete'])).toEqual({ status: 'done', value: null });
    expect(await connector.findAccount(local)).toEqual({ status: 'not_found' });
    expect(await connector.actions.delete(account)).toEqual({ status: 'not_found' });
    expect(await connector.enable(account)).toEqual({ status: 'not_found' });
  });

  test('when the server does not implement PATCH, then the user is replaced with active false', async () => {
    const withoutPatch = await startScimServer({
      bearerToken: TOKEN,
      serviceProviderConfig: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: false },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: 100 },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: false },
        authenticationSchemes: [],
      },
    });
    try {
      const { local, remoteId } = await provision(withoutPatch.url);
      expect((await scim('PATCH', `/Users/${remoteId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }, withoutPatch.url)).status).toBe(501);
      const connector = connectorFor({ by: 'external_id', attribute: 'externalId' }, { baseUrl: withoutPatch.url });
      if (connector.kind !== 'scim') throw new Error('a SCIM connector was asked for');
      expect(await connector.actions.disable({ id: remoteId })).toEqual({ status: 'done', value: null });
      const user = (await scim<{ active: boolean; userName: string; emails: { value: string }[] }>('GET', `/Users/${remoteId}`, undefined, withoutPatch.url)).body;
      expect(user).toMatchObject({ active: false, userName: local.username, emails: [{ value: local.email.toUpperCase() }] });
      expect(await connector.verify({ id: remoteId }, ['disable'])).toEqual({ status: 'done', value: null });
    } finally {
      await withoutPatch.stop();
    }
  });

  test('when two accounts match, then nothing is changed and the failure is permanent', async () => {
    const first = await provision();
    const second = await provision();
    await scim('PATCH', `/Users/${second.remoteId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'externalId', value: first.local.id }] });
    expect(await connectorFor({ by: 'external_id', attribute: 'externalId' }).findAccount(first.local)).toEqual({ status: 'failed', reason: '2 SCIM users match this account; none was changed.', retryable: false });
    expect(await activeOf(first.remoteId)).toBe(true);
    expect(await activeOf(second.remoteId)).toBe(true);
  });
});

describe('bad input and a misbehaving server', () => {
  test('when the user is missing downstream, then the result is not_found', async () => {
    const stranger = { id: randomUUID(), username: 'nobody-here', email: 'nobody@example.org' };
    for (const mapping of [{ by: 'username' }, { by: 'email' }, { by: 'external_id', attribute: 'externalId' }] as AccountMapping[]) {
      expect(await connectorFor(mapping).findAccount(stranger)).toEqual({ status: 'not_found' });
    }
    expect(await connectorFor({ by: 'email' }).healthCheck(stranger)).toEqual({ status: 'not_found' });
  });

  test('when the local user has no email and the mapping is by email, then the failure says so', async () => {
    const outcome = await connectorFor({ by: 'email' }).findAccount({ id: randomUUID(), username: 'no-mail', email: '' });
    expect(outcome).toEqual({ status: 'failed', reason: 'The account has no email address, and this connector finds accounts by email.', retryable: false });
  });

  test('when the token is wrong, then the failure is permanent and says the server refused it', async () => {
    const { local } = await provision();
    const outcome = await connectorFor({ by: 'username' }, { token: 'not-the-token' }).healthCheck(local);
    expect(outcome).toMatchObject({ status: 'failed', retryable: false });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^The SCIM server answered HTTP 401 to the user search \(.*Authorization failure/);
  });

  test('when the mapping names an attribute the server does not know, then the failure is permanent with its words', async () => {
    const { local } = await provision();
    const outcome = await connectorFor({ by: 'external_id', attribute: 'employeeCode' }).findAccount(local);
    expect(outcome).toMatchObject({ status: 'failed', retryable: false });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/HTTP 400 to the user search \(invalidFilter: /);
  });

  test('when the URL is unreachable, then the failure is retryable', async () => {
    const { local } = await provision();
    const outcome = await connectorFor({ by: 'username' }, { baseUrl: `http://127.0.0.1:${await freePort()}/v2` }).findAccount(local);
    expect(outcome).toEqual({ status: 'failed', reason: 'The SCIM server is unreachable (connection refused).', retryable: true });
  });

  test('when the server does not answer in time, then the failure is retryable', async () => {
    const { local } = await provision();
    proxy.delayNext(1, 1500);
    const outcome = await connectorFor({ by: 'username' }, { baseUrl: proxy.url, timeoutMs: 300 }).findAccount(local);
    expect(outcome).toEqual({ status: 'failed', reason: 'The SCIM server did not answer within 300 ms.', retryable: true });
  });

  test('when the server answers 429 with Retry-After, then the failure is retryable after that delay and nothing changed', async () => {
    const { remoteId } = await provision();
    proxy.failNext(1, 429, { 'Retry-After': '7' });
    const connector = connectorFor({ by: 'username' }, { baseUrl: proxy.url });
    if (connector.kind !== 'scim') throw new Error('a SCIM connector was asked for');
    const outcome = await connector.actions.disable({ id: remoteId });
    expect(outcome).toEqual({ status: 'failed', reason: 'The SCIM server answered HTTP 429 to deactivating the user (injected HTTP 429).', retryable: true, retryAfterMs: 7000, httpStatus: 429 });
    expect(await activeOf(remoteId)).toBe(true);
  });

  test('when a storm of 500s passes, then each call fails retryable with one request, and the next call after it succeeds', async () => {
    const { local, remoteId } = await provision();
    const connector = connectorFor({ by: 'email' }, { baseUrl: proxy.url });
    if (connector.kind !== 'scim') throw new Error('a SCIM connector was asked for');
    const before = { requests: proxy.requests, forwarded: proxy.forwarded };
    proxy.failNext(5, 500);
    for (let call = 0; call < 5; call += 1) {
      expect(await connector.findAccount(local)).toEqual({ status: 'failed', reason: 'The SCIM server answered HTTP 500 to the user search (injected HTTP 500).', retryable: true, httpStatus: 500 });
    }
    // One request per call: the connector never retries on its own (the activity's retry policy does).
    expect(proxy.requests - before.requests).toBe(5);
    expect(proxy.forwarded - before.forwarded).toBe(0);

    const found = await connector.findAccount(local);
    expect(found).toEqual({ status: 'done', value: { id: remoteId } });
    expect(await connector.actions.disable({ id: remoteId })).toEqual({ status: 'done', value: null });
    expect(await activeOf(remoteId)).toBe(false);
  });
});
