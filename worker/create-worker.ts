import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';

export interface WorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** A prebuilt workflow bundle (tests bundle once and share it); otherwise bundled at start. */
  workflowBundlePath?: string;
}

let runtimeInstalled = false;

/** Routes the Temporal SDK's own logs (warnings and errors only) into our logger; once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => logger[level === 'ERROR' ? 'error' : 'warn']({ ...meta }, message)),
  });
}

/** The worker that runs lockdown workflows and their activities. */
export async function createLockdownWorker({ config, db, logger, workflowBundlePath }: WorkerDeps) {
  installTemporalRuntime(logger);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = workflowBundlePath
    ? { workflowBundle: { codePath: workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    activities: createActivities(db, config, logger),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    // Bulk runs touch thousands of short per-user executions once each: caching them all is what filled the heap.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  return { worker, connection };
}
