/**
 * Downstream connectors: the systems an account also lives in (an identity provider, the
 * applications behind it), reached through their admin APIs after the local lockdown.
 * The contract every kind implements, and the outcome every call answers with (the kinds,
 * their actions and the mappings are declared in domain/connectors.ts).
 */

import type { ActionOf, ConnectorKind, LocalUser } from '../domain/connectors';
export { CONNECTOR_KINDS, type AccountMapping, type ActionOf, type ConnectorAction, type ConnectorKind, type LocalUser } from '../domain/connectors';

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
  /** The HTTP status the server refused with; absent when no answer came (so the health check tells "unreachable" from "refused"). */
  httpStatus?: number;
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
