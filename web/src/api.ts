/**
 * The console talks to the public API only, with the session cookie. State-changing
 * requests carry the session's CSRF token (X-CSRF-Token), fetched once per session.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }

  /** Messages per field key (`body.reason` → `reason`), for errors shown beside their field. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const detail of this.details) {
      if (detail && typeof detail === 'object' && 'field' in detail) {
        const { field, message } = detail as FieldError;
        const key = String(field).replace(/^(body|query|params)\./, '');
        errors[key] = errors[key] ? `${errors[key]} ${message}` : String(message);
      }
    }
    return errors;
  }
}

let csrfToken: string | null = null;
/** Called when the session is gone (401 on a call that needed one). */
let onSessionLost: (() => void) | null = null;
let sessionLost = false;

/** True once a call found the session gone (the login page then says so). */
export function consumeSessionLost(): boolean {
  const lost = sessionLost;
  sessionLost = false;
  return lost;
}

export function setSessionLostHandler(handler: () => void) {
  onSessionLost = handler;
}

export function forgetCsrfToken() {
  csrfToken = null;
}

async function csrf(): Promise<string> {
  if (!csrfToken) csrfToken = (await request<{ csrfToken: string }>('GET', '/auth/csrf')).csrfToken;
  return csrfToken;
}

async function request<T>(method: string, path: string, body?: unknown, options: { anonymous?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && !options.anonymous) headers['X-CSRF-Token'] = await csrf();
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const error = payload?.error;
    const failure = new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${response.status}.`, error?.details ?? []);
    if (response.status === 401 && !options.anonymous) {
      csrfToken = null;
      sessionLost = true;
      onSessionLost?.();
    }
    throw failure;
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  /** A GET that may be made without a session (401 is an answer, not a lost session). */
  getAnonymous: <T>(path: string) => request<T>('GET', path, undefined, { anonymous: true }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  postAnonymous: <T>(path: string, body: unknown) => request<T>('POST', path, body, { anonymous: true }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
