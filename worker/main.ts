import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { parseServiceArgs } from '../lib/usage';
import { createLockdownWorker } from './create-worker';

/** `npm run worker`: runs lockdown workflows against the configured Temporal and PostgreSQL. */
async function main() {
  parseServiceArgs('npm run worker', 'Runs the lockdown workflows and their activities: polls the Temporal task queue until SIGINT/SIGTERM, then drains.');
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const db = createDb(config.DATABASE_URL, config.WORKER_MAX_CONCURRENT_ACTIVITIES);
  const { worker, connection } = await createLockdownWorker({ config, db, logger, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, temporal: config.TEMPORAL_ADDRESS }, 'worker polling');
  // Worker.run() handles SIGINT/SIGTERM itself: it drains in-flight tasks, then resolves.
  await worker.run();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
