import type { OutboundPolicy } from '../lib/outbound-address';
import { OutboundFailure, sendOutbound } from '../lib/outbound-http';
import { failureOfOutbound, failureOfStatus } from './failures';
import type { ConnectorFailure } from './types';

/** One request to a downstream admin API, with a deadline. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** A JSON body (sent with the given Content-Type), or a form. */
  body?: { json: unknown; contentType: string } | { form: URLSearchParams };
  timeoutMs: number;
}

/** The server's answer, read whole: its JSON body (null when there is none, or it is not JSON). */
export interface HttpAnswer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

export type HttpResult = { answered: true; answer: HttpAnswer } | { answered: false; failure: ConnectorFailure };

/**
 * How a connector reaches its server: under the outbound address policy
 * (lib/outbound-address.ts — the host resolved once, every address checked, the connection
 * pinned to a checked one), and, for metrics, told of every request as it ends.
 */
export interface Outbound {
  policy: OutboundPolicy;
  /** `status`: the HTTP status, or null when no answer came. */
  observe?: (request: { status: number | null; seconds: number }) => void;
}

/** Admin API answers are small (one user, a few sessions): a larger one is a misconfigured URL, not data to parse. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Sends one request, never more: retrying is the caller's decision (a Temporal activity's
 * retry policy), so a struggling server sees one request per attempt, not a storm.
 * Redirects are not followed: credentials go only to the URL that was configured.
 */
export async function send(service: string, request: HttpRequest, outbound: Outbound): Promise<HttpResult> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body && 'json' in request.body) {
    headers['Content-Type'] = request.body.contentType;
    body = JSON.stringify(request.body.json);
  } else if (request.body) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = request.body.form.toString();
  }
  const started = performance.now();
  const observe = (status: number | null) => outbound.observe?.({ status, seconds: (performance.now() - started) / 1000 });
  try {
    const response = await sendOutbound(request.url, { method: request.method, headers, body, timeoutMs: request.timeoutMs, policy: outbound.policy, maxBodyBytes: MAX_ANSWER_BYTES });
    observe(response.status);
    if (response.truncated) {
      return { answered: false, failure: { reason: `${service} answered with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB (is the base URL right?).`, retryable: false, httpStatus: response.status } };
    }
    const retryAfter = response.headers['retry-after'];
    return { answered: true, answer: { status: response.status, body: parseJson(response.body), retryAfter: typeof retryAfter === 'string' ? retryAfter : null } };
  } catch (err) {
    observe(null);
    if (!(err instanceof OutboundFailure)) throw err;
    return { answered: false, failure: failureOfOutbound(err.reason, service, request.timeoutMs) };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** A non-2xx answer as a failure: "<service> answered HTTP 403 to <what> (<the server's words>)." */
export function refusal(service: string, what: string, answer: HttpAnswer, serverWords: string | null): ConnectorFailure {
  const words = serverWords ? ` (${serverWords.replace(/\s+/g, ' ').trim().slice(0, 300)})` : '';
  return { ...failureOfStatus(answer.status, `${service} answered HTTP ${answer.status} to ${what}${words}.`, answer.retryAfter), httpStatus: answer.status };
}

export const isSuccess = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

/** The base URL without trailing slashes, so paths can be appended. */
export const trimBase = (url: string) => url.replace(/\/+$/, '');
