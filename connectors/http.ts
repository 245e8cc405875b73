import { failureOfNetworkError, failureOfStatus } from './failures';
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
 * Sends one request, never more: retrying is the caller's decision (a Temporal activity's
 * retry policy), so a struggling server sees one request per attempt, not a storm.
 * Redirects are not followed: credentials go only to the URL that was configured.
 */
export async function send(service: string, request: HttpRequest): Promise<HttpResult> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  let body: string | URLSearchParams | undefined;
  if (request.body && 'json' in request.body) {
    headers['Content-Type'] = request.body.contentType;
    body = JSON.stringify(request.body.json);
  } else if (request.body) {
    body = request.body.form;
  }
  try {
    const response = await fetch(request.url, { method: request.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(request.timeoutMs) });
    const text = await response.text();
    return { answered: true, answer: { status: response.status, body: parseJson(text), retryAfter: response.headers.get('retry-after') } };
  } catch (err) {
    return { answered: false, failure: failureOfNetworkError(err, service, request.timeoutMs) };
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
  return failureOfStatus(answer.status, `${service} answered HTTP ${answer.status} to ${what}${words}.`, answer.retryAfter);
}

export const isSuccess = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

/** The base URL without trailing slashes, so paths can be appended. */
export const trimBase = (url: string) => url.replace(/\/+$/, '');
