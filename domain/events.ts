/**
 * Every audit event action, declared once with its readable label: the API validates
 * filters and matcher policies against it, serves it (`GET /api/v1/events/actions`) so the
 * console's Events page, its Action filter and the event-matcher form all show the same
 * words, and writers name actions through `EventAction`, so a new action is one entry here.
 * Lockdown actions are spelled as the identity provider spells them; administrative
 * changes follow its `model_*` convention.
 */
export const EVENT_ACTIONS = {
  // A lockdown, per user.
  account_lockdown_triggered: { label: 'Account Lockdown Triggered', category: 'lockdown' },
  account_lockdown_failed: { label: 'Account Lockdown Failed', category: 'lockdown' },
  // A lockdown, once: written when its run ends (who asked, why, the counts), for one alert per lockdown.
  account_lockdown_finished: { label: 'Lockdown Finished (summary)', category: 'lockdown' },
  // Two-person approval of a lockdown.
  account_lockdown_approval_requested: { label: 'Lockdown Approval Requested', category: 'lockdown' },
  account_lockdown_approved: { label: 'Lockdown Approved', category: 'lockdown' },
  account_lockdown_rejected: { label: 'Lockdown Rejected', category: 'lockdown' },
  account_lockdown_approval_expired: { label: 'Lockdown Approval Expired', category: 'lockdown' },
  // A lockdown reaching a downstream connector, per user and connector (and per retry of it): `context.connector`, `context.outcome`.
  account_lockdown_downstream: { label: 'Downstream Account Locked', category: 'lockdown' },
  account_lockdown_downstream_not_found: { label: 'Downstream Account Not Found', category: 'lockdown' },
  account_lockdown_downstream_failed: { label: 'Downstream Lockdown Failed', category: 'lockdown' },
  // Lockdowns that start themselves: a password locked after repeated failures, Shared Signals received.
  password_locked: { label: 'Password Locked', category: 'lockdown' },
  security_event_received: { label: 'Security Event Received', category: 'lockdown' },
  security_event_rejected: { label: 'Security Event Rejected', category: 'lockdown' },
  // Restoring access after a lockdown.
  user_activated: { label: 'User Activated', category: 'restore' },
  password_set: { label: 'Password Set', category: 'restore' },
  recovery_link_created: { label: 'Recovery Link Created', category: 'restore' },
  downstream_account_enabled: { label: 'Downstream Account Re-enabled', category: 'restore' },
  password_unlocked: { label: 'Password Unlocked', category: 'restore' },
  // Accounts, permissions and credentials changed by an administrator.
  user_created: { label: 'User Created', category: 'administration' },
  user_updated: { label: 'User Updated', category: 'administration' },
  user_deleted: { label: 'User Deleted', category: 'administration' },
  permission_granted: { label: 'Permission Granted', category: 'administration' },
  permission_revoked: { label: 'Permission Revoked', category: 'administration' },
  token_created: { label: 'Token Created', category: 'administration' },
  token_deleted: { label: 'Token Deleted', category: 'administration' },
  session_deleted: { label: 'Session Deleted', category: 'administration' },
  // Configuration (flows, stages, brands, alerting, receivers): `context.model` names the kind, `context.diff` the fields.
  model_created: { label: 'Configuration Created', category: 'configuration' },
  model_updated: { label: 'Configuration Updated', category: 'configuration' },
  model_deleted: { label: 'Configuration Deleted', category: 'configuration' },
} as const satisfies Record<string, { label: string; category: EventCategory }>;

/** The kinds of configuration object whose changes `model_*` events record (`context.model`), with readable names. */
export const CONFIGURATION_MODELS = {
  brand: 'Brand',
  flow: 'Flow',
  flow_stage_binding: 'Flow stage binding',
  prompt_stage: 'Prompt stage',
  account_lockdown_stage: 'Account Lockdown stage',
  group: 'Group',
  group_member: 'Group member',
  event_matcher_policy: 'Event matcher policy',
  notification_transport: 'Notification transport',
  notification_rule: 'Notification rule',
  ssf_receiver: 'Shared Signals receiver',
  connector: 'Downstream connector',
  ssf_transmitter: 'Shared Signals transmitter',
  password_lockout_policy: 'Password lockout',
} as const;
export type ConfigurationModel = keyof typeof CONFIGURATION_MODELS;

export const EVENT_CATEGORIES = ['lockdown', 'restore', 'administration', 'configuration'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];
export type EventAction = keyof typeof EVENT_ACTIONS;
export const EVENT_ACTION_NAMES = Object.keys(EVENT_ACTIONS) as [EventAction, ...EventAction[]];

export function isEventAction(action: string): action is EventAction {
  return Object.hasOwn(EVENT_ACTIONS, action);
}

/** The declared actions of a category. */
export function eventActionsOf(category: EventCategory): EventAction[] {
  return EVENT_ACTION_NAMES.filter((action) => EVENT_ACTIONS[action].category === category);
}

/** The readable label of an action (an action of an older version, no longer declared, shows as it is). */
export function eventActionLabel(action: string): string {
  return isEventAction(action) ? EVENT_ACTIONS[action].label : action;
}

export const ACCOUNT_LOCKDOWN_TRIGGERED = 'account_lockdown_triggered' satisfies EventAction;
/** A per-user run that stopped after its target check: which steps ran, and why it stopped. */
export const ACCOUNT_LOCKDOWN_FAILED = 'account_lockdown_failed' satisfies EventAction;
/** One per lockdown that reached its lockdown stage: the summary that per-lockdown alerts are sent for. */
export const ACCOUNT_LOCKDOWN_FINISHED = 'account_lockdown_finished' satisfies EventAction;
export const USER_ACTIVATED = 'user_activated' satisfies EventAction;
export const PASSWORD_SET = 'password_set' satisfies EventAction;
export const RECOVERY_LINK_CREATED = 'recovery_link_created' satisfies EventAction;
/** Changes made through PATCH/DELETE /users/:id (a deactivation also writes its lockdown event). */
export const USER_UPDATED = 'user_updated' satisfies EventAction;
export const USER_DELETED = 'user_deleted' satisfies EventAction;

export type LockdownEventAction = typeof ACCOUNT_LOCKDOWN_TRIGGERED | typeof ACCOUNT_LOCKDOWN_FAILED;

/**
 * One lockdown event per (lockdown, user): the unique key that makes retries harmless. A
 * user's run ends either locked or failed, never both, so the key does not name the action:
 * a second event for the same user and lockdown is impossible whatever the action.
 */
export function lockdownEventDedupKey(lockdownId: string, userId: string): string {
  return `${ACCOUNT_LOCKDOWN_TRIGGERED}:${lockdownId}:${userId}`;
}

/** What one user's lockdown on one connector ended with, as its audit event's action. */
export const DOWNSTREAM_EVENT_ACTIONS = {
  done: 'account_lockdown_downstream',
  not_found: 'account_lockdown_downstream_not_found',
  failed: 'account_lockdown_downstream_failed',
} as const satisfies Record<'done' | 'not_found' | 'failed', EventAction>;
export const DOWNSTREAM_ACCOUNT_ENABLED = 'downstream_account_enabled' satisfies EventAction;

/**
 * One downstream event per (lockdown, user, connector, run): run 1 is the lockdown's own, each
 * retry of the connector the next. Retried activities hit this key and write nothing more.
 */
export function downstreamEventDedupKey(lockdownId: string, userId: string, connectorId: string, run: number): string {
  return `${DOWNSTREAM_EVENT_ACTIONS.done}:${lockdownId}:${userId}:${connectorId}:${run}`;
}

/** The summary event of a lockdown: one per lockdown, whatever retries. */
export function lockdownSummaryDedupKey(lockdownId: string): string {
  return `${ACCOUNT_LOCKDOWN_FINISHED}:${lockdownId}`;
}
