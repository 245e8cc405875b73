import { createServer, type Server } from 'node:http';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, Next } from '@temporalio/worker';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { WorkerMetrics } from '../lib/metrics';
import { REVOKED_ON_DEACTIVATION } from '../domain/lockdown-actions';

/** Time to revocation ends with the last credential-revoking action (domain/lockdown-actions.ts `revokedOnDeactivation`). */
const LAST_REVOCATION_STEP = REVOKED_ON_DEACTIVATION.at(-1);

/**
 * Lockdown metrics measured around every activity attempt, so the activities themselves stay
 * free of instrumentation: a duration per step, users finished per result, time to revocation
 * and lockdown durations (both from the lockdown's request, read once per lockdown).
 */
export function metricsInterceptor(metrics: WorkerMetrics, db: Db) {
  const requestedAt = lockdownRequestTimes(db);
  return (ctx: Context): ActivityInterceptors => ({
    inbound: new StepMetrics(ctx, metrics, requestedAt),
  });
}

class StepMetrics implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly metrics: WorkerMetrics,
    private readonly requestedAt: (lockdownId: string) => Promise<Date | null>,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const step = this.ctx.info.activityType;
    const stop = this.metrics.stepDuration.startTimer({ step });
    let result: unknown;
    try {
      result = await next(input);
    } catch (err) {
      stop({ outcome: 'error' });
      throw err;
    }
    stop({ outcome: 'ok' });
    // Metrics never fail a step: the lookups behind them are best effort.
    await this.afterSuccess(step, input.args[0] as Record<string, unknown> | undefined).catch(() => undefined);
    return result;
  }

  private async afterSuccess(step: string, args: Record<string, unknown> | undefined): Promise<void> {
    const lockdownId = typeof args?.lockdownId === 'string' ? args.lockdownId : null;
    if (!lockdownId) return;
    if (step === 'recordTargetResult') {
      this.metrics.usersFinished.inc({ result: args?.success ? 'locked' : 'failed' });
    } else if (step === LAST_REVOCATION_STEP) {
      const since = await this.requestedAt(lockdownId);
      if (since) this.metrics.timeToRevocation.observe((Date.now() - since.getTime()) / 1000);
    } else if (step === 'recordLockdownState' && args?.finished) {
      const since = await this.requestedAt(lockdownId);
      if (since) this.metrics.lockdownDuration.observe({ status: String(args.status) }, (Date.now() - since.getTime()) / 1000);
    }
  }
}

/** When each lockdown was requested: one query per lockdown and worker, remembered for the recent ones. */
function lockdownRequestTimes(db: Db, remembered = 1_000) {
  const cache = new Map<string, Promise<Date | null>>();
  return (lockdownId: string): Promise<Date | null> => {
    let found = cache.get(lockdownId);
    if (!found) {
      found = db.lockdown.findUnique({ where: { id: lockdownId }, select: { createdAt: true } }).then((row) => row?.createdAt ?? null);
      found.catch(() => cache.delete(lockdownId));
      cache.set(lockdownId, found);
      if (cache.size > remembered) cache.delete(cache.keys().next().value!);
    }
    return found;
  };
}

/**
 * The worker's small HTTP endpoint: GET /metrics (Prometheus) and GET /healthz (200 while it
 * polls, 503 once it is draining, so an orchestrator stops counting it as ready).
 */
export async function serveWorkerMetrics(
  metrics: WorkerMetrics,
  options: { host: string; port: number; isDraining: () => boolean; logger: Logger },
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url?.split('?')[0];
    if (req.method === 'GET' && url === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else if (req.method === 'GET' && url === '/healthz') {
      const draining = options.isDraining();
      res.writeHead(draining ? 503 : 200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: draining ? 'draining' : 'ok' }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  options.logger.info({ url: `http://${options.host}:${options.port}/metrics` }, 'worker metrics listening');
  return server;
}
