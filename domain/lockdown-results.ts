import type { TargetStatus } from './lockdown-status';

/**
 * How a lockdown's per-user results can be ordered (GET /lockdowns/:id/results?sort=), declared
 * once: the API's enum is built from it and the query follows it. `-` first: descending.
 */
export const RESULT_SORTS = ['position', 'username', '-username', 'result', '-result', 'sessionsRevoked', '-sessionsRevoked', 'tokensRevoked', '-tokensRevoked'] as const;
export type ResultSort = (typeof RESULT_SORTS)[number];

/** Sorted by result, what needs attention comes first: failures, then users left out, then those under way, then the locked. */
export const RESULT_ORDER: readonly TargetStatus[] = ['failed', 'cancelled', 'running', 'pending', 'locked'];
