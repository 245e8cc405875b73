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
 * A request that got no answer: retryable, with what happened in words (never the URL's
 * query). Read by shape, not class: fetch's errors may come from another realm (jest's).
 */
export function failureOfNetworkError(err: unknown, service: string, timeoutMs: number): ConnectorFailure {
  const { name, message, cause } = (err ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return { reason: `${service} did not answer within ${timeoutMs} ms.`, retryable: true };
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : typeof message === 'string' ? message : String(err);
  return { reason: `${service} is unreachable (${detail}).`, retryable: true };
}
