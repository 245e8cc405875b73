/**
 * Errors the use cases raise, named by what went wrong rather than by an HTTP status; the
 * HTTP layer maps each kind to its status (api/http/errors.ts), so services/ never imports api/.
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

export const invalid = (message: string, details?: unknown[], code = 'invalid_request') => new DomainError('invalid', code, message, details);
export const denied = (message = 'You do not have permission to perform this action.') => new DomainError('forbidden', 'permission_denied', message);
export const notFoundError = (what = 'Resource') => new DomainError('not_found', 'not_found', `${what} not found.`);
export const conflictError = (message: string, code = 'conflict') => new DomainError('conflict', code, message);
export const unavailableError = (message: string, code = 'unavailable') => new DomainError('unavailable', code, message);
