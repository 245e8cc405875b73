import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { CustomSlotSupplier, Worker, WorkerOptions, WorkflowSlotInfo } from '@temporalio/worker';
import type { Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createRecordNotices, type RecordNotices } from '../lib/record-notices';
import { connectWorker, createLockdownWorker } from './create-worker';
import { workflowBundlePath } from './workflow-bundle';

/** First tasks the API's worker runs at once; a start beyond them is an ordinary one. */
const EAGER_SLOTS = 8;

/**
 * Workflow task slots for eager starts only. The SDK asks a slot supplier for a slot before each
 * poll (`reserveSlot`) and for a task handed over in a start's answer (`tryReserveSlot`): this one
 * never grants a poll — the reservation waits until the SDK gives it up — and grants a handed-over
 * task while fewer than `slots` run. So the API's worker never takes a task from the task queue.
 */
export function eagerStartSlots(slots: number): CustomSlotSupplier<WorkflowSlotInfo> {
  let used = 0;
  return {
    type: 'custom',
    reserveSlot: (_ctx, abortSignal) =>
      new Promise((_resolve, reject) => {
        if (abortSignal.aborted) reject(abortSignal.reason);
        else abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true });
      }),
    tryReserveSlot: () => {
      if (used >= slots) return null;
      used++;
      return {};
    },
    markSlotUsed: () => undefined,
    releaseSlot: () => {
      used = Math.max(0, used - 1);
    },
  };
}

/**
 * The API's own worker runs the first task of the lockdowns this API starts, and nothing else:
 * it never polls (eagerStartSlots), it has no cache — so no sticky queue: a run's next tasks go
 * to the task queue, where the worker processes take them — and it runs local activities only
 * (all a first task runs; containment is one).
 */
export const API_WORKER_OPTIONS: Partial<WorkerOptions> = {
  tuner: {
    workflowTaskSlotSupplier: eagerStartSlots(EAGER_SLOTS),
    localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: EAGER_SLOTS },
    activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
  },
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
  enableNonLocalActivities: false,
  maxCachedWorkflows: 0,
};

export interface ApiTemporal {
  temporal: Client;
  /** A worker shares the client's connection: starts ask for their first task (services/lockdown-start.ts). */
  eagerWorkflowStart: boolean;
  /** Where that worker tells this process's requests that it recorded a lockdown's status. */
  recordNotices?: RecordNotices;
  /** Stops the worker (in-flight tasks finish within API_SHUTDOWN_GRACE_MS), then closes the connection. */
  stop(): Promise<void>;
}

/**
 * The Temporal side of an API process. Its client runs on the SDK's native connection and,
 * with API_EAGER_START (the default), a worker shares that connection: a lockdown's start asks
 * Temporal for its first workflow task in the start's answer (eager workflow start), and this
 * worker runs it at once, in this process — containment included, a local activity of that
 * task — instead of the task waiting for the server to match it to a polling worker
 * (README § Performance). Like any worker on the task queue it may also take other tasks.
 */
export async function connectApiToTemporal({ config, db, logger }: { config: Config; db: Db; logger: Logger }): Promise<ApiTemporal> {
  const dataConverter = createDataConverter(config); // before connecting: a key problem stops the process first
  const connection = await connectWorker(config, logger);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const recordNotices = createRecordNotices();
  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  try {
    if (config.API_EAGER_START) {
      const bundle = await workflowBundlePath(process.env.WORKFLOW_BUNDLE_PATH);
      ({ worker } = await createLockdownWorker({
        config: { ...config, WORKER_SHUTDOWN_GRACE_MS: config.API_SHUTDOWN_GRACE_MS },
        db,
        logger,
        workflowBundlePath: bundle,
        connection,
        overrides: API_WORKER_OPTIONS,
        recordNotices,
      }));
      // A bundle built for this start has been loaded: its temporary file is not needed any more.
      if (!process.env.WORKFLOW_BUNDLE_PATH) rmSync(path.dirname(bundle), { recursive: true, force: true });
      running = worker.run();
      running.catch((err: unknown) => logger.error({ err }, 'the API worker stopped; lockdowns start without eager workflow start'));
    }
  } catch (err) {
    await connection.close();
    throw err;
  }
  return {
    temporal,
    eagerWorkflowStart: worker !== null,
    recordNotices: worker ? recordNotices : undefined,
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await connection.close();
    },
  };
}
