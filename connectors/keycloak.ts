import { isSuccess, refusal, send, trimBase, type HttpAnswer, type HttpRequest, type Outbound } from './http';
import { done, failed, notFound, type AccountMapping, type Connector, type ConnectorFailure, type LocalUser, type Outcome, type RemoteAccount } from './types';

/**
 * Keycloak through its admin REST API, as a confidential client of the realm whose service
 * account holds the realm-management roles `view-users` and `manage-users`
 * (client-credentials grant). Disabling is `enabled: false` on the user; ending sessions is
 * the user's logout, which also makes every token issued before it stale (offline ones too);
 * revoking grants removes each client's consent, and with it the offline sessions, which
 * Keycloak lists among the consents.
 */
export interface KeycloakConnectorConfig {
  /** The server's root URL, e.g. https://sso.example.org (the admin API is under /admin). */
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  mapping: AccountMapping;
  /** Per request; a slow server fails the call as retryable. */
  timeoutMs?: number;
  outbound: Outbound;
}

const SERVICE = 'Keycloak';
/** Keycloak's `q` search reads "name:value": a name with a colon or a space would search something else. */
export const KEYCLOAK_ATTRIBUTE_NAME = /^[\w.-]{1,255}$/;
/** A token is renewed this long before Keycloak says it expires, so it never expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 30_000;

interface KeycloakUser {
  id: string;
  username?: string;
  email?: string;
  enabled?: boolean;
  attributes?: Record<string, string[]>;
}

export function createKeycloakConnector(config: KeycloakConnectorConfig): Connector<'keycloak'> {
  const mapping = config.mapping;
  if (mapping.by === 'external_id' && !KEYCLOAK_ATTRIBUTE_NAME.test(mapping.attribute)) throw new Error(`Not a Keycloak attribute name: ${JSON.stringify(mapping.attribute)}`);
  const root = trimBase(config.baseUrl);
  const adminBase = `${root}/admin/realms/${encodeURIComponent(config.realm)}`;
  const timeoutMs = config.timeoutMs ?? 10_000;

  // One token for every call until shortly before it expires; concurrent callers share one request for it.
  let token: { value: string; renewAt: number } | null = null;
  let tokenRequest: Promise<string | ConnectorFailure> | null = null;

  async function requestToken(): Promise<string | ConnectorFailure> {
    const result = await send(SERVICE, {
      method: 'POST',
      url: `${root}/realms/${encodeURIComponent(config.realm)}/protocol/openid-connect/token`,
      headers: {},
      body: { form: new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret }) },
      timeoutMs,
    }, config.outbound);
    if (!result.answered) return result.failure;
    const { answer } = result;
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (!isSuccess(answer) || typeof body?.access_token !== 'string') return refusal(SERVICE, 'the client-credentials token request', answer, serverWords(answer));
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 60_000;
    token = { value: body.access_token, renewAt: Date.now() + Math.max(lifetimeMs - TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return body.access_token;
  }

  function accessToken(): Promise<string | ConnectorFailure> {
    if (token && Date.now() < token.renewAt) return Promise.resolve(token.value);
    tokenRequest ??= requestToken().finally(() => (tokenRequest = null));
    return tokenRequest;
  }

  /**
   * One admin API call. A 401 with a token from the cache (revoked, or the server restarted
   * with new keys) is asked once more with a new token; a 401 with a new one is an answer.
   */
  async function admin(method: HttpRequest['method'], path: string, what: string, json?: unknown): Promise<HttpAnswer | ConnectorFailure> {
    for (let retried = false; ; retried = true) {
      const cached = token !== null && Date.now() < token.renewAt;
      const bearer = await accessToken();
      if (typeof bearer !== 'string') return bearer;
      const result = await send(SERVICE, {
        method,
        url: `${adminBase}${path}`,
        headers: { Authorization: `Bearer ${bearer}` },
        body: json === undefined ? undefined : { json, contentType: 'application/json' },
        timeoutMs,
      }, config.outbound);
      if (!result.answered) return result.failure;
      if (result.answer.status === 401 && cached && !retried) {
        token = null;
        continue;
      }
      if (result.answer.status === 404 || isSuccess(result.answer)) return result.answer;
      return refusal(SERVICE, what, result.answer, serverWords(result.answer));
    }
  }

  async function findAccount(user: LocalUser): Promise<Outcome<RemoteAccount>> {
    const search = searchFor(mapping, user);
    if ('reason' in search) return failed(search);
    const answer = await admin('GET', `/users?${search.query}`, 'the user search');
    if (isFailure(answer)) return failed(answer);
    // Here a 404 is about the realm, not the user: a configuration to fix, not an absence.
    if (answer.status === 404) return failed(refusal(SERVICE, 'the user search', answer, serverWords(answer)));
    // A 200 that is not a list (an HTML page behind a wrong base URL) must never read as "no such user".
    if (!Array.isArray(answer.body)) return failed({ reason: 'Keycloak answered the user search with something other than a list of users (is the base URL right?).', retryable: false, httpStatus: answer.status });
    const matches = (answer.body as KeycloakUser[]).filter(search.matches);
    if (matches.length === 0) return notFound;
    if (matches.length > 1) return failed({ reason: `${matches.length} Keycloak users match this account; none was changed.`, retryable: false });
    return done({ id: matches[0].id });
  }

  /** A user-scoped call whose 404 means the account is gone. */
  async function onUser(account: RemoteAccount, method: HttpRequest['method'], path: string, what: string, json?: unknown): Promise<Outcome<HttpAnswer>> {
    const answer = await admin(method, `/users/${encodeURIComponent(account.id)}${path}`, what, json);
    if (isFailure(answer)) return failed(answer);
    return answer.status === 404 ? notFound : done(answer);
  }

  const setEnabled = async (account: RemoteAccount, enabled: boolean): Promise<Outcome> =>
    // Without `attributes`, Keycloak changes only the given fields: the profile stays as it is.
    withoutValue(await onUser(account, 'PUT', '', enabled ? 'enabling the user' : 'disabling the user', { enabled }));

  return {
    kind: 'keycloak',
    findAccount,
    actions: {
      disable: (account) => setEnabled(account, false),
      endSessions: async (account) => withoutValue(await onUser(account, 'POST', '/logout', 'the user logout')),
      async revokeGrants(account) {
        const consents = await onUser(account, 'GET', '/consents', 'the consent list');
        if (consents.status !== 'done') return consents;
        for (const clientId of clientIdsOf(consents.value.body)) {
          // A 404 here is a consent already gone (revoked meanwhile): what was wanted.
          const revoked = await onUser(account, 'DELETE', `/consents/${encodeURIComponent(clientId)}`, 'revoking a consent');
          if (revoked.status === 'failed') return revoked;
        }
        return done(null);
      },
    },
    async verify(account, applied) {
      const problems: string[] = [];
      const user = await onUser(account, 'GET', '', 'reading the user');
      if (user.status !== 'done') return user;
      if (applied.includes('disable') && (user.value.body as KeycloakUser | null)?.enabled !== false) problems.push('the user is enabled');
      if (applied.includes('endSessions')) {
        const sessions = await onUser(account, 'GET', '/sessions', 'the session list');
        if (sessions.status !== 'done') return sessions;
        const count = Array.isArray(sessions.value.body) ? sessions.value.body.length : 0;
        if (count > 0) problems.push(`${count} session(s) remain`);
      }
      if (applied.includes('revokeGrants')) {
        const consents = await onUser(account, 'GET', '/consents', 'the consent list');
        if (consents.status !== 'done') return consents;
        const count = clientIdsOf(consents.value.body).length;
        if (count > 0) problems.push(`${count} client(s) still hold a consent or offline token`);
      }
      if (problems.length > 0) return failed({ reason: `Keycloak still shows: ${problems.join('; ')}.`, retryable: true });
      return done(null);
    },
    enable: (account) => setEnabled(account, true),
    async healthCheck(knownUser) {
      token = null;
      return findAccount(knownUser);
    },
  };
}

/** The admin API's query for the mapping, and the exact match its results must pass (Keycloak's searches are not all exact). */
function searchFor(mapping: AccountMapping, user: LocalUser): { query: string; matches: (candidate: KeycloakUser) => boolean } | ConnectorFailure {
  switch (mapping.by) {
    case 'email': {
      if (!user.email) return { reason: 'The account has no email address, and this connector finds accounts by email.', retryable: false };
      const email = user.email.toLowerCase();
      return { query: new URLSearchParams({ email: user.email, exact: 'true' }).toString(), matches: (candidate) => candidate.email?.toLowerCase() === email };
    }
    case 'username': {
      const username = user.username.toLowerCase();
      return { query: new URLSearchParams({ username: user.username, exact: 'true' }).toString(), matches: (candidate) => candidate.username?.toLowerCase() === username };
    }
    case 'external_id':
      return {
        query: new URLSearchParams({ q: `${mapping.attribute}:${user.id}`, briefRepresentation: 'false' }).toString(),
        matches: (candidate) => candidate.attributes?.[mapping.attribute]?.includes(user.id) ?? false,
      };
  }
}

function clientIdsOf(consents: unknown): string[] {
  return Array.isArray(consents) ? consents.map((consent: { clientId?: unknown }) => consent.clientId).filter((id): id is string => typeof id === 'string') : [];
}

/** Keycloak's words for a refusal: OAuth's `error_description`/`error`, or the admin API's `errorMessage`/`error`. */
function serverWords(answer: HttpAnswer): string | null {
  const body = answer.body as { error?: unknown; error_description?: unknown; errorMessage?: unknown } | null;
  const parts = [body?.error, body?.error_description ?? body?.errorMessage].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(': ') : null;
}

function isFailure(value: HttpAnswer | ConnectorFailure): value is ConnectorFailure {
  return 'reason' in value;
}

function withoutValue(outcome: Outcome<unknown>): Outcome {
  return outcome.status === 'done' ? done(null) : outcome;
}
