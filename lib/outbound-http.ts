import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { OutboundPolicy } from './outbound-address';

/**
 * Requests to destinations an admin configured (webhooks, Shared Signals receivers, the JWKS
 * of Shared Signals transmitters, downstream connectors), under
 * the outbound address policy (lib/outbound-address.ts):
 *
 * - the host is resolved once, every address it resolves to is checked, and the connection
 *   goes to an address that was checked (the check happens inside the socket's own lookup,
 *   so DNS cannot answer differently between the check and the connection);
 * - redirects are never followed (a 3xx is an answer like any other);
 * - failures are reported in a fixed vocabulary (`OutboundFailure`): never the peer's body
 *   or the socket's error text, which would tell an admin what listens at an address.
 */
export const OUTBOUND_FAILURES = [
  'address not allowed',
  'host not found',
  'connection refused',
  'connection reset',
  'host unreachable',
  'timed out',
  'TLS error',
  'not an HTTP answer',
  'request failed',
] as const;
export type OutboundFailureReason = (typeof OUTBOUND_FAILURES)[number];

export class OutboundFailure extends Error {
  constructor(readonly reason: OutboundFailureReason) {
    super(reason);
    this.name = 'OutboundFailure';
  }
}

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  /** None for a request without a body (a GET). */
  body?: string;
  timeoutMs: number;
  policy: OutboundPolicy;
  /** How much of the answer's body to keep (for a documented error code); the rest is discarded. */
  maxBodyBytes?: number;
  /** The resolver (tests replace it to prove the connection is pinned to the checked address). */
  resolve?: typeof dnsLookup;
}

export interface OutboundResponse {
  status: number;
  /** At most `maxBodyBytes` of the body, as text. */
  body: string;
  /** The body was longer than `maxBodyBytes`: `body` is its beginning only. */
  truncated: boolean;
  headers: http.IncomingHttpHeaders;
}

/** A lookup that checks every address the host resolves to and hands the socket only those. */
function checkedLookup(policy: OutboundPolicy, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(new OutboundFailure('host not found'), '', 0);
      if (addresses.length === 0 || addresses.some(({ address }) => !policy.allows(hostname, address))) {
        return callback(new OutboundFailure('address not allowed'), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Socket and TLS error codes, in the fixed vocabulary. */
function reasonOf(err: unknown): OutboundFailureReason {
  if (err instanceof OutboundFailure) return err.reason;
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR') return 'timed out';
  if (typeof code !== 'string') return 'request failed';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'host unreachable';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code.startsWith('HPE_')) return 'not an HTTP answer';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO/.test(code)) return 'TLS error';
  return 'request failed';
}

/** Sends one request under the policy. Resolves with any HTTP answer; rejects with an `OutboundFailure`. */
export function sendOutbound(target: string, request: OutboundRequest): Promise<OutboundResponse> {
  const url = new URL(target);
  const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // An address in the URL is never looked up: it is checked here.
  if (isIP(literal) !== 0 && !request.policy.allows(literal, literal)) return Promise.reject(new OutboundFailure('address not allowed'));
  const maxBodyBytes = request.maxBodyBytes ?? 0;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const fail = (err: unknown) => reject(new OutboundFailure(reasonOf(err)));
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, ...(request.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(request.body)) }) },
        lookup: checkedLookup(request.policy, request.resolve ?? dnsLookup),
        signal: AbortSignal.timeout(request.timeoutMs),
        // One connection per request: a pooled socket would skip the lookup that checked its address.
        agent: false,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let truncated = false;
        // Only the status and the first bytes matter: the rest is never read.
        const finish = () => {
          resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), truncated, headers: incoming.headers });
          incoming.destroy();
        };
        incoming.on('data', (chunk: Buffer) => {
          const room = maxBodyBytes - kept;
          if (chunk.length > room) truncated = true;
          chunks.push(chunk.subarray(0, room));
          kept += Math.min(chunk.length, room);
          if (truncated) finish();
        });
        incoming.on('end', finish);
        incoming.on('error', fail);
        if (maxBodyBytes === 0) finish();
      },
    );
    outgoing.on('error', fail);
    outgoing.end(request.body);
  });
}

/** What a failed send is recorded as: the fixed reason, or the HTTP status. */
export function outboundFailureText(err: unknown): string {
  return err instanceof OutboundFailure ? err.reason : reasonOf(err);
}
