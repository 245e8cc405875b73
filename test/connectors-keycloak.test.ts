import { randomUUID } from 'node:crypto';
import { createConnector } from '../connectors';
import { outboundPolicy } from '../lib/outbound-address';
import type { AccountMapping, Connector, LocalUser } from '../connectors/types';
import { startKeycloak, type KeycloakServer } from '../scripts/lib/keycloak';
import { freePort } from '../scripts/lib/ports';
import { createTestRealm, type TestRealm } from './support/keycloak-realm';

/**
 * The Keycloak connector against a real Keycloak (the official distribution in dev mode,
 * scripts/lib/keycloak.ts): test users log in through a real client and hold real sessions
 * and offline tokens; after the connector's actions, Keycloak itself is asked what is left,
 * and the users' own tokens are tried.
 */
const ATTRIBUTE = 'lockdown_id';
// Keycloak listens on this machine: allowed as the tests' OUTBOUND_ALLOWED_DESTINATIONS would.
const outbound = { policy: outboundPolicy('127.0.0.1') };
let server: KeycloakServer;
let realm: TestRealm;

beforeAll(async () => {
  server = await startKeycloak();
  realm = await createTestRealm(server);
}, 600_000);
afterAll(async () => {
  await server?.stop();
});

interface TestUser {
  local: LocalUser;
  password: string;
  remoteId: string;
}

/** A local user and their Keycloak account, whose attribute holds the local id. */
async function newUser(): Promise<TestUser> {
  const suffix = randomUUID().slice(0, 8);
  const local = { id: randomUUID(), username: `user-${suffix}`, email: `user-${suffix}@example.org` };
  const password = `pw-${randomUUID()}`;
  const remoteId = await realm.createUser({ username: local.username, email: local.email, password, attributes: { [ATTRIBUTE]: [local.id] } });
  return { local, password, remoteId };
}

function connectorFor(mapping: AccountMapping, overrides: { baseUrl?: string; clientId?: string; clientSecret?: string } = {}): Connector<'keycloak'> {
  const connector = createConnector({
    kind: 'keycloak',
    baseUrl: overrides.baseUrl ?? realm.baseUrl,
    realm: realm.realm,
    clientId: overrides.clientId ?? realm.serviceAccount.clientId,
    clientSecret: overrides.clientSecret ?? realm.serviceAccount.clientSecret,
    mapping,
    outbound,
  });
  if (connector.kind !== 'keycloak') throw new Error('a Keycloak connector was asked for');
  return connector;
}

const byEmail: AccountMapping = { by: 'email' };
async function serviceAccountToken(): Promise<string> {
  const { clientId, clientSecret } = realm.serviceAccount;
  const response = await fetch(`${realm.baseUrl}/realms/${realm.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
const userinfo = async (accessToken: string) =>
  (await fetch(`${realm.baseUrl}/realms/${realm.realm}/protocol/openid-connect/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;

describe('a Keycloak account', () => {
  test('when found by email, username or an attribute holding the local id, then each mapping finds the one user', async () => {
    const { local, remoteId } = await newUser();
    const mappings: AccountMapping[] = [byEmail, { by: 'username' }, { by: 'external_id', attribute: ATTRIBUTE }];
    for (const mapping of mappings) expect(await connectorFor(mapping).findAccount(local)).toEqual({ status: 'done', value: { id: remoteId } });
    // Keycloak keeps emails and usernames in lower case; the local spelling may differ.
    expect(await connectorFor(byEmail).findAccount({ ...local, email: local.email.toUpperCase() })).toEqual({ status: 'done', value: { id: remoteId } });
    expect(await connectorFor({ by: 'username' }).findAccount({ ...local, username: local.username.toUpperCase() })).toEqual({ status: 'done', value: { id: remoteId } });
  });

  test('when a user with a live session and an offline token is locked, then the sessions are gone, every token is dead, the user is disabled, and verify agrees', async () => {
    const user = await newUser();
    const online = await realm.login(user.local.username, user.password);
    const offline = await realm.login(user.local.username, user.password, { offline: true });
    expect([online.status, offline.status]).toEqual([200, 200]);
    expect((await realm.admin<unknown[]>('GET', `/users/${user.remoteId}/sessions`)).body.length).toBeGreaterThan(0);
    expect((await realm.admin<{ clientId: string }[]>('GET', `/users/${user.remoteId}/consents`)).body).toEqual([expect.objectContaining({ clientId: realm.appClientId })]);

    const connector = connectorFor(byEmail);
    const found = await connector.findAccount(user.local);
    expect(found).toEqual({ status: 'done', value: { id: user.remoteId } });
    const account = { id: user.remoteId };
    const verifyBefore = await connector.verify(account, ['disable', 'endSessions', 'revokeGrants']);
    expect(verifyBefore).toMatchObject({ status: 'failed', retryable: true });
    expect(verifyBefore.status === 'failed' && verifyBefore.reason).toMatch(/^Keycloak still shows: the user is enabled; \d+ session\(s\) remain; 1 client\(s\) still hold a consent or offline token\.$/);

    expect(await connector.actions.disable(account)).toEqual({ status: 'done', value: null });
    expect(await connector.actions.endSessions(account)).toEqual({ status: 'done', value: null });
    expect(await connector.actions.revokeGrants(account)).toEqual({ status: 'done', value: null });

    const remote = (await realm.admin<{ enabled: boolean; email: string; attributes: Record<string, string[]> }>('GET', `/users/${user.remoteId}`)).body;
    expect(remote).toMatchObject({ enabled: false, email: user.local.email, attributes: { [ATTRIBUTE]: [user.local.id] } });
    expect((await realm.admin('GET', `/users/${user.remoteId}/sessions`)).body).toEqual([]);
    const appUuid = (await realm.admin<{ id: string }[]>('GET', `/clients?clientId=${realm.appClientId}`)).body[0].id;
    expect((await realm.admin('GET', `/users/${user.remoteId}/offline-sessions/${appUuid}`)).body).toEqual([]);
    expect((await realm.admin('GET', `/users/${user.remoteId}/consents`)).body).toEqual([]);

    // The user's own credentials, tried as an attacker holding them would.
    expect(await realm.refresh(online.body.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await realm.refresh(offline.body.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await userinfo(online.body.access_token!)).toBe(401);
    expect(await realm.login(user.local.username, user.password)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    expect(await connector.verify(account, ['disable', 'endSessions', 'revokeGrants'])).toEqual({ status: 'done', value: null });
    // A retried activity repeats its action: the same outcome, nothing more to revoke.
    expect(await connector.actions.revokeGrants(account)).toEqual({ status: 'done', value: null });
    expect(await connector.actions.endSessions(account)).toEqual({ status: 'done', value: null });

    // Restore access: the user may log in again; what was ended stays ended.
    expect(await connector.enable(account)).toEqual({ status: 'done', value: null });
    expect((await realm.admin<{ enabled: boolean }>('GET', `/users/${user.remoteId}`)).body.enabled).toBe(true);
    expect((await realm.login(user.local.username, user.password)).status).toBe(200);
    expect(await realm.refresh(offline.body.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('when two users hold the same external id, then nothing is changed and the failure is permanent', async () => {
    const first = await newUser();
    const second = await newUser();
    expect((await realm.admin('PUT', `/users/${second.remoteId}`, { attributes: { [ATTRIBUTE]: [first.local.id] } })).status).toBe(204);
    const outcome = await connectorFor({ by: 'external_id', attribute: ATTRIBUTE }).findAccount(first.local);
    expect(outcome).toEqual({ status: 'failed', reason: '2 Keycloak users match this account; none was changed.', retryable: false });
    for (const { remoteId } of [first, second]) expect((await realm.admin<{ enabled: boolean }>('GET', `/users/${remoteId}`)).body.enabled).toBe(true);
  });

  test('when the account was removed from Keycloak after it was found, then each action says not_found', async () => {
    const user = await newUser();
    const connector = connectorFor(byEmail);
    expect(await connector.findAccount(user.local)).toEqual({ status: 'done', value: { id: user.remoteId } });
    expect((await realm.admin('DELETE', `/users/${user.remoteId}`)).status).toBe(204);
    const account = { id: user.remoteId };
    for (const action of [connector.actions.disable, connector.actions.endSessions, connector.actions.revokeGrants, connector.enable]) {
      expect(await action(account)).toEqual({ status: 'not_found' });
    }
    expect(await connector.verify(account, ['disable'])).toEqual({ status: 'not_found' });
  });
});

describe('bad input and operator checks', () => {
  test('when the user is missing downstream, then the result is not_found, and the health check tells a known user from an unknown one', async () => {
    const { local, remoteId } = await newUser();
    const stranger = { id: randomUUID(), username: 'nobody-here', email: 'nobody@example.org' };
    for (const mapping of [byEmail, { by: 'username' }, { by: 'external_id', attribute: ATTRIBUTE }] as AccountMapping[]) {
      expect(await connectorFor(mapping).findAccount(stranger)).toEqual({ status: 'not_found' });
    }
    expect(await connectorFor(byEmail).healthCheck(local)).toEqual({ status: 'done', value: { id: remoteId } });
    expect(await connectorFor(byEmail).healthCheck(stranger)).toEqual({ status: 'not_found' });
  });

  test('when the client secret is wrong, then the failure is permanent and names the token request', async () => {
    const { local } = await newUser();
    const outcome = await connectorFor(byEmail, { clientSecret: 'wrong-secret' }).healthCheck(local);
    expect(outcome).toEqual({
      status: 'failed',
      reason: 'Keycloak answered HTTP 401 to the client-credentials token request (unauthorized_client: Invalid client or Invalid client credentials).',
      retryable: false,
      httpStatus: 401,
    });
  });

  test('when the realm does not exist, then the failure is permanent', async () => {
    const { local } = await newUser();
    const connector = createConnector({ kind: 'keycloak', baseUrl: realm.baseUrl, realm: 'no-such-realm', ...realm.serviceAccount, mapping: byEmail, outbound });
    const outcome = await connector.findAccount(local);
    expect(outcome).toMatchObject({ status: 'failed', retryable: false });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^Keycloak answered HTTP 404 to the client-credentials token request/);
  });

  test('when the service account lacks the realm-management roles, then the failure is permanent', async () => {
    const { local } = await newUser();
    const powerless = await realm.createServiceClient(`no-roles-${randomUUID().slice(0, 8)}`, []);
    const outcome = await connectorFor(byEmail, powerless).findAccount(local);
    expect(outcome).toMatchObject({ status: 'failed', retryable: false });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^Keycloak answered HTTP 403 to the user search/);
  });

  test('when the URL is unreachable, then the failure is retryable', async () => {
    const { local } = await newUser();
    const outcome = await connectorFor(byEmail, { baseUrl: `http://127.0.0.1:${await freePort()}` }).findAccount(local);
    expect(outcome).toEqual({ status: 'failed', reason: 'Keycloak is unreachable (connection refused).', retryable: true });
  });

  test('when Keycloak stops accepting the cached token, then the connector gets a new one and goes on', async () => {
    const { local, remoteId } = await newUser();
    const connector = connectorFor(byEmail);
    expect(await connector.findAccount(local)).toEqual({ status: 'done', value: { id: remoteId } });
    const tokenLikeTheConnectors = await serviceAccountToken();
    // "Revoke" in the realm's sessions tab: every token issued before now is refused.
    const notBefore = Math.floor(Date.now() / 1000) + 1;
    expect((await realm.admin('PUT', '', { notBefore })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const withStaleToken = await fetch(`${realm.baseUrl}/admin/realms/${realm.realm}/users?max=1`, { headers: { Authorization: `Bearer ${tokenLikeTheConnectors}` } });
    expect(withStaleToken.status).toBe(401);
    expect(await connector.findAccount(local)).toEqual({ status: 'done', value: { id: remoteId } });
  });
});
