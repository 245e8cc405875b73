import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createWorkerMetrics } from '../lib/metrics';
import { parseServiceArgs } from '../lib/usage';
import { createLockdownWorker } from './create-worker';
import { serveWorkerMetrics } from './metrics';
import { workflowBundlePath } from './workflow-bundle';

/** `npm run worker`: runs lockdown workflows against the configured Temporal and PostgreSQL. */
async function main() {
  parseServiceArgs(
    'npm run worker',
    'Runs the lockdown workflows and their activities: polls the Temporal task queue until SIGINT/SIGTERM, then stops polling and lets in-flight tasks finish (WORKER_SHUTDOWN_GRACE_MS).',
  );
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const db = createDb(config.DATABASE_URL, config.WORKER_MAX_CONCURRENT_ACTIVITIES);
  const metrics = createWorkerMetrics({ processMetrics: config.WORKER_METRICS_PORT !== undefined });
  const bundle = await workflowBundlePath(process.env.WORKFLOW_BUNDLE_PATH);
  const { worker, connection } = await createLockdownWorker({ config, db, logger, metrics, workflowBundlePath: bundle });
  // A bundle built for this start has been loaded: its temporary file is not needed any more.
  if (!process.env.WORKFLOW_BUNDLE_PATH) rmSync(path.dirname(bundle), { recursive: true, force: true });
  const metricsServer =
    config.WORKER_METRICS_PORT !== undefined
      ? await serveWorkerMetrics(metrics, { host: config.HOST, port: config.WORKER_METRICS_PORT, isDraining: () => worker.getState() !== 'RUNNING', logger })
      : null;
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, temporal: config.TEMPORAL_ADDRESS, pid: process.pid }, 'worker polling');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => logger.info({ signal, graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'worker draining: no new tasks, finishing in-flight ones'));
  }
  // Worker.run() handles SIGINT/SIGTERM itself: it stops polling, drains in-flight tasks, then resolves.
  await worker.run();
  metricsServer?.close();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
