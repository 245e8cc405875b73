import type { ConnectorKind } from '../domain/connectors';
import { createKeycloakConnector, KEYCLOAK_ATTRIBUTE_NAME, type KeycloakConnectorConfig } from './keycloak';
import { createScimConnector, SCIM_ATTRIBUTE_PATH, type ScimConnectorConfig } from './scim';
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
  throw new Error(`Unknown connector kind: ${typeof config === 'string' ? config : (config as { kind: string }).kind}`);
}

/** Why `attribute` cannot hold the local id on a connector of `kind` (what its search could not express); null when it can. */
export function attributeProblem(kind: ConnectorKind, attribute: string): string | null {
  switch (kind) {
    case 'keycloak':
      return KEYCLOAK_ATTRIBUTE_NAME.test(attribute) ? null : 'A Keycloak user attribute name: letters, digits, "_", "." and "-".';
    case 'scim':
      return SCIM_ATTRIBUTE_PATH.test(attribute) && attribute.length <= 255 ? null : 'A SCIM attribute path, e.g. externalId, name.familyName or urn:…:User:employeeNumber.';
    default:
      return unknownConnectorKind(kind);
  }
}
