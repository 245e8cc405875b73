/** Audit event actions, spelled as the identity provider spells them. */
export const ACCOUNT_LOCKDOWN_TRIGGERED = 'account_lockdown_triggered';

/** One lockdown event per (lockdown, user): the unique key that makes retries harmless. */
export function lockdownEventDedupKey(lockdownId: string, userId: string): string {
  return `${ACCOUNT_LOCKDOWN_TRIGGERED}:${lockdownId}:${userId}`;
}
