import { LOCKDOWN_COUNTERS, type LockdownCounter } from './lockdown-actions';
import type { TargetStatus } from './lockdown-status';

/**
 * How a lockdown's per-user results can be ordered (GET /lockdowns/:id/results?sort=), declared
 * once: the API's enum is built from it and the query follows it. `-` first: descending.
 */
export type ResultSort = 'position' | 'username' | '-username' | 'result' | '-result' | LockdownCounter | `-${LockdownCounter}`;
/** The fixed orders, then each counter of domain/lockdown-actions.ts, ascending and descending. */
export const RESULT_SORTS = [
  'position',
  'username',
  '-username',
  'result',
  '-result',
  ...LOCKDOWN_COUNTERS.flatMap((counter) => [counter, `-${counter}` as const]),
] as [ResultSort, ...ResultSort[]];

/** Sorted by result, what needs attention comes first: failures, then users left out, then those under way, then the locked. */
export const RESULT_ORDER: readonly TargetStatus[] = ['failed', 'cancelled', 'running', 'pending', 'locked'];
