import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Every activity retries with backoff and no attempt limit: transient failures (database
 * or network down) are waited out; activities mark their own permanent failures
 * non-retryable (see activities/failures.ts).
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * The per-user steps are short database transactions: run as local activities they cost
 * no server round trip each (the results are recorded as markers), which is what lets a
 * bulk lockdown keep up on a small Temporal deployment. Same unlimited, backed-off retries.
 */
export const LOCAL_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: ACTIVITY_OPTIONS.retry,
};

/**
 * Containment deactivates every target of a lockdown in batches: seconds for 10,000 users,
 * so a longer timeout than a per-user step; it retries like them.
 */
export const CONTAINMENT_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: ACTIVITY_OPTIONS.retry,
};
