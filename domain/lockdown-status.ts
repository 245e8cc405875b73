import type { LockdownStatus, Progress } from '../workflows/types';

/**
 * A lockdown's status and progress — decided here only. Pure: the workflow computes its
 * final status with it and the API reads progress through it, so the two never disagree.
 */
export const FINISHED_STATUSES: readonly LockdownStatus[] = ['completed', 'cancelled', 'failed', 'rejected', 'expired'];

export function isFinished(status: LockdownStatus): boolean {
  return FINISHED_STATUSES.includes(status);
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
