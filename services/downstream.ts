import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { configuredConnector } from '../connectors/configured';
import type { ConnectorAction, DownstreamStatus } from '../domain/connectors';
import { conflictError, denied, notFoundError, unavailableError } from '../domain/errors';
import { DOWNSTREAM_ACCOUNT_ENABLED } from '../domain/events';
import type { ActorRef } from '../domain/stages';
import type { Prisma } from '../generated/prisma/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { isUuid } from '../lib/ids';
import type { ConnectorMetrics } from '../lib/metrics';
import { outboundPolicy } from '../lib/outbound-address';
import { loadPayloadKeys, type PayloadKeys } from '../lib/payload-keys';
import { downstreamRetryWorkflowId } from '../workflows/ids';
import { LOCKDOWN_ID } from '../workflows/search-attributes';
import type { retryDownstream } from '../workflows/lockdown-downstream';
import { checkedReason, type AccountAccess } from './account-access';
import { writeAuditEvent } from './audit-log';
import { canRetryDownstream } from './authorization';
import { visibleLockdown, type Requester } from './lockdown-access';

/**
 * A lockdown's downstream results, as the API shows them (per user, per lockdown), and what an
 * operator does about them: run a failed connector again for that lockdown (a new run, scoped
 * to the connector and its failed users), and — restoring access — see which downstream
 * accounts a lockdown disabled and enable one again, explicitly and audited (never as a side
 * effect of activating the local account).
 */
type ResultRow = Prisma.DownstreamResultGetPayload<object>;

export function downstreamResultOf(row: ResultRow) {
  return {
    connectorId: row.connectorId,
    connector: row.connectorName,
    kind: row.connectorKind,
    status: row.status as DownstreamStatus,
    run: row.run,
    attempts: row.attempts,
    actions: row.actions as ConnectorAction[],
    remoteAccountId: row.remoteAccountId,
    error: row.error,
    completedAt: row.completedAt?.toISOString() ?? null,
    reEnabledAt: row.reEnabledAt?.toISOString() ?? null,
  };
}
export type DownstreamResultView = ReturnType<typeof downstreamResultOf>;

/** Each user's results on every connector, for a page of a lockdown's results. */
export async function downstreamByUser(db: Db, lockdownId: string, userIds: string[]): Promise<Map<string, DownstreamResultView[]>> {
  const rows = userIds.length === 0 ? [] : await db.downstreamResult.findMany({ where: { lockdownId, userId: { in: userIds } }, orderBy: { connectorName: 'asc' } });
  const byUser = new Map<string, DownstreamResultView[]>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), downstreamResultOf(row)]);
  return byUser;
}

/** A page of results (resultOf of lockdown-view.ts), each with its downstream results. */
export async function withDownstream<T extends { userId: string }>(db: Db, lockdownId: string, results: T[]): Promise<(T & { downstream: DownstreamResultView[] })[]> {
  const byUser = await downstreamByUser(db, lockdownId, results.map((result) => result.userId));
  return results.map((result) => ({ ...result, downstream: byUser.get(result.userId) ?? [] }));
}

/** Per connector, how the lockdown stands downstream: a lockdown whose downstream step failed says so here. */
export async function downstreamSummaryOf(db: Db, lockdownId: string) {
  const groups = await db.downstreamResult.groupBy({ by: ['connectorId', 'connectorName', 'connectorKind', 'status'], where: { lockdownId }, _count: { _all: true } });
  const connectors = new Map<string, { connectorId: string | null; connector: string; kind: string; pending: number; done: number; notFound: number; failed: number }>();
  for (const group of groups) {
    const key = group.connectorId ?? `removed:${group.connectorName}`;
    const entry = connectors.get(key) ?? { connectorId: group.connectorId, connector: group.connectorName, kind: group.connectorKind, pending: 0, done: 0, notFound: 0, failed: 0 };
    const count = group._count._all;
    if (group.status === 'done') entry.done += count;
    else if (group.status === 'not_found') entry.notFound += count;
    else if (group.status === 'failed') entry.failed += count;
    else entry.pending += count;
    connectors.set(key, entry);
  }
  return [...connectors.values()].sort((a, b) => a.connector.localeCompare(b.connector));
}

export interface DownstreamDeps {
  db: Db;
  temporal: Client;
  config: Config;
  metrics?: ConnectorMetrics;
}

export function createDownstream({ db, temporal, config, metrics }: DownstreamDeps, access: AccountAccess) {
  let payloadKeys: PayloadKeys | undefined;
  const environment = {
    keys: () => (payloadKeys ??= loadPayloadKeys(config)),
    policy: outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS),
    metrics,
    timeoutMs: config.CONNECTOR_REQUEST_TIMEOUT_MS,
  };
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, fn);

  return {
    /**
     * Runs one connector again for the lockdown's users whose result on it failed: a new run
     * of that connector alone (`retryDownstream`, its own run number), audited per user like the
     * first. Needs change_user on each of those users (as locking them would); the lockdown
     * must be visible (404 otherwise, as for an unknown id). Starting the same retry twice
     * joins the first.
     */
    async retry(actor: Requester, lockdownId: string, connectorId: string, meta: { reason?: string; clientIp: string | null }) {
      const lockdown = await visibleLockdown(db, actor, lockdownId);
      const connector = isUuid(connectorId) ? await db.connector.findUnique({ where: { id: connectorId } }) : null;
      if (!connector) throw notFoundError('Connector');
      const reason = checkedReason(meta.reason) ?? lockdown.reason ?? '';
      const failed = await db.downstreamResult.findMany({ where: { lockdownId: lockdown.id, connectorId: connector.id, status: 'failed' }, select: { userId: true } });
      if (failed.length === 0) throw conflictError(`No user of this lockdown failed on ${connector.name}: there is nothing to retry.`, 'nothing_to_retry');
      if (!(await canRetryDownstream(db, actor, failed.map((row) => row.userId)))) throw denied('Retrying needs change_user on every user it would lock again.');
      if (!connector.enabled) throw conflictError(`${connector.name} is disabled: enable it before retrying.`, 'connector_disabled');
      const latest = await db.downstreamResult.aggregate({ where: { lockdownId: lockdown.id, connectorId: connector.id }, _max: { run: true } });
      const run = (latest._max.run ?? 1) + 1;
      const workflowId = downstreamRetryWorkflowId(lockdown.id, connector.id, run);
      const actorRef: ActorRef = { id: actor.id, username: actor.username };
      try {
        await withDeadline(() =>
          temporal.workflow.start<typeof retryDownstream>('retryDownstream', {
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            workflowId,
            args: [{ lockdownId: lockdown.id, connector: { id: connector.id, name: connector.name, kind: connector.kind }, run, actor: actorRef, reason, clientIp: meta.clientIp }],
            typedSearchAttributes: [{ key: LOCKDOWN_ID, value: lockdown.id }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
      } catch (err) {
        // The same retry asked twice at once: both computed this run number; the first started it.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw unavailableError('Temporal did not accept the retry; nothing was changed. Try again.', 'temporal_unavailable');
      }
      return { lockdownId: lockdown.id, connectorId: connector.id, connector: connector.name, run, users: failed.length, workflowId };
    },

    /**
     * Restore access: the user's downstream accounts that lockdowns disabled and nobody enabled
     * since, one per connector (the latest), each saying whether it can be enabled here (a
     * deleted account or a removed connector cannot).
     */
    async accountsOf(actor: Requester, userId: string) {
      const user = await access.visible(actor, userId);
      const rows = await db.downstreamResult.findMany({
        where: { userId: user.id, status: 'done', reEnabledAt: null, remoteAccountId: { not: null }, actions: { hasSome: ['disable', 'delete'] } },
        orderBy: { completedAt: 'desc' },
      });
      const latest = new Map<string, ResultRow>();
      for (const row of rows) if (!latest.has(row.connectorId ?? `removed:${row.connectorName}`)) latest.set(row.connectorId ?? `removed:${row.connectorName}`, row);
      return [...latest.values()].map((row) => {
        const deleted = row.actions.includes('delete');
        return {
          connectorId: row.connectorId,
          connector: row.connectorName,
          kind: row.connectorKind,
          lockdownId: row.lockdownId,
          remoteAccountId: row.remoteAccountId,
          actions: row.actions as ConnectorAction[],
          disabledAt: row.completedAt?.toISOString() ?? null,
          deleted,
          mayEnable: !deleted && row.connectorId !== null,
          note: deleted ? 'The lockdown deleted this account: it cannot be enabled, only provisioned again.' : row.connectorId === null ? 'The connector was removed: enable the account in that system directly.' : null,
        };
      });
    },

    /**
     * Enables the user's account on one connector again (Keycloak `enabled: true`, SCIM
     * `active: true`; sessions and grants ended stay ended), with `downstream_account_enabled`
     * written in the same transaction that marks the results re-enabled. Allowed by the rule
     * of activate (`canChangeAccount`).
     */
    async enable(actor: Requester, userId: string, connectorId: string, meta: { reason?: string; clientIp: string | null }) {
      const user = await access.changeable(actor, userId);
      const reason = checkedReason(meta.reason);
      const connector = isUuid(connectorId) ? await db.connector.findUnique({ where: { id: connectorId } }) : null;
      if (!connector) throw notFoundError('Connector');
      const disabled = await db.downstreamResult.findMany({
        where: { userId: user.id, connectorId: connector.id, status: 'done', reEnabledAt: null, remoteAccountId: { not: null }, actions: { hasSome: ['disable', 'delete'] } },
        orderBy: { completedAt: 'desc' },
      });
      if (disabled.length === 0) throw conflictError(`No lockdown disabled this user's account on ${connector.name}: there is nothing to enable.`, 'nothing_to_enable');
      const latest = disabled[0];
      if (latest.actions.includes('delete')) throw conflictError(`The lockdown deleted this user's account on ${connector.name}: it cannot be enabled, only provisioned again.`, 'downstream_account_deleted');
      const outcome = await configuredConnector(connector, environment).enable({ id: latest.remoteAccountId! });
      if (outcome.status === 'not_found') throw conflictError(`${connector.name} no longer has this account (${latest.remoteAccountId}): nothing was enabled.`, 'downstream_account_missing');
      if (outcome.status === 'failed') {
        if (outcome.retryable) throw unavailableError(`${outcome.reason} Nothing was enabled; try again.`, 'downstream_unavailable');
        throw conflictError(`${outcome.reason} Nothing was enabled.`, 'downstream_refused');
      }
      const now = new Date();
      await db.$transaction(async (tx) => {
        await tx.downstreamResult.updateMany({ where: { id: { in: disabled.map((row) => row.id) } }, data: { reEnabledAt: now } });
        await writeAuditEvent(tx, DOWNSTREAM_ACCOUNT_ENABLED, { id: actor.id, username: actor.username }, { clientIp: meta.clientIp }, {
          affected_user: user.username,
          affected_user_id: user.id,
          connector: connector.name,
          connector_id: connector.id,
          connector_kind: connector.kind,
          remote_account_id: latest.remoteAccountId,
          lockdown_ids: [...new Set(disabled.map((row) => row.lockdownId))],
          ...(reason ? { reason } : {}),
        });
      });
      return { connectorId: connector.id, connector: connector.name, remoteAccountId: latest.remoteAccountId, enabledAt: now.toISOString() };
    },
  };
}

export type Downstream = ReturnType<typeof createDownstream>;
