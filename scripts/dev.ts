import './lib/prerequisites-of-dev';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { prepareDatabase } from './lib/database';
import { log } from './lib/log';
import { ensurePayloadKeys } from './lib/payload-keys-file';
import { buildConsole } from './lib/web-console';
import { isPortInUse } from './lib/ports';
import { startLocalPostgres, type LocalPostgres } from './lib/postgres';
import { startTemporalDevServer, stopProcess, type DevServer } from './lib/temporal-cli';

const ROOT = path.resolve(__dirname, '..');

const program = new Command('npm run dev')
  .description(
    'Start everything on embedded defaults: the Temporal dev server (SQLite file), a private PostgreSQL ' +
      'cluster, migrations and seed, the worker and the API on 127.0.0.1.',
  )
  .addHelpText(
    'after',
    `
Environment:
  PORT                       API port (default 3000)
  LOCKDOWN_DATA_DIR          where data persists (default ./.data)
  LOCKDOWN_ADMIN_PASSWORD    password of the seeded "admin" (default: generated, printed once)
  LOCKDOWN_PAYLOAD_KEYS(_FILE)  Temporal payload encryption keys (default: generated once into the data directory)
  DATABASE_URL               use this PostgreSQL instead of the private cluster
  TEMPORAL_ADDRESS           use this Temporal instead of the dev server
  TEMPORAL_PORT, TEMPORAL_UI_PORT, LOCKDOWN_PG_PORT   ports of the embedded services (7233, 8233, 54329)`,
  )
  .parse();

async function main() {
  program.opts();
  const dataDir = path.resolve(process.env.LOCKDOWN_DATA_DIR ?? path.join(ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  // One shutdown, whoever asks first (a signal, or a child that exited): stop in reverse start order.
  let stopping: Promise<void> | null = null;
  const shutdown = (code: number) =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      process.exit(code);
    })());
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    const payloadKeys = ensurePayloadKeys(dataDir);
    const apiUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporalUi = process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
    if (!temporalAddress) {
      const port = Number(process.env.TEMPORAL_PORT ?? 7233);
      if (await isPortInUse(port)) throw new Error(`Port ${port} is taken; is another Temporal running? Set TEMPORAL_ADDRESS to use it, or TEMPORAL_PORT.`);
      log('Starting the Temporal dev server…');
      const server: DevServer = await startTemporalDevServer({
        dbFile: path.join(dataDir, 'temporal', 'temporal.db'),
        port,
        uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
        logFile: path.join(dataDir, 'temporal', 'server.log'),
        // The Web UI decodes encrypted payloads through the API's codec endpoint, with the
        // browser's session cookie: a logged-in auditor (view_audit) reads them in clear.
        codecEndpoint: `${apiUrl}/api/v1/temporal-codec`,
        uiDir: path.join(dataDir, 'temporal', 'ui'),
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      temporalUi = server.uiUrl;
    }

    let databaseUrl = process.env.DATABASE_URL;
    let databaseDescription = databaseUrl ? 'DATABASE_URL' : '';
    if (!databaseUrl) {
      log('Starting the private PostgreSQL cluster…');
      const postgres: LocalPostgres = await startLocalPostgres(path.join(dataDir, 'postgres'), Number(process.env.LOCKDOWN_PG_PORT ?? 54329), { owned: true });
      cleanups.push(() => postgres.stop());
      databaseUrl = postgres.url('lockdown');
      databaseDescription = `local PostgreSQL cluster in ${path.join(dataDir, 'postgres')}`;
    }

    await buildConsole();

    log('Applying migrations and seeding…');
    const seeded = await prepareDatabase(databaseUrl, { adminPassword: process.env.LOCKDOWN_ADMIN_PASSWORD, quiet: true });

    // One workflow bundle for the worker and the API's own worker (eager starts), built once in a child process.
    const workflowBundle = await bundleWorkflows(path.join(dataDir, 'workflow-bundle.js'));

    const env = { LOG_FORMAT: 'pretty', ...process.env, ...payloadKeys, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_UI_URL: temporalUi, WORKFLOW_BUNDLE_PATH: workflowBundle };
    const children: ChildProcess[] = [];
    for (const entry of ['worker/main.ts', 'api/main.ts']) {
      const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, entry)], { env, stdio: 'inherit' });
      child.once('exit', (code, signal) => {
        if (stopping) return;
        log(`${entry} exited (${signal ?? code}); stopping.`);
        void shutdown(code ?? 1);
      });
      children.push(child);
      cleanups.push(() => stopProcess(child));
    }

    const api = apiUrl;
    const adminPassword = seeded.generatedAdminPassword
      ? `generated, shown once: ${seeded.generatedAdminPassword}`
      : seeded.adminCreated
        ? 'from LOCKDOWN_ADMIN_PASSWORD'
        : 'unchanged (set when the data directory was created)';
    process.stderr.write(`
  Account Lockdown is starting
    Web console      ${api}/
    API              ${api}/api/v1
    API docs         ${api}/api/docs   (OpenAPI: ${api}/api/v1/schema)
    Temporal Web UI  ${temporalUi}
    Temporal         ${temporalAddress}
    Database         ${databaseDescription}
    Data directory   ${dataDir}
    Admin login      admin / ${adminPassword}
  Ctrl-C stops everything; data persists in the data directory.

`);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    await shutdown(1);
  }
}

/** Writes the workflow bundle with scripts/bundle-workflows.ts in a child process (webpack stays out of this one). */
async function bundleWorkflows(file: string): Promise<string> {
  log('Bundling the workflows…');
  const bundler = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'scripts', 'bundle-workflows.ts'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => bundler.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`Bundling the workflows failed (exit code ${code}).`);
  return file;
}

void main();
