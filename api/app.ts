import type { Client } from '@temporalio/client';
import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { type Config, publicUrl } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createMetrics, type Metrics } from '../lib/metrics';
import { createServices, type ServiceDeps, type Services } from '../services';
import { createAuthenticator } from './authentication';
import { serveConsole } from './console';
import { errorHandler, HttpError, unknownRoute } from './http/errors';
import { createRegistry, generateDocument } from './http/openapi';
import { createRouteBuilder } from './http/route';
import { authRoutes } from './routes/auth';
import { connectorRoutes } from './routes/connectors';
import { consoleRoutes } from './routes/console';
import { eventRoutes } from './routes/events';
import { flowRoutes } from './routes/flows';
import { healthRoutes } from './routes/health';
import { lockdownAuditRoutes } from './routes/lockdown-audit';
import { lockdownPreviewRoutes } from './routes/lockdown-preview';
import { lockdownRoutes } from './routes/lockdowns';
import { notificationRoutes } from './routes/notifications';
import { securityEventRoutes } from './routes/security-events';
import { signalRoutes } from './routes/signals';
import { permissionRoutes } from './routes/permissions';
import { temporalCodecRoutes } from './routes/temporal-codec';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  metrics: Metrics;
  services: Services;
}

export type Route = ReturnType<typeof createRouteBuilder>;

const MAX_URL_LENGTH = 8_192;

export function createApp({
  config,
  db,
  temporal,
  logger,
  eagerWorkflowStart,
  recordNotices,
  services: given,
  metrics = createMetrics(),
}: Pick<ApiDeps, 'config' | 'db' | 'temporal' | 'logger'> & Pick<ServiceDeps, 'eagerWorkflowStart' | 'recordNotices'> & { services?: Services; metrics?: Metrics }) {
  const services = given ?? createServices({ config, db, temporal, logger, eagerWorkflowStart, recordNotices, connectorMetrics: metrics.connectors });
  const deps: ApiDeps = { config, db, temporal, logger, metrics, services };
  const app = express();
  app.disable('x-powered-by');
  // req.ip (recorded client IP, IP matcher policies, login rate limit) honours X-Forwarded-For only from trusted proxies.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use((req, res, next) => {
    if (req.originalUrl.length > MAX_URL_LENGTH) {
      next(new HttpError(414, 'uri_too_long', `URLs are limited to ${MAX_URL_LENGTH} characters.`));
      return;
    }
    const stopTimer = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => stopTimer({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 100)) || randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Paths and status only: bodies, cookies and auth headers never reach the log.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(helmet({ contentSecurityPolicy: false }));
  // Room for the largest bulk request (LOCKDOWN_MAX_TARGETS ids of 36 characters), no more.
  app.use(express.json({ limit: '1mb' }));
  app.use(cookieParser());

  const registry = createRegistry();
  const router = Router();
  const route = createRouteBuilder(router, registry, createAuthenticator(services.credentialCheck));
  for (const register of [healthRoutes, authRoutes, userRoutes, permissionRoutes, tokenRoutes, lockdownRoutes, lockdownPreviewRoutes, lockdownAuditRoutes, eventRoutes, notificationRoutes, securityEventRoutes, signalRoutes, flowRoutes, temporalCodecRoutes, consoleRoutes, connectorRoutes]) {
    register(router, route, deps);
  }
  app.use(router);

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format).',
    tags: ['operations'],
    responses: { 200: { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
  });

  const document = generateDocument(registry, publicUrl(config));
  app.get('/api/v1/schema', (_req, res) => {
    res.json(document);
  });
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Account Lockdown API' }));

  // ── web console: static files and the pages of the single-page app (api/console.ts) ──
  app.use(serveConsole());
  // ── end web console ──

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
