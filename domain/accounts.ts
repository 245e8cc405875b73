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
