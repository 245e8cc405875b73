/**
 * Password lockout: after N consecutive failed password logins an account's password is
 * locked — a correct password is refused like a wrong one — until an administrator unlocks
 * it or sets a new one. Pure rules; counting is services/password-lockout.ts.
 */

/** The internal service account that requests the lockdowns a password lockout escalates to. */
export const PASSWORD_LOCKOUT_ACCOUNT = 'system:password-lockout';

/** A brand's policy as stored (no row: off); `attempts` null means the configured default. */
export interface PasswordLockoutPolicySetting {
  enabled: boolean;
  attempts: number | null;
  escalate: boolean;
}

/** The policy a login is judged by. */
export interface EffectiveLockoutPolicy {
  enabled: boolean;
  attempts: number;
  escalate: boolean;
  /** The brand whose lockdown flow an escalation runs. */
  brandId: string | null;
}

export const LOCKOUT_OFF: EffectiveLockoutPolicy = { enabled: false, attempts: 0, escalate: false, brandId: null };

function effective(setting: PasswordLockoutPolicySetting | null, defaultAttempts: number, brandId: string | null): EffectiveLockoutPolicy {
  if (!setting?.enabled) return { ...LOCKOUT_OFF, brandId };
  return { enabled: true, attempts: setting.attempts ?? defaultAttempts, escalate: setting.escalate, brandId };
}

/**
 * The policy of the brand serving a login, never weaker than the default brand's (as a
 * lockdown flow is never weaker, services/flow-snapshot.ts): on when either is, the lower
 * threshold, escalation when either escalates.
 */
export function lockoutPolicyOf(
  serving: { brandId: string; setting: PasswordLockoutPolicySetting | null } | null,
  defaultBrand: { brandId: string; setting: PasswordLockoutPolicySetting | null } | null,
  defaultAttempts: number,
): EffectiveLockoutPolicy {
  const own = serving ? effective(serving.setting, defaultAttempts, serving.brandId) : LOCKOUT_OFF;
  if (!defaultBrand || serving?.brandId === defaultBrand.brandId) return own;
  const floor = effective(defaultBrand.setting, defaultAttempts, defaultBrand.brandId);
  if (!own.enabled) return floor.enabled ? { ...floor, brandId: own.brandId ?? floor.brandId } : own;
  if (!floor.enabled) return own;
  return { enabled: true, attempts: Math.min(own.attempts, floor.attempts), escalate: own.escalate || floor.escalate, brandId: own.brandId };
}

/** Whether this failure, the `failedAttempts`-th in a row, locks the password. */
export function reachesLockout(policy: EffectiveLockoutPolicy, failedAttempts: number): boolean {
  return policy.enabled && failedAttempts >= policy.attempts;
}

/** The reason of the lockdown an escalation requests. */
export function passwordLockoutReason(failedAttempts: number): string {
  return `Password lockout: ${failedAttempts} consecutive failed password logins.`;
}
