import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createRecordNotices, type RecordNotices } from '../lib/record-notices';
import { connectWorker, createLockdownWorker } from './create-worker';
import { workflowBundlePath } from './workflow-bundle';

/**
 * The API's own worker, kept small: two workflow pollers (the fewest the SDK allows with a
 * cache), room for eight first tasks beside them (a task handed over in a start's answer needs
 * a free slot, else the start is an ordinary one), no activity polling (local activities only,
 * which is all a first task runs), and a small cache: the runs this API started keep their next
 * tasks here while they are cached.
 */
export const API_WORKER_OPTIONS: Partial<WorkerOptions> = {
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  maxConcurrentWorkflowTaskExecutions: 10,
  maxConcurrentLocalActivityExecutions: 10,
  enableNonLocalActivities: false,
  maxCachedWorkflows: 50,
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
