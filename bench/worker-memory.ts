import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createActivities } from '../activities';
import { connectWorker, createLockdownWorker } from '../worker/create-worker';

/**
 * What a worker process holds before it does any work, piece by piece: Node with the project's
 * code, the Prisma client (its WebAssembly query compiler is loaded on the first query), the
 * Temporal runtime and connection, the worker with its workflow thread and bundle. Run by
 * `npm run bench -- --memory` against the bench's services (DATABASE_URL, TEMPORAL_ADDRESS,
 * LOCKDOWN_PAYLOAD_KEYS, WORKFLOW_BUNDLE_PATH); prints one JSON line.
 */
async function main() {
  const settle = async () => {
    global.gc?.();
    await sleep(500);
    global.gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    return { rssMb: Math.round(rss / 2 ** 20), heapUsedMb: Math.round(heapUsed / 2 ** 20), externalMb: Math.round(external / 2 ** 20) };
  };
  const steps: Record<string, Awaited<ReturnType<typeof settle>>> = {};
  steps['node and the project code'] = await settle();
  const config = loadConfig();
  const logger = createLogger('error', 'worker-memory');
  const db = createDb(config.DATABASE_URL, config.WORKER_MAX_CONCURRENT_ACTIVITIES);
  createActivities(db, config, logger);
  await db.user.findFirst({ select: { id: true } });
  steps['+ Prisma client, first query'] = await settle();
  const connection = await connectWorker(config, logger);
  steps['+ Temporal runtime and connection'] = await settle();
  const { worker } = await createLockdownWorker({ config, db, logger, connection, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH });
  const running = worker.run();
  await sleep(2_000);
  steps['+ worker (workflow thread, bundle loaded), idle'] = await settle();
  worker.shutdown();
  await running;
  await connection.close();
  await db.$disconnect();
  process.stdout.write(`${JSON.stringify(steps)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
