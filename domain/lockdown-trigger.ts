/**
 * What started a lockdown that no person asked for (the lockdown's `trigger`): a password
 * locked after repeated failed logins, or a Shared Signal received from a trusted
 * transmitter. Lockdowns a person requested have none. Recorded with the lockdown, shown by
 * the API (`Lockdown.trigger`) and the console.
 */
export const LOCKDOWN_TRIGGER_KINDS = ['password_lockout', 'shared_signal'] as const;
export type LockdownTriggerKind = (typeof LOCKDOWN_TRIGGER_KINDS)[number];

export interface PasswordLockoutTrigger {
  kind: 'password_lockout';
  /** Consecutive failed password logins when the lockdown was requested. */
  failedAttempts: number;
  lockedAt: string;
}

export interface SharedSignalTrigger {
  kind: 'shared_signal';
  transmitter: { id: string; name: string };
  issuer: string;
  /** The event type URIs of the SET. */
  events: string[];
  jti: string;
  /** The SET's `txn`: SETs of one transaction at the transmitter share it (and one lockdown). */
  txn: string | null;
}

export type LockdownTrigger = PasswordLockoutTrigger | SharedSignalTrigger;
