import { isSuccess, refusal, send, trimBase, type HttpAnswer, type HttpRequest, type Outbound } from './http';
import { done, failed, notFound, type AccountMapping, type Connector, type ConnectorFailure, type LocalUser, type Outcome, type RemoteAccount } from './types';

/**
 * A SCIM 2.0 service provider (RFC 7643/7644) with a Bearer token. Disabling sets the
 * user's `active` to false with a PATCH, or, on a server that does not implement PATCH
 * (501/405), by replacing the user with a PUT; deleting removes the user.
 */
export interface ScimConnectorConfig {
  /** The SCIM base URL, the parent of /Users, e.g. https://app.example.org/scim/v2 */
  baseUrl: string;
  token: string;
  mapping: AccountMapping;
  /** Per request; a slow server fails the call as retryable. */
  timeoutMs?: number;
  outbound: Outbound;
}

const SERVICE = 'The SCIM server';
const SCIM_JSON = 'application/scim+json';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** An attribute path a filter may name: `externalId`, `name.familyName`, or an extension's `urn:…:User:employeeNumber`. */
export const SCIM_ATTRIBUTE_PATH = /^(urn:[\w.:-]+:)?[A-Za-z][\w$-]*(\.[A-Za-z][\w$-]*)?$/;

type ScimUser = Record<string, unknown> & { id?: unknown; active?: unknown };

export function createScimConnector(config: ScimConnectorConfig): Connector<'scim'> {
  const mapping = config.mapping;
  if (mapping.by === 'external_id' && !SCIM_ATTRIBUTE_PATH.test(mapping.attribute)) throw new Error(`Not a SCIM attribute path: ${JSON.stringify(mapping.attribute)}`);
  const usersUrl = `${trimBase(config.baseUrl)}/Users`;
  const timeoutMs = config.timeoutMs ?? 10_000;

  async function scim(method: HttpRequest['method'], url: string, json?: unknown): Promise<HttpAnswer | ConnectorFailure> {
    const result = await send(SERVICE, {
      method,
      url,
      headers: { Authorization: `Bearer ${config.token}`, Accept: `${SCIM_JSON}, application/json` },
      body: json === undefined ? undefined : { json, contentType: SCIM_JSON },
      timeoutMs,
    }, config.outbound);
    return result.answered ? result.answer : result.failure;
  }

  /** A call on one user: 404 is `not_found`, another non-2xx a failure (except those `tolerated`, left to the caller). */
  async function onUser(account: RemoteAccount, method: HttpRequest['method'], what: string, json?: unknown, tolerated: number[] = []): Promise<Outcome<HttpAnswer>> {
    const answer = await scim(method, `${usersUrl}/${encodeURIComponent(account.id)}`, json);
    if ('reason' in answer) return failed(answer);
    if (answer.status === 404) return notFound;
    if (isSuccess(answer) || tolerated.includes(answer.status)) return done(answer);
    return failed(refusal(SERVICE, what, answer, serverWords(answer)));
  }

  async function findAccount(user: LocalUser): Promise<Outcome<RemoteAccount>> {
    const search = searchFor(mapping, user);
    if ('reason' in search) return failed(search);
    // Two are enough to tell one match from several.
    const answer = await scim('GET', `${usersUrl}?${new URLSearchParams({ filter: search.filter, count: '2' })}`);
    if ('reason' in answer) return failed(answer);
    if (!isSuccess(answer)) return failed(refusal(SERVICE, 'the user search', answer, serverWords(answer)));
    const list = answer.body as { totalResults?: unknown; Resources?: unknown } | null;
    // A 200 that is no ListResponse (an HTML page behind a wrong base URL) must never read as "no such user".
    if (typeof list?.totalResults !== 'number' && !Array.isArray(list?.Resources)) {
      return failed({ reason: 'The SCIM server answered the user search with something other than a list of users (is the base URL right?).', retryable: false, httpStatus: answer.status });
    }
    const resources = Array.isArray(list?.Resources) ? (list.Resources as ScimUser[]) : [];
    // Checked again here: a server that ignored the filter must not get the wrong user disabled.
    const matches = resources.filter(search.matches);
    const total = typeof list?.totalResults === 'number' ? list.totalResults : resources.length;
    if (total > 1) return failed({ reason: `${total} SCIM users match this account; none was changed.`, retryable: false });
    if (matches.length === 0 || typeof matches[0].id !== 'string') return notFound;
    return done({ id: matches[0].id });
  }

  async function setActive(account: RemoteAccount, active: boolean): Promise<Outcome> {
    const what = active ? 'activating the user' : 'deactivating the user';
    const patched = await onUser(account, 'PATCH', what, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] }, [405, 501]);
    if (patched.status !== 'done') return patched;
    if (isSuccess(patched.value)) return done(null);
    // PATCH is optional in RFC 7644: replace the whole user instead, as read just now.
    const current = await onUser(account, 'GET', 'reading the user');
    if (current.status !== 'done') return current;
    const user = current.value.body as ScimUser | null;
    if (typeof user !== 'object' || user === null) return failed({ reason: 'The SCIM server answered the user read without a user.', retryable: true });
    const { meta: _readOnly, ...resource } = user;
    const replaced = await onUser(account, 'PUT', what, { ...resource, active });
    return replaced.status === 'done' ? done(null) : replaced;
  }

  return {
    kind: 'scim',
    findAccount,
    actions: {
      disable: (account) => setActive(account, false),
      async delete(account) {
        const deleted = await onUser(account, 'DELETE', 'deleting the user');
        return deleted.status === 'done' ? done(null) : deleted;
      },
    },
    async verify(account, applied) {
      const current = await onUser(account, 'GET', 'reading the user');
      if (applied.includes('delete')) {
        if (current.status === 'not_found') return done(null);
        return current.status === 'failed' ? current : failed({ reason: 'The SCIM server still has the user.', retryable: true });
      }
      if (current.status !== 'done') return current;
      if (applied.includes('disable') && (current.value.body as ScimUser | null)?.active !== false) return failed({ reason: 'The SCIM server still shows the user active.', retryable: true });
      return done(null);
    },
    enable: (account) => setActive(account, true),
    healthCheck: findAccount,
  };
}

/** The filter for the mapping (values quoted as JSON strings, as RFC 7644 wants), and the match each result must pass. */
function searchFor(mapping: AccountMapping, user: LocalUser): { filter: string; matches: (candidate: ScimUser) => boolean } | ConnectorFailure {
  switch (mapping.by) {
    case 'email': {
      if (!user.email) return { reason: 'The account has no email address, and this connector finds accounts by email.', retryable: false };
      const email = user.email.toLowerCase();
      return {
        filter: `emails.value eq ${JSON.stringify(user.email)}`,
        matches: (candidate) => Array.isArray(candidate.emails) && candidate.emails.some((entry: { value?: unknown }) => typeof entry.value === 'string' && entry.value.toLowerCase() === email),
      };
    }
    case 'username': {
      // userName is case-insensitive (RFC 7643 §4.1.1).
      const username = user.username.toLowerCase();
      return { filter: `userName eq ${JSON.stringify(user.username)}`, matches: (candidate) => typeof candidate.userName === 'string' && candidate.userName.toLowerCase() === username };
    }
    case 'external_id':
      return { filter: `${mapping.attribute} eq ${JSON.stringify(user.id)}`, matches: (candidate) => valueAt(candidate, mapping.attribute) === user.id };
  }
}

/** The value at an attribute path; attribute names are case-insensitive (RFC 7643 §2.1), an extension's are under its schema URN. */
function valueAt(resource: ScimUser, attributePath: string): unknown {
  const urn = /^(urn:[\w.:-]+):([^:]+)$/.exec(attributePath);
  const steps = urn ? [urn[1], ...urn[2].split('.')] : attributePath.split('.');
  let current: unknown = resource;
  for (const step of steps) {
    if (typeof current !== 'object' || current === null) return undefined;
    const key = Object.keys(current).find((name) => name.toLowerCase() === step.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The server's words for a refusal: the SCIM error's `detail`, with its `scimType`. */
function serverWords(answer: HttpAnswer): string | null {
  const body = answer.body as { detail?: unknown; scimType?: unknown } | null;
  const parts = [body?.scimType, body?.detail].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(': ') : null;
}
