import { createKeycloakConnector, type KeycloakConnectorConfig } from './keycloak';
import { createScimConnector, type ScimConnectorConfig } from './scim';
import type { AnyConnector } from './types';

/** A connector's settings by kind, with its credentials in plain text (sealing them is the caller's business). */
export type ConnectorConfig = ({ kind: 'keycloak' } & KeycloakConnectorConfig) | ({ kind: 'scim' } & ScimConnectorConfig);

export function createConnector(config: ConnectorConfig): AnyConnector {
  switch (config.kind) {
    case 'keycloak':
      return createKeycloakConnector(config);
    case 'scim':
      return createScimConnector(config);
    default:
      return unknownConnectorKind(config);
  }
}

function unknownConnectorKind(config: never): never {
  throw new Error(`Unknown connector kind: ${(config as { kind: string }).kind}`);
}
