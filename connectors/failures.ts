import type { OutboundFailureReason } from '../lib/outbound-http';
import type { ConnectorFailure } from './types';

/**
 * Which downstream failures can heal by trying again. A 4xx says the request itself is
 * wrong for this server (credentials, permissions, input) and will be refused the same way
 * every time, except 408 (the server gave up waiting) and 429 (too many requests, for now).
 * A 5xx or a network failure (refused, reset, timed out) is the server's trouble, usually
 * passing. Anything else (a redirect) is a misconfigured URL: permanent.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** RFC 9110 `Retry-After`: delay-seconds or an HTTP-date; nothing for a missing or unreadable value. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would read "-5" as a year.
  const date = /^[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A refusal by the server: `reason` says who refused what, with the server's own words if it gave any. */
export function failureOfStatus(status: number, reason: string, retryAfter: string | null): ConnectorFailure {
  if (!isRetryableStatus(status)) return { reason, retryable: false };
  const delay = retryAfterMs(retryAfter);
  return delay === undefined ? { reason, retryable: true } : { reason, retryable: true, retryAfterMs: delay };
}

/**
 * A request that got no answer, in the outbound policy's fixed vocabulary (never the socket's
 * own words, which would tell an admin what listens at an address). Passing trouble
 * (refused, reset, unreachable, timed out, a name the resolver did not find just now) is
 * retryable; what will not change by itself — an address the policy refuses, a TLS failure,
 * something that does not speak HTTP — is not.
 */
export function failureOfOutbound(failure: OutboundFailureReason, service: string, timeoutMs: number): ConnectorFailure {
  switch (failure) {
    case 'timed out':
      return { reason: `${service} did not answer within ${timeoutMs} ms.`, retryable: true };
    case 'address not allowed':
      return { reason: `${service} is at an address the outbound policy refuses (OUTBOUND_ALLOWED_DESTINATIONS).`, retryable: false };
    case 'TLS error':
      return { reason: `${service} could not be reached over TLS (certificate or protocol).`, retryable: false };
    case 'not an HTTP answer':
      return { reason: `${service} did not answer in HTTP (is the URL's port right?).`, retryable: false };
    case 'host not found':
      return { reason: `${service}'s host name was not found.`, retryable: true };
    case 'connection refused':
    case 'connection reset':
    case 'host unreachable':
    case 'request failed':
      return { reason: `${service} is unreachable (${failure}).`, retryable: true };
    default:
      return unknownFailure(failure);
  }
}

function unknownFailure(failure: never): never {
  throw new Error(`Unknown outbound failure: ${String(failure)}`);
}
