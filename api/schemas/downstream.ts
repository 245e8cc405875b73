import { z } from 'zod';
import '../http/openapi';
import { CONNECTOR_ACTIONS, CONNECTOR_KIND_NAMES, DOWNSTREAM_STATUSES } from '../../domain/connectors';

/**
 * A lockdown's results downstream, as its per-user results and its summary show them (imported
 * by api/schemas.ts, so this module imports nothing of it).
 */

export const ConnectorKind = z.enum(CONNECTOR_KIND_NAMES);
export const ConnectorAction = z.enum(CONNECTOR_ACTIONS);
export const DownstreamStatus = z.enum(DOWNSTREAM_STATUSES);

/** One user's result on one connector, in a lockdown's per-user results. */
export const DownstreamResult = z
  .object({
    connectorId: z.string().nullable().openapi({ description: 'null once the connector was removed.' }),
    connector: z.string(),
    kind: ConnectorKind,
    status: DownstreamStatus,
    run: z.number().int().openapi({ description: '1: the lockdown’s own; each retry of the connector the next.' }),
    attempts: z.number().int(),
    actions: z.array(ConnectorAction).openapi({ description: 'The actions that ran.' }),
    remoteAccountId: z.string().nullable(),
    error: z.string().nullable().openapi({ description: 'Why it failed; while still retrying, the last failure.' }),
    completedAt: z.string().nullable(),
    reEnabledAt: z.string().nullable(),
  })
  .openapi('DownstreamResult');

export const DownstreamSummary = z
  .object({
    connectorId: z.string().nullable(),
    connector: z.string(),
    kind: z.string(),
    pending: z.number().int(),
    done: z.number().int(),
    notFound: z.number().int(),
    failed: z.number().int(),
  })
  .openapi('DownstreamSummary', { description: 'How a lockdown stands on one connector: users pending (or retrying), done, not found there, failed.' });

