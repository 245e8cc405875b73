import type { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps, Route } from '../app';

const Readiness = z
  .object({ ready: z.boolean(), checks: z.object({ database: z.boolean(), temporal: z.boolean(), worker: z.boolean() }) })
  .openapi('Readiness');

const RECENT_POLL_MS = 90_000;

export function healthRoutes(_router: Router, route: Route, { db, temporal, config }: ApiDeps) {
  route({
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'The process is up.',
    auth: 'none',
    responses: { 200: { description: 'Up.', schema: z.object({ status: z.literal('ok') }) } },
    handler: async () => ({ status: 200, body: { status: 'ok' } }),
  });

  route({
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'Ready when PostgreSQL and Temporal answer and a worker polls the task queue.',
    auth: 'none',
    responses: { 200: { description: 'Ready.', schema: Readiness }, 503: { description: 'Not ready.', schema: Readiness } },
    handler: async () => {
      const database = await db.$queryRaw`SELECT 1`.then(() => true, () => false);
      const pollers = await temporal
        .withDeadline(Date.now() + 2_000, () =>
          temporal.workflowService.describeTaskQueue({
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
            taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
          }),
        )
        .then((answer) => answer.pollers ?? [], () => null);
      // Temporal lists pollers seen in the last minutes; only a recent poll means a live worker.
      const recent = (pollers ?? []).filter((poller) => Number(poller.lastAccessTime?.seconds ?? 0) * 1000 > Date.now() - RECENT_POLL_MS);
      const checks = { database, temporal: pollers !== null, worker: recent.length > 0 };
      const ready = checks.database && checks.temporal && checks.worker;
      return { status: ready ? 200 : 503, body: { ready, checks } };
    },
  });
}
