/**
 * Downstream connectors: the systems an account also lives in (an identity provider, the
 * applications behind it), reached through their admin APIs after the local lockdown.
 * Declared once here: the kinds, the actions each kind can take, how a local user is matched
 * to the remote account, and the outcome every call answers with.
 */

/** The actions of each kind, in the order a lockdown applies them. */
export const CONNECTOR_KINDS = {
  keycloak: ['disable', 'endSessions', 'revokeGrants'],
  scim: ['disable', 'delete'],
} as const satisfies Record<string, readonly ConnectorAction[]>;

export type ConnectorKind = keyof typeof CONNECTOR_KINDS;
export type ConnectorAction = 'disable' | 'endSessions' | 'revokeGrants' | 'delete';
export type ActionOf<K extends ConnectorKind> = (typeof CONNECTOR_KINDS)[K][number];

/** The local account a connector looks for downstream (only what the mappings read). */
export interface LocalUser {
  id: string;
  username: string;
  email: string;
}

/**
 * How a local user is found downstream: by email, by username, or by a remote attribute
 * (Keycloak user attribute, SCIM attribute path such as `externalId`) holding the local user's id.
 */
export type AccountMapping = { by: 'email' } | { by: 'username' } | { by: 'external_id'; attribute: string };

/** The remote account, as the later calls address it (JSON, so it can cross an activity boundary). */
export interface RemoteAccount {
  id: string;
}

/**
 * Why a call failed, and whether trying again can help: a 4xx other than 408/429 never will
 * (wrong credentials, missing permission, a refused request), a 408/429/5xx or a network
 * error may; `retryAfterMs` is the server's own `Retry-After`.
 */
export interface ConnectorFailure {
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
}

export type Outcome<T = null> = { status: 'done'; value: T } | { status: 'not_found' } | ({ status: 'failed' } & ConnectorFailure);

export interface Connector<K extends ConnectorKind> {
  readonly kind: K;
  /** The one remote account the mapping matches; several matches are a failure, never a guess. */
  findAccount(user: LocalUser): Promise<Outcome<RemoteAccount>>;
  /** Each action of the kind, by name. */
  readonly actions: Record<ActionOf<K>, (account: RemoteAccount) => Promise<Outcome>>;
  /** Reads back what the applied actions should have left: done, or failed with what is still there. */
  verify(account: RemoteAccount, applied: readonly ActionOf<K>[]): Promise<Outcome>;
  /** Restore access: the account enabled again (sessions and grants ended stay ended). */
  enable(account: RemoteAccount): Promise<Outcome>;
  /** Reaches the server, authenticates afresh and finds a known user. */
  healthCheck(knownUser: LocalUser): Promise<Outcome<RemoteAccount>>;
}

/** A connector of any kind; its `kind` tells which actions it has. */
export type AnyConnector = { [K in ConnectorKind]: Connector<K> }[ConnectorKind];

export const done = <T>(value: T): Outcome<T> => ({ status: 'done', value });
export const notFound = { status: 'not_found' } as const;
export const failed = (failure: ConnectorFailure): Outcome<never> => ({ status: 'failed', ...failure });
