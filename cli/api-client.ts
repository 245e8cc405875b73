/**
 * The CLI's only way in: the public HTTP API (`/api/v1`), authenticated with a session key.
 * Every failure becomes an ApiError with a message an operator can act on.
 */
export const EXIT = {
  ok: 0,
  /** The run ended with failed or cancelled users, or the lockdown failed. */
  runNotClean: 1,
  /** Bad command line or input file. */
  usage: 2,
  /** The API refused (401, 403, 404, 409, 400). */
  refused: 3,
  /** The API could not be reached or answered 5xx. */
  unavailable: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface ErrorEnvelope {
  error?: { code?: string; message?: string; details?: { field?: string; message?: string }[] };
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly sessionKey: string | null,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const url = new URL(path, this.baseUrl).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(this.sessionKey ? { Authorization: `Bearer ${this.sessionKey}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`Cannot reach the Account Lockdown API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err as Error).message}).`, EXIT.unavailable);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (response.ok) return parsed as T;
    throw errorFor(response.status, parsed as ErrorEnvelope | undefined, method, path);
  }

  get = <T>(path: string) => this.request<T>('GET', path);
  post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', path, body ?? {}, headers);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 500) } };
  }
}

function errorFor(status: number, envelope: ErrorEnvelope | undefined, method: string, path: string): CliError {
  const serverMessage = envelope?.error?.message ?? `HTTP ${status}`;
  const code = envelope?.error?.code;
  switch (status) {
    case 401:
      return new CliError('Not logged in, or the session expired. Run `lockdown login` first.', EXIT.refused, status, code);
    case 403:
      return new CliError(`Permission denied: ${serverMessage}`, EXIT.refused, status, code);
    case 404:
      return new CliError(`Not found: ${serverMessage} (${method} ${path})`, EXIT.refused, status, code);
    case 409:
      return new CliError(`Conflict: ${serverMessage}`, EXIT.refused, status, code);
    case 400: {
      const fields = (envelope?.error?.details ?? []).filter((detail) => detail.field).map((detail) => `  ${detail.field}: ${detail.message}`);
      return new CliError([`Rejected: ${serverMessage}`, ...fields].join('\n'), EXIT.refused, status, code);
    }
    case 429:
      return new CliError(`Too many attempts: ${serverMessage} Wait a minute and try again.`, EXIT.refused, status, code);
    default:
      return new CliError(
        status >= 500 ? `The API failed (${status}): ${serverMessage}` : `Unexpected answer ${status}: ${serverMessage}`,
        status >= 500 ? EXIT.unavailable : EXIT.refused,
        status,
        code,
      );
  }
}
