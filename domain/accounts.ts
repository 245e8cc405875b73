/**
 * Kinds of account and what each may do, decided here only. Protected accounts are never
 * locked: the API refuses them and the workflow re-checks with the same function before
 * acting. Protection is from *lockdown*: a superuser can still deactivate and delete a
 * protected account other than the anonymous user (domain/permissions.ts decides who).
 */
export const ANONYMOUS_USERNAME = 'AnonymousUser';

/** Kinds of account. `internal_service_account` is protected (below). */
export const USER_TYPES = ['internal', 'external', 'service_account', 'internal_service_account'] as const;
export type UserType = (typeof USER_TYPES)[number];

/** What a token is for; a lockdown revokes every intent. */
export const TOKEN_INTENTS = ['api', 'app_password', 'recovery', 'verification'] as const;
export type TokenIntent = (typeof TOKEN_INTENTS)[number];

export interface AccountIdentity {
  username: string;
  type: string;
}

/**
 * The system's own identity for unauthenticated requests: nobody logs in as it, holds a
 * credential of it, or changes it — not even a superuser.
 */
export function isAnonymousUser(user: Pick<AccountIdentity, 'username'>): boolean {
  return user.username === ANONYMOUS_USERNAME;
}

/** Account types a lockdown never touches; only a superuser gives an account one of them. */
export function isProtectedType(type: string): boolean {
  return type === 'internal_service_account';
}

export function isProtectedAccount(user: AccountIdentity): boolean {
  return isAnonymousUser(user) || isProtectedType(user.type);
}

/** Service accounts authenticate with tokens only: no password login, no password set, no recovery link. */
const TOKEN_ONLY_TYPES: readonly string[] = ['service_account', 'internal_service_account'] satisfies UserType[];

/** Whether the account may log in with a password (and so be given one). */
export function logsInWithPassword(user: AccountIdentity): boolean {
  return !isAnonymousUser(user) && !TOKEN_ONLY_TYPES.includes(user.type);
}

/** Whether any credential of the account may authenticate a request: active, and not the anonymous user. */
export function mayAuthenticate(user: AccountIdentity & { isActive: boolean }): boolean {
  return user.isActive && !isAnonymousUser(user);
}

/**
 * What a lockdown leaves on an account, as stored: `hasUsablePassword` false once the password
 * was made unusable (or the account never had one); sessions and tokens of every intent,
 * expired ones included (a lockdown removes those too).
 */
export interface AccountLockState {
  isActive: boolean;
  hasUsablePassword: boolean;
  sessions: number;
  tokens: number;
}

/**
 * Locked down: a lockdown with every action would change nothing — inactive, no usable
 * password, no session, no token. An account only deactivated (PATCH `isActive: false` keeps
 * the password) is not: locking it still makes its password unusable.
 */
export function isLockedDown(state: AccountLockState): boolean {
  return !state.isActive && !state.hasUsablePassword && state.sessions === 0 && state.tokens === 0;
}
