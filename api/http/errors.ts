import type {} from 'pino-http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { DomainError, type DomainErrorKind } from '../../domain/errors';
import { isRaceLost, isUniqueViolation } from '../../services/unique-violation';

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

/**
 * Errors of the libraries below the routes (body parsing, URL decoding, static files) have
 * a status but a message written for developers, sometimes with a file path: answered with
 * a fixed message per kind, never theirs.
 */
function libraryError(err: { status?: unknown; statusCode?: unknown; type?: unknown }): { status: number; code: string; message: string } | null {
  const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : null;
  if (status === null || status < 400 || status >= 500) return null;
  switch (err.type) {
    case 'entity.too.large':
      return { status, code: 'payload_too_large', message: 'The request body is too large.' };
    case 'entity.parse.failed':
      return { status, code: 'invalid_json', message: 'The request body is not valid JSON.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status, code: 'unsupported_encoding', message: 'The request body’s encoding or charset is not supported; send UTF-8 JSON.' };
    default:
      if (status === 404) return { status, code: 'not_found', message: 'Not found.' };
      return { status, code: 'invalid_request', message: 'The request is not valid (for example, a malformed percent-encoding in the URL).' };
  }
}

/** A write that lost a race with a deletion: the 404 the loser would have had a moment later. */
function raceLost(err: unknown): HttpError | null {
  if (isRaceLost(err)) {
    return new HttpError(404, 'not_found', 'The resource was deleted while this request changed it.');
  }
  return null;
}

// ── Domain errors (raised by services/) → HTTP; a unique violation nobody handled is a 409, never a 500. ──
const STATUS_OF: Record<DomainErrorKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 };
export function httpErrorOf(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(STATUS_OF[err.kind], err.code, err.message, err.details);
  if (isUniqueViolation(err)) return new HttpError(409, 'conflict', 'This conflicts with an existing record.');
  return raceLost(err);
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = httpErrorOf(err);
  if (known) {
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  const library = libraryError(err);
  if (library) {
    res.status(library.status).json(errorBody(library.code, library.message));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(errorBody('internal_error', 'An unexpected error occurred. It has been logged.'));
};

/**
 * Requests Node's HTTP parser refuses before Express sees them — headers over
 * `maxHeaderSize` (16 KB by default), control bytes in a header, a malformed request line —
 * are answered here, in the same error envelope, and the connection is closed.
 */
export function answerClientErrorsInEnvelope(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The request headers are too large (16 KB at most, URL included).']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'The request took too long to arrive.']
          : [400, 'malformed_request', 'The request is not valid HTTP (for example, a control character in a header).'];
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
