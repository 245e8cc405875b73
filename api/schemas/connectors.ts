import { z } from 'zod';
import '../http/openapi';
import { ACCOUNT_MAPPINGS, CONNECTOR_ACTIONS } from '../../domain/connectors';
import { Pagination } from '../schemas';
import { ConnectorAction, ConnectorKind } from './downstream';
import { outboundUrl } from './notifications';

export { DownstreamResult, DownstreamSummary } from './downstream';

/** Request and response shapes of downstream connectors, the lockdowns' results on them, retrying one, and restoring access downstream. */

export const AccountMapping = z.enum(ACCOUNT_MAPPINGS);

const name = z.string().trim().min(1).max(150);
// What the admin API's path and form carry as they are: printable, no blanks at the ends.
const printable = (max: number, hint: string) =>
  z
    .string()
    .max(max)
    .regex(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, hint);
const realm = printable(255, 'The realm name, printable ASCII.');
const clientId = printable(255, 'The client id, printable ASCII.');
const credential = printable(4_000, 'Printable ASCII, as the server issued it.');
const mappingAttribute = z.string().min(1).max(255);
const actions = z
  .array(ConnectorAction)
  .min(1, 'At least one action.')
  .max(CONNECTOR_ACTIONS.length)
  .refine((list) => new Set(list).size === list.length, 'Each action once.');

export const Connector = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: ConnectorKind,
    baseUrl: z.string(),
    realm: z.string().nullable(),
    clientId: z.string().nullable(),
    hasCredential: z.boolean().openapi({ description: 'The credential (client secret or token) itself is write-only.' }),
    mapping: AccountMapping,
    mappingAttribute: z.string().nullable(),
    actions: z.array(ConnectorAction),
    enabled: z.boolean(),
    viewerMayChange: z.boolean().openapi({ description: 'Whether the caller may change or remove it (superusers).' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Connector');

export const ConnectorPage = z
  .object({
    items: z.array(Connector),
    nextCursor: z.string().nullable(),
    viewerMayConfigure: z.boolean().openapi({ description: 'Whether the caller may create connectors (superusers).' }),
    kinds: z
      .array(z.object({ kind: ConnectorKind, actions: z.array(z.object({ action: ConnectorAction, label: z.string(), byDefault: z.boolean() })) }))
      .openapi({ description: 'Each kind with its actions, in the order a lockdown applies them, and which a new connector takes by default.' }),
  })
  .openapi('ConnectorPage');

export const CreateConnectorBody = z
  .object({
    name,
    kind: ConnectorKind,
    baseUrl: outboundUrl,
    realm: realm.optional(),
    clientId: clientId.optional(),
    clientSecret: credential.optional(),
    token: credential.optional(),
    mapping: AccountMapping.optional(),
    mappingAttribute: mappingAttribute.nullable().optional(),
    actions: actions.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateConnectorRequest', {
    description:
      'A downstream system each lockdown reaches after the local steps. Keycloak: `baseUrl` (the server root), `realm`, `clientId` and `clientSecret` of a confidential client whose service account holds realm-management `view-users` and `manage-users`. ' +
      'SCIM 2.0: `baseUrl` (the parent of /Users) and a Bearer `token`. The credential is write-only. `mapping` (default `email`) finds the remote account by email, username, or `external_id` — the attribute named by `mappingAttribute` holding the local user id. ' +
      '`actions` default to every action of the kind but `delete`.',
  });

// The create body less the kind (which never changes), every field optional.
export const UpdateConnectorBody = CreateConnectorBody.omit({ kind: true })
  .partial()
  .strict()
  .openapi('UpdateConnectorRequest', { description: 'Only the fields given change (the kind never does); a new credential replaces the stored one.' });

export const ConnectorPageQuery = z.object(Pagination);

export const ConnectorTestBody = z
  .object({ user: z.string().min(1).max(100).optional().openapi({ description: 'A local user (id or username) known to exist downstream; the caller when absent.' }) })
  .strict()
  .openapi('ConnectorTestRequest');

export const ConnectorTestResult = z
  .object({
    connectorId: z.string(),
    user: z.object({ id: z.string(), username: z.string() }),
    ok: z.boolean().openapi({ description: 'Reached, authenticated and found the user.' }),
    reachable: z.boolean().nullable(),
    authenticated: z.boolean().nullable().openapi({ description: 'false: the credentials were refused (401); null: not known (unreachable, or refused for another reason: see `message`).' }),
    userFound: z.boolean().nullable(),
    remoteAccountId: z.string().nullable(),
    message: z.string(),
    checkedAt: z.string(),
  })
  .openapi('ConnectorTestResult');

export const DownstreamRetryBody = z
  .object({
    connectorId: z.string().min(1).max(100),
    reason: z.string().trim().max(1_000).optional(),
  })
  .strict()
  .openapi('DownstreamRetryRequest');

export const DownstreamRetry = z
  .object({
    lockdownId: z.string(),
    connectorId: z.string(),
    connector: z.string(),
    run: z.number().int(),
    users: z.number().int().openapi({ description: 'Users whose result on the connector had failed, run again.' }),
    workflowId: z.string(),
  })
  .openapi('DownstreamRetry');

export const ConnectorUserParams = z.object({ id: z.string().min(1).max(100), connectorId: z.string().min(1).max(100) });

export const DownstreamAccount = z
  .object({
    connectorId: z.string().nullable(),
    connector: z.string(),
    kind: ConnectorKind,
    lockdownId: z.string(),
    remoteAccountId: z.string().nullable(),
    actions: z.array(ConnectorAction),
    disabledAt: z.string().nullable(),
    deleted: z.boolean(),
    mayEnable: z.boolean().openapi({ description: 'The account can be enabled here (not deleted, the connector still configured).' }),
    note: z.string().nullable(),
  })
  .openapi('DownstreamAccount', { description: 'A downstream account a lockdown disabled (or deleted) and nobody enabled since.' });

export const DownstreamAccounts = z.object({ items: z.array(DownstreamAccount) }).openapi('DownstreamAccounts');

export const EnableDownstreamBody = z.object({ reason: z.string().trim().max(1_000).optional() }).strict().openapi('EnableDownstreamRequest');

export const DownstreamEnabled = z
  .object({ connectorId: z.string(), connector: z.string(), remoteAccountId: z.string().nullable(), enabledAt: z.string() })
  .openapi('DownstreamEnabled');
