import { ApplicationFailure, Context } from '@temporalio/activity';
import { configuredConnector } from '../connectors/configured';
import type { AnyConnector, Outcome } from '../connectors/types';
import {
  actionsOf,
  downstreamRetryDelayMs,
  type ConnectorAction,
  type DownstreamAccountInput,
  type DownstreamOutcome,
  type DownstreamPlan,
  type DownstreamResult,
  type DownstreamRetry,
  type LocalUser,
} from '../domain/connectors';
import { DOWNSTREAM_EVENT_ACTIONS, downstreamEventDedupKey } from '../domain/events';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { writeEventOnce } from './event-once';
import type { Logger } from '../lib/logger';
import type { ConnectorMetrics } from '../lib/metrics';
import { outboundPolicy } from '../lib/outbound-address';
import { loadPayloadKeys, type PayloadKeys } from '../lib/payload-keys';
import { anyRuleTriggered } from './notifications';

/** While a downstream call is in flight, the activity says it is alive this often (its heartbeat timeout is 30 s). */
const HEARTBEAT_EVERY_MS = 5_000;

/** A final outcome, with what it found and did, for the result row and the audit event. */
interface Final {
  outcome: DownstreamOutcome;
  error: string | null;
  actions: ConnectorAction[];
  remoteAccountId: string | null;
}

const resultKey = (input: Pick<DownstreamAccountInput, 'lockdownId' | 'userId' | 'connector'>) => ({
  lockdownId: input.lockdownId,
  userId: input.userId,
  connectorId: input.connector.id,
});

/**
 * A lockdown's downstream step: each enabled connector, for each locked user, as an activity of
 * its own. Idempotent like the local steps: the actions are idempotent downstream (disabling a
 * disabled account, ending no session), the result row is keyed by (lockdown, user, connector)
 * and its audit event by (lockdown, user, connector, run), written in one transaction with the
 * final result.
 *
 * Retries are bounded and spaced: a failure that can heal (unreachable, 5xx, 429, a read-back
 * that still shows the account active) is retried after the server's Retry-After, else an
 * exponential backoff (CONNECTOR_RETRY_INITIAL_MS doubling up to CONNECTOR_RETRY_MAX_INTERVAL_MS),
 * CONNECTOR_MAX_ATTEMPTS attempts in all; a refusal that never will (401, 403, 400, several
 * matching accounts) ends the step at once. Either way it ends `failed` with the reason, never
 * silently, and can be run again for that connector alone (POST /lockdowns/:id/downstream/retry).
 */
export function createDownstreamActivities(db: Db, config: Config, logger: Logger, metrics?: ConnectorMetrics) {
  let payloadKeys: PayloadKeys | undefined;
  const environment = {
    keys: () => (payloadKeys ??= loadPayloadKeys(config)),
    policy: outboundPolicy(config.OUTBOUND_ALLOWED_DESTINATIONS),
    metrics,
    timeoutMs: config.CONNECTOR_REQUEST_TIMEOUT_MS,
  };
  // One client per connector and worker, so Keycloak's service-account token is shared by every
  // user's step (a bulk lockdown asks for one token, not one a user); rebuilt when the connector changes.
  const prepared = new Map<string, { updatedAt: number; connector: AnyConnector }>();
  function connectorOf(stored: Parameters<typeof configuredConnector>[0] & { updatedAt: Date }): AnyConnector {
    const cached = prepared.get(stored.id);
    if (cached && cached.updatedAt === stored.updatedAt.getTime()) return cached.connector;
    const connector = configuredConnector(stored, environment);
    prepared.set(stored.id, { updatedAt: stored.updatedAt.getTime(), connector });
    return connector;
  }
  const retry: DownstreamRetry = {
    initialIntervalMs: config.CONNECTOR_RETRY_INITIAL_MS,
    maximumIntervalMs: config.CONNECTOR_RETRY_MAX_INTERVAL_MS,
    maximumAttempts: config.CONNECTOR_MAX_ATTEMPTS,
  };

  /** The final result row and its audit event, in one transaction; a repeat writes nothing more. */
  async function finish(input: DownstreamAccountInput, final: Final, attempts: number, user: Pick<LocalUser, 'username'> | null): Promise<DownstreamResult> {
    const dedupKey = downstreamEventDedupKey(input.lockdownId, input.userId, input.connector.id, input.run);
    const action = DOWNSTREAM_EVENT_ACTIONS[final.outcome];
    const event = await db.$transaction(async (tx) => {
      // No row when the account (and with it the lockdown target) was deleted meanwhile: the event still tells.
      await tx.downstreamResult.updateMany({
        where: { ...resultKey(input), run: input.run },
        data: { status: final.outcome, error: final.error, actions: final.actions, remoteAccountId: final.remoteAccountId, attempts, completedAt: new Date() },
      });
      return writeEventOnce(tx, {
        action,
        actor: input.actor,
        clientIp: input.clientIp,
        lockdownId: input.lockdownId,
        workflowId: input.workflowId,
        dedupKey,
        context: {
          reason: input.reason,
          affected_user: user?.username ?? null,
          affected_user_id: input.userId,
          lockdown_id: input.lockdownId,
          connector: input.connector.name,
          connector_id: input.connector.id,
          connector_kind: input.connector.kind,
          outcome: final.outcome,
          actions: final.actions,
          remote_account_id: final.remoteAccountId,
          ...(final.error ? { error: final.error } : {}),
          attempts,
          run: input.run,
          workflow_id: input.workflowId,
          run_id: input.runId,
          ...(input.parentWorkflowId ? { parent_workflow_id: input.parentWorkflowId } : {}),
        },
      });
    });
    metrics?.outcomes.inc({ connector: input.connector.name, kind: input.connector.kind, outcome: final.outcome });
    logger.info({ lockdownId: input.lockdownId, userId: input.userId, connectorId: input.connector.id, run: input.run, outcome: final.outcome, eventId: event.id }, 'downstream lockdown finished');
    return { connectorId: input.connector.id, outcome: final.outcome, error: final.error, eventId: event.id, notify: await notifies(event.id, event.action, input.clientIp) };
  }

  async function notifies(eventId: string, action: string, clientIp: string | null): Promise<boolean> {
    try {
      return await anyRuleTriggered(db, { action, clientIp });
    } catch (err) {
      logger.warn({ eventId, err }, 'could not check the notification rules; the notification workflow will');
      return true;
    }
  }

  /** The account found, each configured action of the kind in order, then a read-back: the connector's own outcome. */
  async function lockDown(connector: AnyConnector, user: LocalUser, wanted: readonly string[], progress: (step: string) => void): Promise<Outcome<Final>> {
    progress('find');
    const found = await connector.findAccount(user);
    if (found.status === 'not_found') return { status: 'done', value: { outcome: 'not_found', error: null, actions: [], remoteAccountId: null } };
    if (found.status === 'failed') return found;
    const account = found.value;
    const actions = connector.actions as Record<string, (account: { id: string }) => Promise<Outcome>>;
    const applied: ConnectorAction[] = [];
    for (const action of actionsOf(connector.kind)) {
      if (!wanted.includes(action)) continue;
      progress(action);
      const outcome = await actions[action](account);
      // Gone between the search and the action (deleted downstream meanwhile): nothing is left to lock.
      if (outcome.status === 'not_found') return { status: 'done', value: { outcome: 'not_found', error: null, actions: applied, remoteAccountId: account.id } };
      if (outcome.status === 'failed') return outcome;
      applied.push(action);
    }
    progress('verify');
    const verified = await (connector.verify as (account: { id: string }, applied: readonly ConnectorAction[]) => Promise<Outcome>)(account, applied);
    if (verified.status === 'failed') return verified;
    // `delete` verified as gone is what was wanted; otherwise a vanished account is not_found.
    if (verified.status === 'not_found' && !applied.includes('delete')) return { status: 'done', value: { outcome: 'not_found', error: null, actions: applied, remoteAccountId: account.id } };
    return { status: 'done', value: { outcome: 'done', error: null, actions: applied, remoteAccountId: account.id } };
  }

  return {
    /**
     * Local, in the per-user run after its local steps: the enabled connectors, each given a
     * pending result row (once: the key is unique), and the account as it is now.
     */
    async planDownstream(input: { lockdownId: string; userId: string }): Promise<DownstreamPlan> {
      const connectors = await db.connector.findMany({ where: { enabled: true }, orderBy: { name: 'asc' }, select: { id: true, name: true, kind: true } });
      if (connectors.length === 0) return { connectors: [], user: null };
      const user = await db.user.findUnique({ where: { id: input.userId }, select: { id: true, username: true, email: true } });
      if (!user) return { connectors: [], user: null };
      await db.downstreamResult.createMany({
        skipDuplicates: true,
        data: connectors.map((connector) => ({ lockdownId: input.lockdownId, userId: input.userId, connectorId: connector.id, connectorName: connector.name, connectorKind: connector.kind })),
      });
      return { connectors, user };
    },

    /**
     * One user on one connector. Ends with the final outcome (done, not_found, failed), written
     * with its audit event; throws only to be retried (a failure that can heal, within the
     * attempts), with the delay the server asked for or the backoff.
     */
    async lockdownDownstreamAccount(input: DownstreamAccountInput): Promise<DownstreamResult> {
      const context = Context.current();
      const attempt = context.info.attempt;
      const row = await db.downstreamResult.findUnique({ where: { lockdownId_userId_connectorId: resultKey(input) } });
      const user = input.user ?? (await db.user.findUnique({ where: { id: input.userId }, select: { id: true, username: true, email: true } }));
      // A retry of an attempt whose completion was lost: the result and its event are written already.
      if (row && row.run === input.run && (row.status === 'done' || row.status === 'not_found' || row.status === 'failed')) {
        return finish(input, { outcome: row.status, error: row.error, actions: row.actions as ConnectorAction[], remoteAccountId: row.remoteAccountId }, row.attempts, user);
      }
      const failedFor = (error: string) => finish(input, { outcome: 'failed', error, actions: [], remoteAccountId: null }, attempt, user);
      // Attempts that ended without a word (timed out, a worker lost) count too: the step stays bounded.
      if (attempt > retry.maximumAttempts) return failedFor(`Gave up after ${retry.maximumAttempts} attempts: ${row?.error ?? 'no attempt finished'}`);
      const stored = await db.connector.findUnique({ where: { id: input.connector.id } });
      if (!stored) return failedFor(`The connector ${input.connector.name} was removed before it reached this account.`);
      if (!stored.enabled) return failedFor(`The connector ${stored.name} was disabled before it reached this account; enable it and retry.`);
      if (!user) return failedFor('The local account no longer exists: there is nothing to match downstream.');
      await db.downstreamResult.updateMany({ where: { ...resultKey(input), run: input.run }, data: { status: 'running', attempts: attempt } });

      // Heartbeats while the calls are in flight: a worker that dies is noticed in seconds, not at the timeout.
      let step = 'start';
      const heartbeat = setInterval(() => context.heartbeat({ step }), HEARTBEAT_EVERY_MS);
      let outcome: Outcome<Final>;
      try {
        context.heartbeat({ step });
        outcome = await lockDown(connectorOf(stored), user, stored.actions, (next) => {
          step = next;
          context.heartbeat({ step });
        });
      } finally {
        clearInterval(heartbeat);
      }

      if (outcome.status === 'done') return finish(input, outcome.value, attempt, user);
      if (outcome.status === 'not_found') return finish(input, { outcome: 'not_found', error: null, actions: [], remoteAccountId: null }, attempt, user);
      if (!outcome.retryable) return failedFor(outcome.reason);
      if (attempt >= retry.maximumAttempts) return failedFor(`Gave up after ${attempt} attempts: ${outcome.reason}`);
      await db.downstreamResult.updateMany({ where: { ...resultKey(input), run: input.run }, data: { error: outcome.reason } });
      const delay = downstreamRetryDelayMs(retry, attempt, outcome.retryAfterMs);
      logger.warn({ lockdownId: input.lockdownId, userId: input.userId, connectorId: input.connector.id, attempt, nextInMs: delay }, 'downstream lockdown will be retried');
      // Failure messages are stored in clear in Temporal's history: the status or the fixed
      // network vocabulary only; the reason (which may quote the server) goes in the encrypted details.
      const message = outcome.httpStatus !== undefined ? `${stored.name} answered HTTP ${outcome.httpStatus}; attempt ${attempt} of ${retry.maximumAttempts}.` : outcome.reason;
      throw ApplicationFailure.create({ message, type: 'DownstreamRetryable', nonRetryable: false, details: [outcome.reason], nextRetryDelay: delay });
    },

    /** The step failed in a way the activity could not record itself (an error no retry healed): recorded as `failed`, with its event. */
    async recordDownstreamFailure(input: DownstreamAccountInput & { error: string }): Promise<DownstreamResult> {
      const { error, ...account } = input;
      const row = await db.downstreamResult.findUnique({ where: { lockdownId_userId_connectorId: resultKey(account) } });
      if (row && row.run === account.run && (row.status === 'done' || row.status === 'not_found' || row.status === 'failed')) {
        return finish(account, { outcome: row.status, error: row.error, actions: row.actions as ConnectorAction[], remoteAccountId: row.remoteAccountId }, row.attempts, account.user ?? null);
      }
      const user = account.user ?? (await db.user.findUnique({ where: { id: account.userId }, select: { username: true } }));
      return finish(account, { outcome: 'failed', error, actions: [], remoteAccountId: null }, row?.attempts ?? 0, user);
    },

    /**
     * Local, first step of a retry: the connector's failed results of the lockdown become
     * pending under the new run number (only failed ones: a result still retrying is left to
     * its run). Idempotent: returns how many results the run covers.
     */
    async claimDownstreamRetry(input: { lockdownId: string; connectorId: string; run: number }): Promise<number> {
      await db.downstreamResult.updateMany({
        where: { lockdownId: input.lockdownId, connectorId: input.connectorId, status: 'failed', run: { lt: input.run } },
        data: { status: 'pending', run: input.run, attempts: 0, error: null, completedAt: null },
      });
      return db.downstreamResult.count({ where: { lockdownId: input.lockdownId, connectorId: input.connectorId, run: input.run } });
    },

    /** Local: the next users of a retry run, by id after `afterUserId`. */
    async downstreamRetryBatch(input: { lockdownId: string; connectorId: string; run: number; afterUserId: string | null; limit: number }): Promise<string[]> {
      const rows = await db.downstreamResult.findMany({
        where: { lockdownId: input.lockdownId, connectorId: input.connectorId, run: input.run, ...(input.afterUserId ? { userId: { gt: input.afterUserId } } : {}) },
        orderBy: { userId: 'asc' },
        take: input.limit,
        select: { userId: true },
      });
      return rows.map((row) => row.userId);
    },
  };
}

/** Never made non-retryable by the failure classification: a result must be recorded, and a retry run must know its users. */
export const DOWNSTREAM_RETRIED_UNTIL_WRITTEN = ['recordDownstreamFailure', 'claimDownstreamRetry', 'downstreamRetryBatch'];
