import { ApplicationFailure, Context } from '@temporalio/activity';

/**
 * Which activity errors are retried.
 *
 * Workflows retry every activity without an attempt limit, so that a database or network
 * outage is waited out and no lockdown is lost. Errors that are not about connectivity
 * (a constraint, a bug, a trigger refusing the change) would never heal: after a few
 * attempts they become non-retryable, and the user's result records the reason.
 */
const ATTEMPTS_FOR_PERMANENT_ERRORS = 3;

// PostgreSQL classes 08 (connection), 53 (resources), 57P (shutdown), 40001/40P01 (retry me),
// and Prisma's connection/pool errors.
const TRANSIENT_CODES = /^(08\w{3}|53\w{3}|57P0[1-3]|40001|40P01|P1001|P1002|P1008|P1017|P2024|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/;
const TRANSIENT_MESSAGES = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|connection (?:is )?closed|Can't reach database|timeout exceeded when trying to connect|the database system is (?:starting up|shutting down)|terminating connection|Client has encountered a connection error/i;
// A connection lost inside an interactive transaction (e.g. at COMMIT) reaches us as Prisma's
// bare DriverAdapterError, whose cause names the problem as `kind` (mapped from the codes above).
const TRANSIENT_ADAPTER_KINDS = /^(ConnectionClosed|DatabaseNotReachable|SocketTimeout|TooManyConnections|TransactionWriteConflict)$/;

export function isTransientError(err: unknown): boolean {
  for (let current: unknown = err; current; current = (current as { cause?: unknown }).cause) {
    const { code, message, kind } = current as { code?: unknown; message?: unknown; kind?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.test(code)) return true;
    if (typeof kind === 'string' && TRANSIENT_ADAPTER_KINDS.test(kind)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
    if (typeof current !== 'object') break;
  }
  return false;
}

export function classifyFailure(err: unknown, attempt: number): unknown {
  if (err instanceof ApplicationFailure || isTransientError(err)) return err;
  if (attempt < ATTEMPTS_FOR_PERMANENT_ERRORS) return err;
  return ApplicationFailure.nonRetryable(publicMessage(err), 'LockdownStepFailed');
}

/**
 * The message an activity failure is recorded with (the user's result, the lockdown's error,
 * the audit event): Prisma prefixes its errors with the call site — a server file path and
 * a code excerpt — which must never reach readers; only its last line says what happened.
 */
export function publicMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!/Invalid `[^`]*` invocation/.test(message)) return message;
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'A database error occurred.';
}

/** Wraps every activity of a set with `classifyFailure`, except those that must retry until they succeed. */
export function withFailureClassification<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T, retriedUntilSuccess: ReadonlySet<string> = new Set()): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    if (retriedUntilSuccess.has(name)) {
      wrapped[name] = activity;
      continue;
    }
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw classifyFailure(err, Context.current().info.attempt);
      }
    };
  }
  return wrapped as T;
}
