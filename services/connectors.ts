import { randomUUID } from 'node:crypto';
import { attributeProblem } from '../connectors';
import { configuredConnector } from '../connectors/configured';
import { actionsOf, actionsOfKind, CONNECTOR_ACTION_LABELS, CONNECTOR_KIND_NAMES, defaultActionsOf, type AccountMappingKind, type ConnectorAction, type ConnectorKind } from '../domain/connectors';
import { denied, invalid, notFoundError } from '../domain/errors';
import type { Actor } from '../domain/permissions';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { ConnectorMetrics } from '../lib/metrics';
import { outboundPolicy, refusedAddressLiteral } from '../lib/outbound-address';
import { loadPayloadKeys, type PayloadKeys } from '../lib/payload-keys';
import { sealSecret, sealedFor } from '../lib/secret-box';
import { fieldDiff, writeConfigurationEvent } from './audit-log';
import { canConfigureConnectors, canReadConnectors } from './authorization';
import type { AuditMeta, ConfigurationActor } from './configuration-guard';
import { newestFirst, newestFirstPage } from './cursor';
import { conflictOnDuplicate } from './unique-violation';

/**
 * Downstream connectors as configuration (`/api/v1/connectors`): change_user holders read and
 * health-check them, superusers create, change and remove them. The credential (Keycloak's
 * client secret, the SCIM token) is write-only, sealed with the payload key like a receiver's
 * header; the base URL is normalised by the outbound policy (its schema) and an address the
 * policy refuses is refused when written. Every change is written with its `model_*` event in
 * one transaction, the credential masked.
 */
export interface ConnectorRequest {
  name: string;
  kind: ConnectorKind;
  baseUrl: string;
  realm?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  mapping?: AccountMappingKind;
  mappingAttribute?: string | null;
  actions?: ConnectorAction[];
  enabled?: boolean;
}

export type ConnectorChange = Partial<Omit<ConnectorRequest, 'kind'>>;

type ConnectorRow = Prisma.ConnectorGetPayload<object>;

function toConnector(row: ConnectorRow, viewer: Actor) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    realm: row.realm,
    clientId: row.clientId,
    /** The credential itself is write-only. */
    hasCredential: row.credentialSealed !== '',
    mapping: row.mapping,
    mappingAttribute: row.mappingAttribute,
    actions: row.actions as ConnectorAction[],
    enabled: row.enabled,
    viewerMayChange: canConfigureConnectors(viewer),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit log records of a connector: its settings, the credential only as set or not. */
function auditedFields(row: ConnectorRow) {
  const { name, kind, baseUrl, realm, clientId, mapping, mappingAttribute, actions, enabled } = row;
  return { name, kind, baseUrl, realm, clientId, credential: row.credentialSealed, mapping, mappingAttribute, actions, enabled };
}

/** The kinds and their actions as the console offers them (declared in domain/connectors.ts). */
const KINDS = CONNECTOR_KIND_NAMES.map((kind) => ({
  kind,
  actions: actionsOf(kind).map((action) => ({ action, label: CONNECTOR_ACTION_LABELS[action], byDefault: defaultActionsOf(kind).includes(action) })),
}));

const uniqueName = <T>(write: Promise<T>) => conflictOnDuplicate(write, 'A connector with this name already exists.', 'name_taken');

/** The settings a connector of `kind` needs, with the field that is missing or out of place. */
function checkKindFields(kind: ConnectorKind, fields: { realm?: string | null; clientId?: string | null; credential?: string; tokenGiven: boolean; secretGiven: boolean }, creating: boolean) {
  const problems: { field: string; message: string }[] = [];
  if (kind === 'keycloak') {
    if (creating && !fields.realm) problems.push({ field: 'body.realm', message: 'A Keycloak connector needs the realm.' });
    if (creating && !fields.clientId) problems.push({ field: 'body.clientId', message: 'A Keycloak connector needs the client id of its service account.' });
    if (creating && !fields.secretGiven) problems.push({ field: 'body.clientSecret', message: 'A Keycloak connector needs the client secret.' });
    if (fields.tokenGiven) problems.push({ field: 'body.token', message: 'A Keycloak connector authenticates with clientId and clientSecret, not a token.' });
  } else {
    if (creating && !fields.tokenGiven) problems.push({ field: 'body.token', message: 'A SCIM connector needs its Bearer token.' });
    for (const field of ['realm', 'clientId'] as const) if (fields[field]) problems.push({ field: `body.${field}`, message: 'Only Keycloak connectors have one.' });
    if (fields.secretGiven) problems.push({ field: 'body.clientSecret', message: 'A SCIM connector authenticates with a token, not a client secret.' });
  }
  return problems;
}

export function createConnectors(db: Db, config: Config, metrics?: ConnectorMetrics) {
  let payloadKeys: PayloadKeys | undefined;
  const keys = () => (payloadKeys ??= loadPayloadKeys(config));
  const policy = outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS);
  const environment = { keys, policy, metrics, timeoutMs: config.CONNECTOR_REQUEST_TIMEOUT_MS };

  async function mayRead(actor: Actor) {
    if (!(await canReadConnectors(db, actor))) throw denied('This needs the change_user permission.');
  }
  /** Reading first (403 to whoever may not read, whatever the id), then the superuser rule. */
  async function mayConfigure(actor: Actor) {
    await mayRead(actor);
    if (!canConfigureConnectors(actor)) throw denied('Connectors hold credentials to other systems and act on every locked account there: only a superuser configures them.');
  }
  async function connectorById(id: string) {
    const row = isUuid(id) ? await db.connector.findUnique({ where: { id } }) : null;
    if (!row) throw notFoundError('Connector');
    return row;
  }
  function checkBaseUrl(baseUrl: string | undefined) {
    if (baseUrl !== undefined && refusedAddressLiteral(baseUrl, policy)) {
      throw invalid('The base URL names an address connectors may not reach.', [{ field: 'body.baseUrl', message: 'address not allowed (OUTBOUND_ALLOWED_DESTINATIONS)' }], 'address_not_allowed');
    }
  }
  /** The mapping as stored: an attribute only with `external_id`, where it is required and must suit the kind's search. */
  function checkMapping(kind: ConnectorKind, mapping: AccountMappingKind, attribute: string | null | undefined) {
    if (mapping !== 'external_id') {
      if (attribute) throw invalid('Only the external_id mapping reads an attribute.', [{ field: 'body.mappingAttribute', message: 'only with mapping external_id' }]);
      return null;
    }
    if (!attribute) throw invalid('The external_id mapping needs the remote attribute holding the local user id.', [{ field: 'body.mappingAttribute', message: 'required with mapping external_id' }]);
    const problem = attributeProblem(kind, attribute);
    if (problem) throw invalid(`The attribute cannot be searched on: ${problem}`, [{ field: 'body.mappingAttribute', message: problem }]);
    return attribute;
  }
  function checkActions(kind: ConnectorKind, actions: ConnectorAction[] | undefined): ConnectorAction[] {
    if (actions === undefined) return defaultActionsOf(kind);
    const checked = actionsOfKind(kind, actions);
    if ('unknown' in checked) throw invalid(`A ${kind} connector cannot "${checked.unknown}".`, [{ field: 'body.actions', message: `not an action of ${kind}` }]);
    if (checked.actions.length === 0) throw invalid('A connector takes at least one action.', [{ field: 'body.actions', message: 'at least one action' }]);
    return checked.actions;
  }
  function refuseProblems(problems: { field: string; message: string }[]) {
    if (problems.length > 0) throw invalid(problems.map((problem) => problem.message).join(' '), problems);
  }
  const seal = (id: string, credential: string) => sealSecret(keys(), sealedFor.connectorCredential(id), credential);

  return {
    async list(actor: Actor, page: { cursor?: string; limit: number }) {
      await mayRead(actor);
      const { where, orderBy } = newestFirst(page.cursor);
      const rows = await db.connector.findMany({ where, orderBy, take: page.limit + 1 });
      return { ...newestFirstPage(rows, page.limit, (row) => toConnector(row, actor)), viewerMayConfigure: canConfigureConnectors(actor), kinds: KINDS };
    },

    async get(actor: Actor, id: string) {
      await mayRead(actor);
      return toConnector(await connectorById(id), actor);
    },

    async create(actor: ConfigurationActor, request: ConnectorRequest, meta: AuditMeta) {
      await mayConfigure(actor);
      refuseProblems(
        checkKindFields(request.kind, { realm: request.realm, clientId: request.clientId, tokenGiven: request.token !== undefined, secretGiven: request.clientSecret !== undefined }, true),
      );
      checkBaseUrl(request.baseUrl);
      const mapping = request.mapping ?? 'email';
      const mappingAttribute = checkMapping(request.kind, mapping, request.mappingAttribute);
      const actions = checkActions(request.kind, request.actions);
      const id = randomUUID();
      const credential = request.kind === 'keycloak' ? request.clientSecret! : request.token!;
      return uniqueName(
        db.$transaction(async (tx) => {
          const row = await tx.connector.create({
            data: {
              id,
              name: request.name,
              kind: request.kind,
              baseUrl: request.baseUrl,
              realm: request.realm ?? null,
              clientId: request.clientId ?? null,
              credentialSealed: seal(id, credential),
              mapping,
              mappingAttribute,
              actions,
              enabled: request.enabled ?? true,
            },
          });
          await writeConfigurationEvent(tx, 'created', { model: 'connector', id, name: row.name }, fieldDiff(null, auditedFields(row), ['credential']), actor, meta);
          return toConnector(row, actor);
        }),
      );
    },

    /** Lockdowns already under way use the new settings from their next attempt on. */
    async update(actor: ConfigurationActor, id: string, change: ConnectorChange, meta: AuditMeta) {
      await mayConfigure(actor);
      const before = await connectorById(id);
      refuseProblems(
        checkKindFields(before.kind, { realm: change.realm, clientId: change.clientId, tokenGiven: change.token !== undefined, secretGiven: change.clientSecret !== undefined }, false),
      );
      checkBaseUrl(change.baseUrl);
      const mapping = change.mapping ?? before.mapping;
      // A mapping changed away from external_id drops its attribute; otherwise the attribute given, or the one stored.
      const attribute = change.mappingAttribute !== undefined ? change.mappingAttribute : mapping === 'external_id' ? before.mappingAttribute : null;
      const mappingAttribute = checkMapping(before.kind, mapping, attribute);
      const actions = change.actions === undefined ? undefined : checkActions(before.kind, change.actions);
      const credential = before.kind === 'keycloak' ? change.clientSecret : change.token;
      const { clientSecret: _secret, token: _token, ...fields } = change;
      return uniqueName(
        db.$transaction(async (tx) => {
          const row = await tx.connector.update({
            where: { id: before.id },
            data: {
              ...fields,
              mapping,
              mappingAttribute,
              ...(actions ? { actions } : {}),
              ...(credential === undefined ? {} : { credentialSealed: seal(before.id, credential) }),
            },
          });
          const diff = fieldDiff(auditedFields(before), auditedFields(row), ['credential']);
          await writeConfigurationEvent(tx, 'updated', { model: 'connector', id: before.id, name: row.name }, diff, actor, meta);
          return toConnector(row, actor);
        }),
      );
    },

    /** Removes the connector; results of past lockdowns keep its name (`connectorName`) and lose the link. */
    async remove(actor: ConfigurationActor, id: string, meta: AuditMeta) {
      await mayConfigure(actor);
      const row = await connectorById(id);
      await db.$transaction(async (tx) => {
        const { count } = await tx.connector.deleteMany({ where: { id: row.id } });
        if (count === 0) throw notFoundError('Connector');
        await writeConfigurationEvent(tx, 'deleted', { model: 'connector', id: row.id, name: row.name }, fieldDiff(auditedFields(row), null, ['credential']), actor, meta);
      });
    },

    /**
     * The health check: reach the server, authenticate afresh, find a known user (a local user
     * by id or username; the caller when none is named). Read-only on both sides. Each step says
     * whether it passed; the message is the connector's own words.
     */
    async test(actor: Actor & { username: string }, id: string, request: { user?: string }) {
      await mayRead(actor);
      const row = await connectorById(id);
      const known = request.user ?? actor.id;
      const user = await db.user.findFirst({ where: isUuid(known) ? { id: known } : { username: known }, select: { id: true, username: true, email: true } });
      if (!user) throw invalid('No local user with this id or username.', [{ field: 'body.user', message: 'unknown user' }]);
      const checkedAt = new Date().toISOString();
      const base = { connectorId: row.id, user: { id: user.id, username: user.username }, checkedAt };
      let connector;
      try {
        connector = configuredConnector(row, environment);
      } catch (err) {
        // The credential does not open (a payload key removed) or the stored settings no longer fit: said, not a 500.
        if (!(err instanceof Error)) throw err;
        return { ...base, ok: false, reachable: null, authenticated: null, userFound: null, remoteAccountId: null, message: `The connector could not be prepared: ${err.message}` };
      }
      const outcome = await connector.healthCheck(user);
      switch (outcome.status) {
        case 'done':
          return { ...base, ok: true, reachable: true, authenticated: true, userFound: true, remoteAccountId: outcome.value.id, message: `Reached ${row.name}, authenticated, and found ${user.username}.` };
        case 'not_found':
          return { ...base, ok: false, reachable: true, authenticated: true, userFound: false, remoteAccountId: null, message: `Reached ${row.name} and authenticated, but no account there matches ${user.username} (mapping: ${row.mapping}).` };
        case 'failed':
          // 401: the credentials were refused; another refusal (403 without the roles, 404 a wrong realm or path) says so in its message.
          return {
            ...base,
            ok: false,
            reachable: outcome.httpStatus !== undefined,
            authenticated: outcome.httpStatus === 401 ? false : null,
            userFound: null,
            remoteAccountId: null,
            message: outcome.reason,
          };
      }
    },
  };
}

export type Connectors = ReturnType<typeof createConnectors>;
