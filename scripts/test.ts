import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prepareDatabase } from './lib/database';
import { log } from './lib/log';
import { freePort } from './lib/ports';
import { dropDatabase, startLocalPostgres } from './lib/postgres';
import { startTemporalDevServer, type DevServer } from './lib/temporal-cli';

/**
 * `npm test`: starts what the tests need — a Temporal dev server (fresh SQLite file) and
 * PostgreSQL (TEST_DATABASE_URL, else a private cluster in .data/test-postgres) — with a
 * fresh test database, bundles the workflows once, runs jest, and stops it all.
 * Arguments are passed to jest (e.g. `npm test -- test/lockdown.test.ts`).
 */
const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), 'lockdown-test-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(work, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch((err) => log(`cleanup: ${err}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const server: DevServer = await startTemporalDevServer({
        dbFile: path.join(work, 'temporal.db'),
        port: await freePort(),
        uiPort: await freePort(),
        logFile: path.join(work, 'temporal.log'),
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
    }
    log(`Temporal at ${temporalAddress}`);

    let databaseUrl = process.env.TEST_DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await startLocalPostgres(path.join(ROOT, '.data', 'test-postgres'), Number(process.env.LOCKDOWN_TEST_PG_PORT ?? 54330));
      cleanups.push(() => postgres.stop());
      // One database per run, so two runs on one machine never share state.
      databaseUrl = postgres.url(`lockdown_test_${process.pid}`);
      const url = databaseUrl;
      cleanups.push(() => dropDatabase(url));
    }
    await prepareDatabase(databaseUrl, { recreate: true, adminPassword: 'admin-password-for-tests', quiet: true });
    log(`PostgreSQL test database ready (${new URL(databaseUrl).host}${new URL(databaseUrl).pathname})`);

    const bundlePath = path.join(work, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger });
    writeFileSync(bundlePath, code);
    log(`Services ready in ${((Date.now() - started) / 1000).toFixed(1)} s; running jest…`);

    const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        WORKFLOW_BUNDLE_PATH: bundlePath,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      },
    });
    return await new Promise<number>((resolve) => jest.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  } finally {
    await cleanup();
  }
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => log(message),
  error: (message: string) => log(message),
  log: () => undefined,
};

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
