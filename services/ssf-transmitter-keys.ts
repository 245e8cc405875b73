import type { JSONWebKeySet, JWK } from 'jose';
import type { Config } from '../lib/config';
import { outboundPolicy } from '../lib/outbound-address';
import { outboundFailureText, sendOutbound } from '../lib/outbound-http';

/**
 * The public keys a transmitter signs its SETs with: pasted by an admin, or fetched from its
 * `jwksUrl` through the outbound address policy (lib/outbound-http.ts: checked addresses, no
 * redirects) and kept for SSF_JWKS_CACHE_SECONDS. A SET signed with a key the cached set does
 * not know makes one early fetch (at most every REFETCH_AFTER_MS: a forger cannot make us
 * fetch on every push), so a transmitter's key rotation is picked up at once. When the
 * transmitter's JWKS cannot be fetched, the keys last fetched keep verifying.
 */
export class TransmitterKeysUnavailable extends Error {}

const FETCH_TIMEOUT_MS = 5_000;
const MAX_JWKS_BYTES = 64 * 1024;
const REFETCH_AFTER_MS = 30_000;
const MAX_KEYS = 20;
/** Members only private or symmetric keys have: such a key is never accepted as a transmitter's. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const SIGNING_KEY_TYPES = ['EC', 'RSA', 'OKP'];

/** The keys of a JWK Set that may verify a SET: public signing keys only; null when it is no JWK Set. */
export function publicSigningKeys(value: unknown): JSONWebKeySet | null {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) return null;
  const keys = ((value as { keys: unknown[] }).keys as JWK[]).filter(
    (key) =>
      key !== null &&
      typeof key === 'object' &&
      SIGNING_KEY_TYPES.includes(key.kty ?? '') &&
      (key.use === undefined || key.use === 'sig') &&
      !PRIVATE_MEMBERS.some((member) => member in key),
  );
  return { keys: keys.slice(0, MAX_KEYS) };
}

/** Why a pasted JWK Set is refused, or null when it is usable. */
export function pastedKeysProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) return 'must be a JWK Set: { "keys": [ … ] }';
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0 || keys.length > MAX_KEYS) return `must hold 1 to ${MAX_KEYS} keys`;
  if (keys.some((key) => key && typeof key === 'object' && PRIVATE_MEMBERS.some((member) => member in key))) return 'must hold public keys only (a private or symmetric key was given)';
  if (publicSigningKeys(value)?.keys.length !== keys.length) return 'every key must be an EC, RSA or OKP public key for signatures';
  return null;
}

export function createTransmitterKeys(config: Pick<Config, 'OUTBOUND_ALLOWED_DESTINATIONS' | 'SSF_JWKS_CACHE_SECONDS'>) {
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);
  const cache = new Map<string, { keys: JSONWebKeySet; fetchedAt: number }>();

  async function fetchKeys(url: string): Promise<JSONWebKeySet> {
    let response: { status: number; body: string };
    try {
      response = await sendOutbound(url, { method: 'GET', headers: { Accept: 'application/jwk-set+json, application/json', 'User-Agent': 'account-lockdown-ssf' }, timeoutMs: FETCH_TIMEOUT_MS, policy, maxBodyBytes: MAX_JWKS_BYTES });
    } catch (err) {
      throw new TransmitterKeysUnavailable(`The transmitter's JWKS could not be fetched (${outboundFailureText(err)}).`);
    }
    if (response.status !== 200) throw new TransmitterKeysUnavailable(`The transmitter's JWKS answered HTTP ${response.status}.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      throw new TransmitterKeysUnavailable(`The transmitter's JWKS is not JSON (or larger than ${MAX_JWKS_BYTES} bytes).`);
    }
    const keys = publicSigningKeys(parsed);
    if (!keys) throw new TransmitterKeysUnavailable("The transmitter's JWKS is not a JWK Set.");
    return keys;
  }

  return {
    /** The keys to verify with; `refresh`: the cached set did not know the SET's key. */
    async keySet(transmitter: { id: string; jwksUrl: string | null; jwks: unknown }, options: { refresh?: boolean } = {}): Promise<JSONWebKeySet> {
      if (!transmitter.jwksUrl) return publicSigningKeys(transmitter.jwks) ?? { keys: [] };
      // Per URL: a transmitter given another URL starts afresh.
      const entry = `${transmitter.id} ${transmitter.jwksUrl}`;
      const cached = cache.get(entry);
      const age = cached ? Date.now() - cached.fetchedAt : Infinity;
      const stale = age >= config.SSF_JWKS_CACHE_SECONDS * 1_000 || (options.refresh === true && age >= REFETCH_AFTER_MS);
      if (cached && !stale) return cached.keys;
      try {
        const keys = await fetchKeys(transmitter.jwksUrl);
        cache.set(entry, { keys, fetchedAt: Date.now() });
        return keys;
      } catch (err) {
        if (cached) return cached.keys;
        throw err;
      }
    },
    /** Whether a refreshed fetch may find a key the cached set does not have. */
    mayRefresh: (transmitter: { jwksUrl: string | null }) => transmitter.jwksUrl !== null,
  };
}

export type TransmitterKeys = ReturnType<typeof createTransmitterKeys>;
