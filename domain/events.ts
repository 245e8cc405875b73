/** Audit event actions, spelled as the identity provider spells them. */
export const ACCOUNT_LOCKDOWN_TRIGGERED = 'account_lockdown_triggered';
/** A per-user run that stopped after its target check: which steps ran, and why it stopped. */
export const ACCOUNT_LOCKDOWN_FAILED = 'account_lockdown_failed';
/** Restoring access after a lockdown. */
export const USER_ACTIVATED = 'user_activated';
export const PASSWORD_SET = 'password_set';
export const RECOVERY_LINK_CREATED = 'recovery_link_created';
/** Changes made through PATCH/DELETE /users/:id (a deactivation also writes its lockdown event). */
export const USER_UPDATED = 'user_updated';
export const USER_DELETED = 'user_deleted';

export type LockdownEventAction = typeof ACCOUNT_LOCKDOWN_TRIGGERED | typeof ACCOUNT_LOCKDOWN_FAILED;

/**
 * One lockdown event per (lockdown, user): the unique key that makes retries harmless. A
 * user's run ends either locked or failed, never both, so the key does not name the action:
 * a second event for the same user and lockdown is impossible whatever the action.
 */
export function lockdownEventDedupKey(lockdownId: string, userId: string): string {
  return `${ACCOUNT_LOCKDOWN_TRIGGERED}:${lockdownId}:${userId}`;
}
