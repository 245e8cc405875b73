import type { LockdownStatus } from './lockdown-status';

/**
 * What cancelling a lockdown means, in one set of words: the per-user result of a target
 * left out after containment, the API's `cancellation` (what cancelling does now, and what a
 * cancel did), the console's confirmation and banner, and the README all say it this way.
 *
 * Cancelling stops the run from starting more users; users already started finish locking.
 * Containment first has already deactivated every target before the first user started, so
 * the users left out stay deactivated — but their password, sessions and tokens were not
 * touched. Undoing that is activating them; finishing the job is a new lockdown of them.
 */
export const STAY_DEACTIVATED = 'stay deactivated: containment already ran, but their password, sessions and tokens were not touched';
export const UNDO_CANCELLED_AFTER_CONTAINMENT =
  'To undo, activate them (their user page › Activate, or POST /api/v1/users/:id/activate); to finish locking them, start a new lockdown of them.';

/** The per-user result of a target the cancel left out after containment deactivated it. */
export const CANCELLED_AFTER_CONTAINMENT =
  'Cancelled after containment: the account stays deactivated, but its password, sessions and tokens were not touched. To undo, activate it; to finish locking it, lock it again.';

export interface CancelState {
  status: LockdownStatus;
  /** Targets containment made inactive (null: it has not run). */
  contained: number | null;
  total: number;
}

/** What cancelling does now (the confirmation asks this), or null when it cannot be cancelled. */
export function cancelEffect({ status, contained, total }: CancelState): string | null {
  switch (status) {
    case 'pending':
    case 'awaiting_input':
      return 'Nobody has been touched yet: cancelling ends the lockdown and nobody is locked.';
    case 'awaiting_approval':
      return 'Nobody has been touched yet: cancelling withdraws the request and nobody is locked.';
    case 'running':
      if (total <= 1) return 'Its one user has already started: cancelling changes nothing, the lockdown finishes.';
      return contained !== null && contained > 0
        ? `No more users will be started; the users already started finish locking. The users not yet started ${STAY_DEACTIVATED}. ${UNDO_CANCELLED_AFTER_CONTAINMENT}`
        : 'No more users will be started; the users already started finish locking; the others are left as they are.';
    default:
      return null;
  }
}

/** What a cancel did to the users it left out, or null when it left out nobody who changed. */
export function cancelledOutcome(counts: { cancelledAfterContainment: number }): string | null {
  const { cancelledAfterContainment: left } = counts;
  if (left === 0) return null;
  return `Cancelled after containment: ${left === 1 ? 'the 1 user' : `the ${left} users`} not yet started ${STAY_DEACTIVATED}. ${UNDO_CANCELLED_AFTER_CONTAINMENT}`;
}
