import { ApplicationFailure } from '@temporalio/workflow';

/** The innermost human-readable message of an activity failure. */
export function failureMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && 'cause' in current && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}
