import type { AccountMapping, AccountMappingKind, ConnectorKind } from '../domain/connectors';
import type { ConnectorMetrics } from '../lib/metrics';
import type { OutboundPolicy } from '../lib/outbound-address';
import type { PayloadKeys } from '../lib/payload-keys';
import { openSecret, sealedFor } from '../lib/secret-box';
import type { Outbound } from './http';
import { createConnector } from './index';
import type { AnyConnector } from './types';

/**
 * A connector as an admin configured it (a row of `connectors`), made ready to call: its
 * credential opened with the payload key, its requests under the outbound policy and counted
 * in the process's connector metrics. The API (health check, restore) and the worker (the
 * lockdown's downstream step) build connectors here only.
 */
export interface StoredConnector {
  id: string;
  name: string;
  kind: ConnectorKind;
  baseUrl: string;
  realm: string | null;
  clientId: string | null;
  credentialSealed: string;
  mapping: AccountMappingKind;
  mappingAttribute: string | null;
}

export interface ConnectorEnvironment {
  keys: () => PayloadKeys;
  policy: OutboundPolicy;
  metrics?: ConnectorMetrics;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

export function mappingOf(stored: Pick<StoredConnector, 'mapping' | 'mappingAttribute'>): AccountMapping {
  return stored.mapping === 'external_id' ? { by: 'external_id', attribute: stored.mappingAttribute ?? '' } : { by: stored.mapping };
}

export function configuredConnector(stored: StoredConnector, environment: ConnectorEnvironment): AnyConnector {
  const credential = openSecret(environment.keys(), sealedFor.connectorCredential(stored.id), stored.credentialSealed);
  const outbound: Outbound = { policy: environment.policy, observe: observerOf(stored, environment.metrics) };
  const common = { baseUrl: stored.baseUrl, mapping: mappingOf(stored), timeoutMs: environment.timeoutMs, outbound };
  switch (stored.kind) {
    case 'keycloak':
      return createConnector({ kind: 'keycloak', ...common, realm: stored.realm ?? '', clientId: stored.clientId ?? '', clientSecret: credential });
    case 'scim':
      return createConnector({ kind: 'scim', ...common, token: credential });
    default:
      return unknownKind(stored.kind);
  }
}

function unknownKind(kind: never): never {
  throw new Error(`Unknown connector kind: ${String(kind)}`);
}

function observerOf(stored: StoredConnector, metrics: ConnectorMetrics | undefined): Outbound['observe'] {
  if (!metrics) return undefined;
  const labels = { connector: stored.name, kind: stored.kind };
  return ({ status, seconds }) => {
    metrics.requests.inc({ ...labels, result: status === null ? 'unreachable' : `${Math.floor(status / 100)}xx` });
    metrics.duration.observe(labels, seconds);
    if (status === null || (status >= 400 && status !== 404)) metrics.failures.inc(labels);
  };
}
