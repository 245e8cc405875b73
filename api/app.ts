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
import { createLockdownService, type LockdownService } from '../services/lockdowns';
import { createAuthenticator } from './authentication';
import { errorHandler, unknownRoute } from './http/errors';
import { createRegistry, generateDocument } from './http/openapi';
import { createRouteBuilder } from './http/route';
import { authRoutes } from './routes/auth';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { lockdownRoutes } from './routes/lockdowns';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  lockdowns: LockdownService;
}

export type Route = ReturnType<typeof createRouteBuilder>;

export function createApp({ config, db, temporal, logger }: Omit<ApiDeps, 'lockdowns'>) {
  const deps: ApiDeps = { config, db, temporal, logger, lockdowns: createLockdownService({ db, temporal, config, logger }) };
  const app = express();
  app.disable('x-powered-by');
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
  app.use(express.json({ limit: '256kb' }));
  app.use(cookieParser());

  const registry = createRegistry();
  const router = Router();
  const route = createRouteBuilder(router, registry, createAuthenticator(db));
  for (const register of [healthRoutes, authRoutes, userRoutes, tokenRoutes, lockdownRoutes, eventRoutes]) {
    register(router, route, deps);
  }
  app.use(router);

  const document = generateDocument(registry, publicUrl(config));
  app.get('/api/v1/schema', (_req, res) => {
    res.json(document);
  });
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Account Lockdown API' }));

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
