import { WithStartWorkflowOperation, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailableError } from '../domain/errors';
import type { LockdownStatus } from '../domain/lockdown-status';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { RecordNotices } from '../lib/record-notices';
import { lockdownSearchAttributes } from '../workflows/search-attributes';
import type { lockdownFlow } from '../workflows/lockdown-flow';
import type { LockdownFlowInput } from '../workflows/types';
import { lockdownStartedUpdate } from '../workflows/messages';
import type { Lockdown as LockdownRow } from '../generated/prisma/client';
import { inputFromRecord } from './lockdown-record';

export interface LockdownStartDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
  /**
   * A worker in this process shares the client's native connection (the API's own worker,
   * worker/api-worker.ts): starts ask Temporal to hand the first workflow task to it in the
   * start's answer (eager workflow start), skipping the server's matching.
   */
  eagerWorkflowStart?: boolean;
  /** That worker tells this process when it recorded a lockdown's status: `waitFor` reads the record again at once. */
  recordNotices?: RecordNotices;
}

export const NO_WORKER_MESSAGE =
  'No lockdown worker answered in time. The lockdown is recorded and will run as soon as a worker is available; check the worker process.';

/** A worker's first task moves the record off `pending`: one still pending was run by no worker. */
const startOutcome = (status: LockdownStatus): 'started' | 'no_worker' => (status === 'pending' ? 'no_worker' : 'started');

/** Records left unstarted this long are the resumer's (younger ones are being started by their request). */
const RESUME_AFTER_MS = 30_000;
const RESUME_EVERY_MS = 30_000;

/**
 * Starting a lockdown's workflow, by whoever asks: the request that recorded it, a replay of
 * that request, the resumer. Every start is the same and safe to repeat: the workflow id is
 * derived from the lockdown, a start that finds the workflow running joins it
 * (`USE_EXISTING`), one that finds it closed never runs it again (`REJECT_DUPLICATE`).
 *
 * A record is never deleted after a failed start: Temporal may hold its workflow (another
 * request started it, or the start landed while its answer got lost), and a workflow without
 * its record would lock users with no audit trail. An unstarted record is started later by a
 * replay of its request or by the resumer, so a lockdown promised is a lockdown done.
 */
export function createLockdownStarter({ db, temporal, config, logger, eagerWorkflowStart = false, recordNotices }: LockdownStartDeps) {
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.withDeadline(Date.now() + config.API_WORKFLOW_DEADLINE_MS, fn);

  /**
   * Starts (or joins) the workflow and waits for its `lockdownStarted` update: Temporal answers
   * once the workflow has recorded its first status, so the caller reads the record without
   * polling. 'no_worker': Temporal holds the workflow but no worker answered in time (it runs as
   * soon as one polls). Throws 503 `temporal_unavailable` when Temporal does not hold it.
   */
  async function start(lockdown: LockdownRow, targetUserIds?: string[]): Promise<'started' | 'no_worker'> {
    const input = await inputFromRecord(db, config, lockdown, targetUserIds);
    const options = {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: lockdown.workflowId,
      args: [input] as [LockdownFlowInput],
      typedSearchAttributes: lockdownSearchAttributes({ lockdownId: lockdown.id, actorId: lockdown.actorId, selfService: lockdown.selfService, targetCount: input.targetUserIds.length }),
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    };
    try {
      if (eagerWorkflowStart) return await startEagerly(lockdown.id, options);
      await withDeadline(() => startWithUpdate(lockdown.id, options));
      return 'started';
    } catch (err) {
      // The answer does not say whether Temporal holds the workflow (a timeout, a closed run
      // that refused the update, a lost connection): ask it.
      const runId = await firstRunId(lockdown.workflowId);
      if (runId) {
        await recordRun(lockdown.id, runId);
        // Nor whether a worker ran it: the error's kind varies with where the wait ran out
        // (the client's deadline, the server's), the record does not — a worker left pending.
        const { status } = await db.lockdown.findUniqueOrThrow({ where: { id: lockdown.id }, select: { status: true } });
        return startOutcome(status);
      }
      logger.error({ err, lockdownId: lockdown.id }, 'could not start lockdown workflow; the record stays for a retry or the resumer');
      throw unavailableError(
        `Temporal did not accept the lockdown yet. It is recorded as ${lockdown.id} and starts on its own once Temporal answers; a request retried with the same Idempotency-Key answers with it.`,
        'temporal_unavailable',
      );
    }
  }

  type StartOptions = WorkflowStartOptions<typeof lockdownFlow> & { workflowIdConflictPolicy: 'USE_EXISTING' };

  /** One call: the start carries the update (update-with-start), which Temporal cannot combine with an eager start. */
  async function startWithUpdate(lockdownId: string, options: StartOptions): Promise<void> {
    const operation = new WithStartWorkflowOperation<typeof lockdownFlow>('lockdownFlow', options);
    const update = await temporal.workflow.startUpdateWithStart(lockdownStartedUpdate, { startWorkflowOperation: operation, waitForStage: 'ACCEPTED' });
    await update.result();
    // The run the update reached: the first, since the workflow records its first status before it could continue as new.
    if (update.workflowRunId) await recordRun(lockdownId, update.workflowRunId);
  }

  /**
   * Eager workflow start: the start asks Temporal for the workflow's first task in its answer,
   * and this process's worker runs it at once — containment, a local activity of that task,
   * included. That worker records the first status itself and says so (`recordNotices`), so the
   * answer waits for the record, with no update: Temporal cannot carry an update with an eager
   * start, and a separate one would cost a second workflow task. A start that joins a running
   * workflow, or that Temporal or the worker did not take eagerly, waits for the update as
   * `startWithUpdate` does.
   */
  async function startEagerly(lockdownId: string, options: StartOptions): Promise<'started' | 'no_worker'> {
    const handle = await withDeadline(() => temporal.workflow.start<typeof lockdownFlow>('lockdownFlow', { ...options, requestEagerStart: true }));
    if (handle.eagerlyStarted) {
      // This start made the workflow: its run is the first.
      await recordRun(lockdownId, handle.firstExecutionRunId);
      const record = await waitFor(lockdownId, (status) => status !== 'pending', config.API_WORKFLOW_DEADLINE_MS);
      return startOutcome(record.status);
    }
    const update = await withDeadline(async () => {
      const accepted = await handle.startUpdate(lockdownStartedUpdate, { waitForStage: 'ACCEPTED' });
      await accepted.result();
      return accepted;
    });
    if (update.workflowRunId) await recordRun(lockdownId, update.workflowRunId);
    return 'started';
  }

  /** The first run Temporal holds for this workflow id, or null when it has none (or cannot say). */
  async function firstRunId(workflowId: string): Promise<string | null> {
    try {
      const description = await withDeadline(() => temporal.workflow.getHandle(workflowId).describe());
      return description.raw.workflowExecutionInfo?.firstRunId || description.runId;
    } catch {
      return null;
    }
  }

  /** The run, once: the first start's run id stays (history paging starts from it). */
  async function recordRun(lockdownId: string, runId: string) {
    await db.lockdown.updateMany({ where: { id: lockdownId, runId: null }, data: { runId } });
  }

  /** The record once `done(status)`, or as it is at the deadline; read again at each notice of this process's worker, else polled. */
  async function waitFor(lockdownId: string, done: (status: LockdownStatus) => boolean, timeoutMs: number): Promise<LockdownRow> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const notice = recordNotices?.next(lockdownId, delay);
      const lockdown = await db.lockdown.findUniqueOrThrow({ where: { id: lockdownId } }).catch((err: unknown) => {
        notice?.cancel();
        throw err;
      });
      if (done(lockdown.status) || Date.now() >= deadline) {
        notice?.cancel();
        return lockdown;
      }
      await (notice?.changed ?? sleep(delay));
    }
  }

  /**
   * Starts the workflows of lockdowns recorded but never started (their request died, or
   * Temporal was unreachable): so no recorded lockdown is left undone. One that fails to
   * start is left for the next round; the others still start. Returns how many started.
   */
  async function resumeUnstarted(olderThanMs = RESUME_AFTER_MS): Promise<number> {
    const stranded = await db.lockdown.findMany({
      where: { status: 'pending', runId: null, actorId: { not: null }, createdAt: { lt: new Date(Date.now() - olderThanMs) } },
      orderBy: { createdAt: 'asc' },
    });
    let started = 0;
    for (const lockdown of stranded) {
      try {
        await start(lockdown);
        started++;
        logger.info({ lockdownId: lockdown.id }, 'started a lockdown recorded by an interrupted request');
      } catch {
        // Logged by start; tried again next round.
      }
    }
    return started;
  }

  /** Runs `resumeUnstarted` now and then every half minute; returns the function that stops it. */
  function resumeUnstartedEvery(intervalMs = RESUME_EVERY_MS): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const round = async () => {
      await resumeUnstarted().catch((err: unknown) => logger.error({ err }, 'could not resume unstarted lockdowns'));
      if (!stopped) timer = setTimeout(() => void round(), intervalMs).unref();
    };
    void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  return { start, waitFor, resumeUnstarted, resumeUnstartedEvery };
}

export type LockdownStarter = ReturnType<typeof createLockdownStarter>;
