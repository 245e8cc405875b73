import { perAction, type LockdownActions } from './lockdown-actions';

/**
 * Deactivating a user outside a lockdown request (PATCH /users/:id `isActive: false`,
 * DELETE /users/:id) runs the same per-user lockdown: deactivate, end every session,
 * revoke every token, verify, one audit event — whose context names the `cause`.
 */
export const DEACTIVATION_CAUSES = ['user_deactivated', 'user_deleted'] as const;
export type DeactivationCause = (typeof DEACTIVATION_CAUSES)[number];

/** The slug recorded as the flow of such a lockdown: no brand's flow governs it (no prompts, no password change). */
export const DEACTIVATION_FLOW_SLUG = 'user-deactivation';

/**
 * What a deactivation does: deactivate, and every action `revokedOnDeactivation` (each
 * credential that would work again once the user is re-activated); not the password.
 */
export const DEACTIVATION_ACTIONS: LockdownActions = perAction((action) => action.key === 'deactivateUser' || action.revokedOnDeactivation);

export const DEACTIVATION_REASONS: Record<DeactivationCause, string> = {
  user_deactivated: 'User deactivated (PATCH /api/v1/users/:id, isActive false)',
  user_deleted: 'User deleted (DELETE /api/v1/users/:id)',
};
