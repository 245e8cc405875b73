import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the API process, served at GET /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'lockdown_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    lockdownsRequested: new Counter({
      name: 'lockdown_requests_total',
      help: 'Lockdowns requested, by kind (single, bulk, self_service).',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    lockdownTargets: new Counter({
      name: 'lockdown_targets_total',
      help: 'Users named in lockdown requests.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
