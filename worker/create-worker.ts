import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { checkSearchAttributes } from './search-attributes-check';
import { createWorkerMetrics, type WorkerMetrics } from '../lib/metrics';
import { temporalConnectionOptions } from '../lib/temporal';
import { metricsInterceptor } from './metrics';
import { installTemporalRuntime } from './temporal-runtime';

export interface WorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** A prebuilt workflow bundle (tests bundle once and share it); otherwise bundled at start. */
  workflowBundlePath?: string;
  /** Where the lockdown metrics are recorded (the process's /metrics); a private registry if not given. */
  metrics?: WorkerMetrics;
}

/** The worker that runs lockdown workflows and their activities. */
export async function createLockdownWorker({ config, db, logger, workflowBundlePath, metrics = createWorkerMetrics() }: WorkerDeps) {
  installTemporalRuntime(logger, config.WORKER_SDK_METRICS_PORT !== undefined ? `${config.HOST}:${config.WORKER_SDK_METRICS_PORT}` : undefined);
  const dataConverter = createDataConverter(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  await checkSearchAttributes(connection, config.TEMPORAL_NAMESPACE).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = workflowBundlePath
    ? { workflowBundle: { codePath: workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    // Payloads are encrypted in the worker's main thread, never inside the workflow sandbox.
    dataConverter,
    activities: createActivities(db, config, logger, metrics.connectors),
    interceptors: { activity: [metricsInterceptor(metrics, db)] },
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    // On SIGTERM/SIGINT: stop polling at once, let in-flight tasks finish within the grace time;
    // whatever is left is retried by another worker (every activity is idempotent).
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
    // Bulk runs touch thousands of short per-user executions once each: caching them all is what filled the heap.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  return { worker, connection, metrics };
}
