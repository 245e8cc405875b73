import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';

/** Temporal lists pollers seen in the last minutes; only a recent poll means a live worker. */
const RECENT_POLL_MS = 90_000;
const TEMPORAL_DEADLINE_MS = 2_000;

/**
 * Whether this API can serve lockdowns: PostgreSQL answers, Temporal answers, and a worker polls
 * the task queue for activities — the API's own worker (worker/api-worker.ts) polls workflow
 * tasks only, so it never passes for the worker processes that run the lockdowns' activities.
 */
export function createReadiness(db: Db, temporal: Client, config: Config) {
  return {
    async check() {
      const database = await db.$queryRaw`SELECT 1`.then(() => true, () => false);
      const pollers = await temporal
        .withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
          temporal.workflowService.describeTaskQueue({
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
            taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
          }),
        )
        .then((answer) => answer.pollers ?? [], () => null);
      const recent = (pollers ?? []).filter((poller) => Number(poller.lastAccessTime?.seconds ?? 0) * 1000 > Date.now() - RECENT_POLL_MS);
      const checks = { database, temporal: pollers !== null, worker: recent.length > 0 };
      return { ready: checks.database && checks.temporal && checks.worker, checks };
    },
  };
}
