import type { LockdownActions, LockdownCounts } from './lockdown-actions';

/**
 * A lockdown's status and progress — declared and decided here only. Pure: the workflow
 * computes its final status with it, the API's zod enum is built from the list, and a
 * compile-time check (services/schema-parity.ts) holds Prisma's enum to it.
 */
export const LOCKDOWN_STATUSES = [
  'pending',
  'awaiting_input',
  'awaiting_approval',
  'running',
  'completed',
  'cancelled',
  'failed',
  'rejected',
  'expired',
] as const;
export type LockdownStatus = (typeof LOCKDOWN_STATUSES)[number];

export const FINISHED_STATUSES = ['completed', 'cancelled', 'failed', 'rejected', 'expired'] as const satisfies readonly LockdownStatus[];

/** Where one target of a lockdown stands. */
export const TARGET_STATUSES = ['pending', 'running', 'locked', 'failed', 'cancelled'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export interface Progress {
  total: number;
  locked: number;
  failed: number;
  cancelled: number;
  pending: number;
}

/** One target's outcome, as the per-user run reports it, with the counter of each counting action. */
export interface UserLockdownResult extends LockdownCounts {
  userId: string;
  username: string;
  success: boolean;
  error: string | null;
  actions: LockdownActions;
}

export function isFinished(status: LockdownStatus): boolean {
  return (FINISHED_STATUSES as readonly LockdownStatus[]).includes(status);
}

/** Progress from the per-target counts; anything not locked, failed or cancelled is pending (or running). */
export function progressFrom(counts: { total: number; locked: number; failed: number; cancelled: number }): Progress {
  const { total, locked, failed, cancelled } = counts;
  return { total, locked, failed, cancelled, pending: total - locked - failed - cancelled };
}

/**
 * How a run that walked its lockdown stage ends: `cancelled` only if a user was actually
 * left out by the cancel (a cancel that came after every user started changes nothing);
 * `failed` when nobody was locked and someone failed; else `completed` (per-user failures
 * are in the results).
 */
export function finalStatus(progress: Progress): LockdownStatus {
  if (progress.cancelled > 0) return 'cancelled';
  if (progress.locked === 0 && progress.failed > 0) return 'failed';
  return 'completed';
}
