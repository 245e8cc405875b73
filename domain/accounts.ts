/**
 * Protected accounts: never locked. Decided here only; the API refuses them and the
 * workflow re-checks with the same function before acting.
 */
export const ANONYMOUS_USERNAME = 'AnonymousUser';

export interface AccountIdentity {
  username: string;
  type: string;
}

export function isProtectedAccount(user: AccountIdentity): boolean {
  return user.username === ANONYMOUS_USERNAME || user.type === 'internal_service_account';
}

/** Kinds of account. `internal_service_account` is protected (above). */
export const USER_TYPES = ['internal', 'external', 'service_account', 'internal_service_account'] as const;
export type UserType = (typeof USER_TYPES)[number];

/** What a token is for; a lockdown revokes every intent. */
export const TOKEN_INTENTS = ['api', 'app_password', 'recovery', 'verification'] as const;
export type TokenIntent = (typeof TOKEN_INTENTS)[number];
