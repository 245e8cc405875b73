/**
 * Downstream connectors, declared once: the systems an account also lives in (an identity
 * provider, the applications behind it), reached through their admin APIs after the local
 * lockdown. The kinds and the actions each can take, how a local user is matched to the
 * remote account, and where one user's lockdown stands on one connector. The API's zod enums
 * are built from these lists and services/schema-parity.ts holds Prisma's enums to them.
 */

/** The actions of each kind, in the order a lockdown applies them. */
export const CONNECTOR_KINDS = {
  keycloak: ['disable', 'endSessions', 'revokeGrants'],
  scim: ['disable', 'delete'],
} as const satisfies Record<string, readonly ConnectorAction[]>;

export type ConnectorKind = keyof typeof CONNECTOR_KINDS;
export const CONNECTOR_KIND_NAMES = Object.keys(CONNECTOR_KINDS) as [ConnectorKind, ...ConnectorKind[]];
export const CONNECTOR_ACTIONS = ['disable', 'endSessions', 'revokeGrants', 'delete'] as const;
export type ConnectorAction = (typeof CONNECTOR_ACTIONS)[number];
export type ActionOf<K extends ConnectorKind> = (typeof CONNECTOR_KINDS)[K][number];

/** What each action does, in words an operator reads in the console and the README. */
export const CONNECTOR_ACTION_LABELS: Record<ConnectorAction, string> = {
  disable: 'Disable the account',
  endSessions: 'End every session (and make issued tokens stale)',
  revokeGrants: 'Revoke consents and offline tokens',
  delete: 'Delete the account',
};

/** The actions a new connector of a kind takes unless told otherwise: everything but deleting. */
export function defaultActionsOf(kind: ConnectorKind): ConnectorAction[] {
  return actionsOf(kind).filter((action) => action !== 'delete');
}

/** The actions of `kind` among `actions`, in the kind's order; null names one the kind does not have. */
export function actionsOfKind(kind: ConnectorKind, actions: readonly string[]): { actions: ConnectorAction[] } | { unknown: string } {
  const known: readonly string[] = actionsOf(kind);
  const unknown = actions.find((action) => !known.includes(action));
  if (unknown !== undefined) return { unknown };
  return { actions: actionsOf(kind).filter((action) => actions.includes(action)) };
}

/** Every action of a kind, in order. */
export function actionsOf(kind: ConnectorKind): readonly ConnectorAction[] {
  return CONNECTOR_KINDS[kind];
}

/**
 * How a local user is found downstream: by email, by username, or by a remote attribute
 * (a Keycloak user attribute, a SCIM attribute path such as `externalId`) holding the local user's id.
 */
export const ACCOUNT_MAPPINGS = ['email', 'username', 'external_id'] as const;
export type AccountMappingKind = (typeof ACCOUNT_MAPPINGS)[number];
export type AccountMapping = { by: 'email' } | { by: 'username' } | { by: 'external_id'; attribute: string };

/**
 * Where one user's lockdown stands on one connector. `done`: the actions ran and were read back;
 * `not_found`: no account matched (nothing to lock there); `failed`: with the reason, after
 * the bounded retries (or at once for a refusal that will never succeed).
 */
export const DOWNSTREAM_STATUSES = ['pending', 'running', 'done', 'not_found', 'failed'] as const;
export type DownstreamStatus = (typeof DOWNSTREAM_STATUSES)[number];
export type DownstreamOutcome = Extract<DownstreamStatus, 'done' | 'not_found' | 'failed'>;

/** The local account a connector looks for downstream (only what the mappings read). */
export interface LocalUser {
  id: string;
  username: string;
  email: string;
}

/** What the lockdown of one user on one connector ended with (crosses the activity boundary). */
export interface DownstreamResult {
  connectorId: string;
  outcome: DownstreamOutcome;
  error: string | null;
  /** The audit event written for it (one per lockdown, user, connector and run). */
  eventId: string | null;
  /** A notification rule matches that event. */
  notify: boolean;
}

/**
 * The bounded retries of one user's lockdown on one connector: exponential backoff from
 * `initialIntervalMs`, doubling up to `maximumIntervalMs`, `maximumAttempts` in all; a
 * server's Retry-After replaces the computed delay, up to RETRY_AFTER_CAP_MS.
 */
export interface DownstreamRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

/** A server asking for a longer pause than this is asked again after this long (its attempts stay bounded). */
export const RETRY_AFTER_CAP_MS = 60 * 60_000;

/** The delay before attempt `attempt + 1`: the server's Retry-After if it gave one, else the backoff. */
export function downstreamRetryDelayMs(retry: DownstreamRetry, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), RETRY_AFTER_CAP_MS);
  return Math.min(retry.initialIntervalMs * 2 ** Math.max(attempt - 1, 0), retry.maximumIntervalMs);
}

/** A connector as a downstream run names it (its settings are read afresh at each attempt). */
export interface DownstreamConnectorRef {
  id: string;
  name: string;
  kind: ConnectorKind;
}

/** What the per-user run's planning step answers: the enabled connectors (a pending result each), and the account to find there. */
export interface DownstreamPlan {
  connectors: DownstreamConnectorRef[];
  /** The account as it is now (a later DELETE /users/:id does not stop its downstream lockdown). Null: nothing to plan. */
  user: LocalUser | null;
}

/** One user's lockdown on one connector: the activity's input. */
export interface DownstreamAccountInput {
  lockdownId: string;
  userId: string;
  connector: DownstreamConnectorRef;
  /** 1: the lockdown's own; each retry of the connector the next. */
  run: number;
  /** Given by the lockdown's own run; a retry reads the account afresh. */
  user?: LocalUser;
  /** Who the audit event names: the lockdown's requester, or whoever asked for the retry. */
  actor: { id: string; username: string };
  reason: string;
  clientIp: string | null;
  workflowId: string;
  runId: string;
  /** The per-user run that started the lockdown's own downstream run. */
  parentWorkflowId: string | null;
}

export interface DownstreamSummary {
  done: number;
  notFound: number;
  failed: number;
}

export function summariseDownstream(results: readonly Pick<DownstreamResult, 'outcome'>[], into: DownstreamSummary = { done: 0, notFound: 0, failed: 0 }): DownstreamSummary {
  const summary = { ...into };
  for (const { outcome } of results) {
    if (outcome === 'done') summary.done++;
    else if (outcome === 'not_found') summary.notFound++;
    else summary.failed++;
  }
  return summary;
}
