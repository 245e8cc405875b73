import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { checkSearchAttributes } from './search-attributes-check';
import { createWorkerMetrics, type WorkerMetrics } from '../lib/metrics';
import type { RecordNotices } from '../lib/record-notices';
import { temporalConnectionOptions } from '../lib/temporal';
import { metricsInterceptor } from './metrics';
import { recordNoticesInterceptor } from './record-notices';
import { installTemporalRuntime } from './temporal-runtime';

export interface WorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** A prebuilt workflow bundle (tests bundle once and share it); otherwise bundled at start. */
  workflowBundlePath?: string;
  /** Where the lockdown metrics are recorded (the process's /metrics); a private registry if not given. */
  metrics?: WorkerMetrics;
  /** A connection to share (a client on it starts workflows eagerly on this worker); otherwise its own. */
  connection?: NativeConnection;
  /** Settings that replace the worker process's (the API's own worker: worker/api-worker.ts). */
  overrides?: Partial<WorkerOptions>;
  /** Where this process's requests hear that a lockdown's status was recorded (lib/record-notices.ts). */
  recordNotices?: RecordNotices;
}

/**
 * Connects to Temporal the way a worker needs (the native connection), after installing the
 * SDK's runtime; `sdkMetricsAddress`: where it serves the SDK's Prometheus metrics.
 */
export async function connectWorker(config: Config, logger: Logger, sdkMetricsAddress?: string): Promise<NativeConnection> {
  installTemporalRuntime(logger, sdkMetricsAddress);
  return NativeConnection.connect(temporalConnectionOptions(config));
}

/** The worker that runs lockdown workflows and their activities. */
export async function createLockdownWorker({ config, db, logger, workflowBundlePath, metrics = createWorkerMetrics(), connection: shared, overrides = {}, recordNotices }: WorkerDeps) {
  const dataConverter = createDataConverter(config);
  const sdkMetricsAddress = config.WORKER_SDK_METRICS_PORT !== undefined ? `${config.HOST}:${config.WORKER_SDK_METRICS_PORT}` : undefined;
  const connection = shared ?? (await connectWorker(config, logger, sdkMetricsAddress));
  await checkSearchAttributes(connection, config.TEMPORAL_NAMESPACE).catch(async (err: unknown) => {
    if (!shared) await connection.close();
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
    interceptors: { activity: [metricsInterceptor(metrics, db), ...(recordNotices ? [recordNoticesInterceptor(recordNotices)] : [])] },
    // Slots by count, unless the overrides bring a tuner (the two exclude each other).
    ...(overrides.tuner
      ? {}
      : { maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES, maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }),
    // On SIGTERM/SIGINT: stop polling at once, let in-flight tasks finish within the grace time;
    // whatever is left is retried by another worker (every activity is idempotent).
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
    // Bulk runs touch thousands of short per-user executions once each: caching them all is what filled the heap.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    ...overrides,
  });
  return { worker, connection, metrics };
}
