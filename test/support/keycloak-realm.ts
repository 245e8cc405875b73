import { randomBytes } from 'node:crypto';
import type { KeycloakServer } from '../../scripts/lib/keycloak';

/**
 * A test realm on a real Keycloak, set up through its admin REST API as an operator would:
 * a confidential client whose service account holds the realm-management roles the
 * connector needs, and a public client with direct grants through which test users get real
 * sessions (password grant) and offline tokens (scope offline_access).
 */
export interface TestRealm {
  baseUrl: string;
  realm: string;
  /** The connector's client: client credentials, `view-users` and `manage-users`. */
  serviceAccount: { clientId: string; clientSecret: string };
  /** The app users log in to. */
  appClientId: string;
  /** The master realm's admin, for checks from outside the connector. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  createUser(user: { username: string; email: string; password: string; attributes?: Record<string, string[]> }): Promise<string>;
  /** A confidential client with a service account and the given realm-management roles. */
  createServiceClient(clientId: string, roles: string[]): Promise<{ clientId: string; clientSecret: string }>;
  /** A password grant for the app client: a live session, and an offline one with `offline`. */
  login(username: string, password: string, options?: { offline?: boolean }): Promise<TokenAnswer>;
  refresh(refreshToken: string): Promise<TokenAnswer>;
}

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
}

const CONNECTOR_ROLES = ['view-users', 'manage-users'];

export async function createTestRealm(server: KeycloakServer, realm = `lockdown-${randomBytes(4).toString('hex')}`): Promise<TestRealm> {
  let adminToken: { value: string; renewAt: number } | null = null;
  async function masterToken(): Promise<string> {
    if (adminToken && Date.now() < adminToken.renewAt) return adminToken.value;
    const response = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: server.admin.clientId, client_secret: server.admin.clientSecret }),
    });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    if (!response.ok) throw new Error(`master realm token: HTTP ${response.status}`);
    adminToken = { value: body.access_token, renewAt: Date.now() + (body.expires_in - 20) * 1000 };
    return body.access_token;
  }

  async function admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}/admin/realms${path}`, {
      method,
      headers: { Authorization: `Bearer ${await masterToken()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Setting up must work: anything but a 2xx stops the test with Keycloak's answer. */
  async function expectSuccess(what: string, answer: Promise<{ status: number; body: unknown }>): Promise<void> {
    const { status, body } = await answer;
    if (status < 200 || status > 299) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }

  const inRealm = `/${encodeURIComponent(realm)}`;
  await expectSuccess('realm', admin('POST', '', { realm, enabled: true }));
  // Keycloak 26 drops attributes its user profile does not declare; admins may set any (the external id mapping).
  const profile = await admin<Record<string, unknown>>('GET', `${inRealm}/users/profile`);
  await expectSuccess('user profile', admin('PUT', `${inRealm}/users/profile`, { ...profile.body, unmanagedAttributePolicy: 'ADMIN_EDIT' }));

  const clientUuid = async (clientId: string) => (await admin<{ id: string }[]>('GET', `${inRealm}/clients?clientId=${encodeURIComponent(clientId)}`)).body[0].id;

  async function createServiceClient(clientId: string, roles: string[]) {
    const clientSecret = randomBytes(18).toString('base64url');
    await expectSuccess(`client ${clientId}`, admin('POST', `${inRealm}/clients`, { clientId, secret: clientSecret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false }));
    const serviceAccountUser = (await admin<{ id: string }>('GET', `${inRealm}/clients/${await clientUuid(clientId)}/service-account-user`)).body.id;
    const realmManagement = await clientUuid('realm-management');
    const roleRepresentations = await Promise.all(roles.map(async (role) => (await admin('GET', `${inRealm}/clients/${realmManagement}/roles/${role}`)).body));
    await expectSuccess(`roles of ${clientId}`, admin('POST', `${inRealm}/users/${serviceAccountUser}/role-mappings/clients/${realmManagement}`, roleRepresentations));
    return { clientId, clientSecret };
  }

  const serviceAccount = await createServiceClient('account-lockdown', CONNECTOR_ROLES);
  const appClientId = 'test-app';
  await expectSuccess('app client', admin('POST', `${inRealm}/clients`, { clientId: appClientId, publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false }));

  async function token(form: Record<string, string>): Promise<TokenAnswer> {
    const response = await fetch(`${server.url}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ client_id: appClientId, ...form }) });
    return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
  }

  return {
    baseUrl: server.url,
    realm,
    serviceAccount,
    appClientId,
    admin: (method, path, body) => admin(method, `${inRealm}${path}`, body),
    async createUser({ username, email, password, attributes }) {
      await expectSuccess(`user ${username}`, admin('POST', `${inRealm}/users`, { username, email, firstName: username, lastName: 'Test', enabled: true, emailVerified: true, attributes, credentials: [{ type: 'password', value: password, temporary: false }] }));
      const found = await admin<{ id: string }[]>('GET', `${inRealm}/users?username=${encodeURIComponent(username)}&exact=true`);
      return found.body[0].id;
    },
    createServiceClient,
    login: (username, password, options = {}) => token({ grant_type: 'password', username, password, scope: options.offline ? 'openid offline_access' : 'openid' }),
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  };
}
