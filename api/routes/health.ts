import type { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps, Route } from '../app';

const Readiness = z
  .object({ ready: z.boolean(), checks: z.object({ database: z.boolean(), temporal: z.boolean(), worker: z.boolean() }) })
  .openapi('Readiness');

export function healthRoutes(_router: Router, route: Route, { services: { readiness } }: ApiDeps) {
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
      const answer = await readiness.check();
      return { status: answer.ready ? 200 : 503, body: answer };
    },
  });
}
