import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Every activity retries with backoff and no attempt limit: transient failures (database
 * or network down) are waited out; activities mark their own permanent failures
 * non-retryable (see activities/failures.ts).
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
