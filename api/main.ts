import { loadConfig, publicUrl } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { parseServiceArgs } from '../lib/usage';
import { createLockdownService } from '../services/lockdowns';
import { createApp } from './app';
import { answerClientErrorsInEnvelope } from './http/errors';

/** `npm run api`: serves the HTTP API against the configured Temporal and PostgreSQL. */
export async function startApi() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = createDb(config.DATABASE_URL);
  const temporal = await createTemporalClient(config);
  const app = createApp({ config, db, temporal, logger });
  const server = app.listen(config.PORT, config.HOST);
  answerClientErrorsInEnvelope(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  logger.info({ url: publicUrl(config) }, 'api listening');
  // A request that died between recording a lockdown and starting it left work undone.
  void createLockdownService({ db, temporal, config, logger })
    .resumeUnstarted()
    .catch((err) => logger.error({ err }, 'could not resume interrupted lockdowns'));
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await temporal.connection.close();
    await db.$disconnect();
  };
  return { server, stop, logger };
}

if (require.main === module) {
  parseServiceArgs('npm run api', 'Serves the HTTP API (docs at /api/docs) on HOST:PORT (default 127.0.0.1:3000).');
  startApi()
    .then(({ stop, logger }) => {
      const shutdown = () => void stop().then(() => { logger.info('api stopped'); process.exit(0); });
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
