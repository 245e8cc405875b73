import type { Router } from 'express';
import type { ApiDeps, Route } from '../app';
import { IdParams } from '../schemas';
import {
  Connector,
  ConnectorPage,
  ConnectorPageQuery,
  ConnectorTestBody,
  ConnectorTestResult,
  ConnectorUserParams,
  CreateConnectorBody,
  DownstreamAccounts,
  DownstreamEnabled,
  DownstreamRetry,
  DownstreamRetryBody,
  EnableDownstreamBody,
  UpdateConnectorBody,
} from '../schemas/connectors';

/**
 * Downstream connectors (Keycloak, SCIM 2.0): their configuration (`change_user` reads and
 * tests, a superuser writes), a lockdown's failed connector run again, and restoring access
 * downstream — the accounts a lockdown disabled, enabled again one by one, audited.
 */
const needsChangeUser = { 403: { description: 'change_user missing.' } };
const needsSuperuser = { 403: { description: 'change_user missing, or not a superuser (connectors are configured by superusers).' } };
const unknownConnector = { 404: { description: 'No such connector.' } };
const nameTaken = { 409: { description: 'A connector with this name already exists.' } };

export function connectorRoutes(_router: Router, route: Route, { services: { connectors, downstream } }: ApiDeps) {
  route({
    method: 'get',
    path: '/api/v1/connectors',
    tag: 'connectors',
    summary: 'Downstream connectors, newest first (needs change_user).',
    auth: 'required',
    query: ConnectorPageQuery,
    responses: { 200: { description: 'A page of connectors.', schema: ConnectorPage }, ...needsChangeUser },
    handler: async ({ auth, query }) => ({ status: 200, body: await connectors.list(auth.user, query) }),
  });

  route({
    method: 'post',
    path: '/api/v1/connectors',
    tag: 'connectors',
    summary: 'Add a downstream connector: every later lockdown also locks the account there (superusers).',
    auth: 'required',
    body: CreateConnectorBody,
    responses: { 201: { description: 'Created.', schema: Connector }, ...nameTaken, ...needsSuperuser },
    handler: async ({ auth, body, clientIp }) => ({ status: 201, body: await connectors.create(auth.user, body, { clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/connectors/:id',
    tag: 'connectors',
    summary: 'One connector (needs change_user).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'The connector.', schema: Connector }, ...unknownConnector, ...needsChangeUser },
    handler: async ({ auth, params }) => ({ status: 200, body: await connectors.get(auth.user, params.id) }),
  });

  route({
    method: 'patch',
    path: '/api/v1/connectors/:id',
    tag: 'connectors',
    summary: 'Change a connector; runs under way use the new settings from their next attempt (superusers).',
    auth: 'required',
    params: IdParams,
    body: UpdateConnectorBody,
    responses: { 200: { description: 'The connector.', schema: Connector }, ...unknownConnector, ...nameTaken, ...needsSuperuser },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await connectors.update(auth.user, params.id, body, { clientIp }) }),
  });

  route({
    method: 'delete',
    path: '/api/v1/connectors/:id',
    tag: 'connectors',
    summary: 'Remove a connector; past results keep its name (superusers).',
    auth: 'required',
    params: IdParams,
    responses: { 204: { description: 'Removed.' }, ...unknownConnector, ...needsSuperuser },
    handler: async ({ auth, params, clientIp }) => {
      await connectors.remove(auth.user, params.id, { clientIp });
      return { status: 204 };
    },
  });

  route({
    method: 'post',
    path: '/api/v1/connectors/:id/test',
    tag: 'connectors',
    summary: 'Health check: reach the server, authenticate afresh, find a known user there; changes nothing (needs change_user).',
    auth: 'required',
    params: IdParams,
    body: ConnectorTestBody,
    responses: { 200: { description: 'What passed and what did not, in the connector’s words.', schema: ConnectorTestResult }, ...unknownConnector, ...needsChangeUser },
    handler: async ({ auth, params, body }) => ({ status: 200, body: await connectors.test(auth.user, params.id, body) }),
  });

  route({
    method: 'post',
    path: '/api/v1/lockdowns/:id/downstream/retry',
    tag: 'connectors',
    summary: 'Run one connector again for the lockdown’s users whose result on it failed: a new run of that connector alone (needs change_user on each of them).',
    auth: 'required',
    params: IdParams,
    body: DownstreamRetryBody,
    responses: {
      202: { description: 'Started; each user’s result shows the new run, and its audit event is written when it ends.', schema: DownstreamRetry },
      403: { description: 'change_user missing on a user it would lock again.' },
      404: { description: 'Unknown or not visible lockdown, or unknown connector.' },
      409: { description: 'Nothing failed on that connector, or the connector is disabled.' },
      503: { description: 'Temporal did not accept the run; nothing changed.' },
    },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 202, body: await downstream.retry(auth.user, params.id, body.connectorId, { reason: body.reason, clientIp }) }),
  });

  route({
    method: 'get',
    path: '/api/v1/users/:id/downstream',
    tag: 'connectors',
    summary: 'Restore access: the user’s downstream accounts that lockdowns disabled and nobody enabled since (the user themself, or change_user on them).',
    auth: 'required',
    params: IdParams,
    responses: { 200: { description: 'One per connector.', schema: DownstreamAccounts }, 403: { description: 'Not yours, and change_user on the user missing.' }, 404: { description: 'No such user.' } },
    handler: async ({ auth, params }) => ({ status: 200, body: { items: await downstream.accountsOf(auth.user, params.id) } }),
  });

  route({
    method: 'post',
    path: '/api/v1/users/:id/downstream/:connectorId/enable',
    tag: 'connectors',
    summary: 'Restore access downstream: enable the account a lockdown disabled on this connector (sessions and grants ended stay ended), audited as downstream_account_enabled (the rule of activate).',
    auth: 'required',
    params: ConnectorUserParams,
    body: EnableDownstreamBody,
    responses: {
      200: { description: 'Enabled.', schema: DownstreamEnabled },
      403: { description: 'Not allowed to restore this account (the rule of activate).' },
      404: { description: 'No such user or connector.' },
      409: { description: 'Nothing to enable there (not disabled by a lockdown, deleted, or gone downstream), or the server refused.' },
      503: { description: 'The downstream server did not answer; nothing changed.' },
    },
    handler: async ({ auth, params, body, clientIp }) => ({ status: 200, body: await downstream.enable(auth.user, params.id, params.connectorId, { reason: body.reason, clientIp }) }),
  });
}
