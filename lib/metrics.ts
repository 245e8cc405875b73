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
    connectors: createConnectorMetrics(registry),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Requests to downstream connectors (Keycloak, SCIM), per connector: counted and timed where
 * they are made — the worker's lockdown activities, and the API's health checks and restores.
 */
export function createConnectorMetrics(registry: Registry) {
  const labelNames = ['connector', 'kind'] as const;
  return {
    requests: new Counter({
      name: 'lockdown_connector_requests_total',
      help: 'Requests to downstream connectors, by connector (its name), kind and result: the status class (2xx, 3xx, 4xx, 5xx) or unreachable.',
      labelNames: [...labelNames, 'result'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'lockdown_connector_failures_total',
      help: 'Requests to downstream connectors that failed: no answer, or a status of 400 or more other than 404 (an account that is not there is an answer).',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'lockdown_connector_request_duration_seconds',
      help: 'Duration of one request to a downstream connector, answered or not.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'lockdown_connector_outcomes_total',
      help: 'Users a lockdown reached downstream, by connector, kind and outcome (done, not_found, failed), once each run has its final outcome.',
      labelNames: [...labelNames, 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type ConnectorMetrics = ReturnType<typeof createConnectorMetrics>;

/** Seconds, from a few milliseconds (one step) to the better part of an hour (a large bulk run). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Prometheus metrics of a worker process, served at its GET /metrics (WORKER_METRICS_PORT).
 * The Temporal SDK's own metrics (polls, task latencies, slots) are on its separate
 * endpoint (WORKER_SDK_METRICS_PORT).
 */
export function createWorkerMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  // Node process metrics (CPU, memory, event loop) only where they are served: one set per process.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    stepDuration: new Histogram({
      name: 'lockdown_step_duration_seconds',
      help: 'Duration of one attempt of a lockdown step (activity), by step and outcome (ok, error).',
      labelNames: ['step', 'outcome'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    usersFinished: new Counter({
      name: 'lockdown_users_total',
      help: 'Users whose lockdown this worker finished, by result (locked, failed).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    timeToRevocation: new Histogram({
      name: 'lockdown_time_to_revocation_seconds',
      help: "From the lockdown's request to the moment this user's tokens were revoked.",
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    lockdownDuration: new Histogram({
      name: 'lockdown_duration_seconds',
      help: 'From the request to the end of the lockdown, by final status.',
      labelNames: ['status'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    connectors: createConnectorMetrics(registry),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
