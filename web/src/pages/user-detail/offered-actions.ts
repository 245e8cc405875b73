import type { AccountCapabilities, UserDetail } from '../../types';

/** The buttons this page offers the viewer: what the API allows (`can`), where it makes sense on this page. */
export interface OfferedActions {
  lock: boolean;
  deactivate: boolean;
  delete: boolean;
  activate: boolean;
  setPassword: boolean;
  recoveryLink: boolean;
  /** Any way to give access back. */
  restore: boolean;
}

/**
 * Which actions to show, from the API's decision per action (GET /me/capabilities?user=).
 * Your own page has "Lock my account" in Settings, and nobody deactivates themself here;
 * deactivating an inactive account or activating an active one would change nothing.
 */
export function offeredActions(user: UserDetail, can: AccountCapabilities | null | undefined, isSelf: boolean): OfferedActions {
  const activate = !user.isActive && Boolean(can?.activate);
  const setPassword = Boolean(can?.setPassword);
  const recoveryLink = Boolean(can?.recoveryLink);
  return {
    lock: Boolean(can?.lockdown) && !isSelf,
    deactivate: user.isActive && Boolean(can?.deactivate) && !isSelf,
    delete: Boolean(can?.delete),
    activate,
    setPassword,
    recoveryLink,
    restore: activate || setPassword || recoveryLink,
  };
}
