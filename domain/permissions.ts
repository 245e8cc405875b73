import { LOCKDOWN_ACTION_KEYS } from './lockdown-actions';

/**
 * The names authorization speaks in — permissions, the actor, what may be done to an account,
 * which configuration fields are security settings. The decisions themselves, which read the
 * grants stored in PostgreSQL, are made in services/authorization.ts and nowhere else.
 */
export const PERMISSION_NAMES = ['change_user', 'view_audit'] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

export interface Actor {
  id: string;
  isSuperuser: boolean;
}

/** What may be done to one account, as the endpoints decide it (GET /me/capabilities?user=). */
export const ACCOUNT_ACTIONS = ['edit', 'deactivate', 'activate', 'delete', 'setPassword', 'recoveryLink', 'createToken', 'lockdown', 'viewSessions', 'endSessions'] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** Configuration fields that are security settings (superusers only; see services/authorization.ts `changesSecuritySetting`). */
export const ACCOUNT_LOCKDOWN_STAGE_SECURITY_FIELDS: readonly string[] = [...LOCKDOWN_ACTION_KEYS, 'requireApproval'];
export const FLOW_SECURITY_FIELDS: readonly string[] = ['authentication'];
