import type {} from 'pino-http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError, type DomainErrorKind } from '../../domain/errors';
import { isUniqueViolation } from '../../lib/unique-violation';

/**
 * The one error envelope: `{ error: { code, message, details? } }`.
 * Anything that is not an HttpError is a bug: logged in full, answered without a stack.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown[], code = 'invalid_request') => new HttpError(400, code, message, details);
export const unauthorized = (message = 'Authentication credentials were not provided or are not valid.') =>
  new HttpError(401, 'not_authenticated', message);
export const forbidden = (message = 'You do not have permission to perform this action.') => new HttpError(403, 'permission_denied', message);
export const notFound = (what = 'Resource') => new HttpError(404, 'not_found', `${what} not found.`);
export const conflict = (message: string, code = 'conflict') => new HttpError(409, code, message);
export const unavailable = (message: string, code = 'unavailable') => new HttpError(503, code, message);

/** zod issues as `details` entries that name the field at fault. */
export function validationError(error: z.ZodError, location: 'body' | 'query' | 'params'): HttpError {
  const details = error.issues.map((issue) => ({
    field: [location, ...issue.path].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  return badRequest(`Invalid ${location}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}

export const errorBody = (code: string, message: string, details?: unknown[]) => ({ error: { code, message, ...(details ? { details } : {}) } });

export const unknownRoute: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('not_found', `No route for ${req.method} ${req.path}.`));
};

// ── Domain errors (raised by services/) → HTTP; a unique violation nobody handled is a 409, never a 500. ──
const STATUS_OF: Record<DomainErrorKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 };
export function httpErrorOf(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(STATUS_OF[err.kind], err.code, err.message, err.details);
  if (isUniqueViolation(err)) return new HttpError(409, 'conflict', 'This conflicts with an existing record.');
  return null;
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = httpErrorOf(err);
  if (known) {
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  // Errors raised by body parsing (malformed JSON, too large, bad encoding).
  const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = err.type === 'entity.too.large' ? 'payload_too_large' : err.type === 'entity.parse.failed' ? 'invalid_json' : 'invalid_request';
    const message = code === 'invalid_json' ? 'The request body is not valid JSON.' : code === 'payload_too_large' ? 'The request body is too large.' : String(err.message);
    res.status(status).json(errorBody(code, message));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(errorBody('internal_error', 'An unexpected error occurred. It has been logged.'));
};
