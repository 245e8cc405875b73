import { createServer } from 'node:http';
import { loadConfig, publicUrl } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { parseServiceArgs } from '../lib/usage';
import { createServices } from '../services';
import { connectApiToTemporal } from '../worker/api-worker';
import { createApp } from './app';
import { answerClientErrorsInEnvelope } from './http/errors';

/** `npm run api`: serves the HTTP API against the configured Temporal and PostgreSQL. */
export async function startApi() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = createDb(config.DATABASE_URL);
  const { temporal, eagerWorkflowStart, recordNotices, stop: stopTemporal } = await connectApiToTemporal({ config, db, logger });
  const metrics = createMetrics();
  const services = createServices({ config, db, temporal, logger, eagerWorkflowStart, recordNotices, connectorMetrics: metrics.connectors });
  const app = createApp({ config, db, temporal, logger, services, metrics });
  let draining = false;
  const server = createServer((req, res) => {
    if (draining) {
      // A load balancer polling readiness takes this instance out; answers say not to reuse the connection.
      res.setHeader('Connection', 'close');
      if (req.url === '/readyz') {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'draining' }));
        return;
      }
    }
    app(req, res);
  });
  server.listen(config.PORT, config.HOST);
  answerClientErrorsInEnvelope(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  logger.info({ url: publicUrl(config) }, 'api listening');
  // Lockdowns recorded but not started (a request died, or Temporal was unreachable) are started, now and every half minute.
  const stopResuming = services.lockdowns.resumeUnstartedEvery();
  // Password lockouts whose escalation to a lockdown a dying request left owed are escalated, likewise.
  const stopEscalating = services.passwordLockout.resumeEscalationsEvery();

  /** Stops accepting connections, lets requests in flight finish (up to API_SHUTDOWN_GRACE_MS), then closes the clients. */
  const stop = async () => {
    draining = true;
    stopResuming();
    stopEscalating();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn({ graceMs: config.API_SHUTDOWN_GRACE_MS }, 'requests still in flight after the grace time; closing their connections');
      server.closeAllConnections();
    }, config.API_SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(timer);
    await stopTemporal();
    await db.$disconnect();
  };
  return { server, stop, logger };
}

if (require.main === module) {
  parseServiceArgs(
    'npm run api',
    'Serves the HTTP API (docs at /api/docs) on HOST:PORT (default 127.0.0.1:3000). On SIGTERM/SIGINT it stops accepting connections and lets requests in flight finish (API_SHUTDOWN_GRACE_MS).',
  );
  startApi()
    .then(({ stop, logger }) => {
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'api draining: no new connections, finishing requests in flight');
        void stop().then(
          () => {
            logger.info('api stopped');
            process.exit(0);
          },
          (err) => {
            logger.error({ err }, 'api shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
