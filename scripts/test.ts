import './lib/prerequisites-of-test';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEphemeralServices } from './lib/ephemeral-services';
import { log, quietBundlerLogger } from './lib/log';
import { buildConsole } from './lib/web-console';

/**
 * `npm test`: starts what the tests need — a Temporal dev server (fresh SQLite file) and
 * PostgreSQL (TEST_DATABASE_URL, else a private cluster in .data/test-postgres) — with a
 * fresh test database, bundles the workflows once, runs jest, and stops it all.
 * Arguments are passed to jest (e.g. `npm test -- test/lockdown.test.ts`).
 */
const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  const started = Date.now();
  // The browser tests drive the console as built from the current sources.
  await buildConsole();
  const services = await startEphemeralServices({ name: 'test', databaseUrl: process.env.TEST_DATABASE_URL, adminPassword: 'admin-password-for-tests' });
  const { temporalAddress, databaseUrl, work } = services;
  process.once('SIGINT', () => void services.stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void services.stop().then(() => process.exit(143)));
  try {
    log(`Temporal at ${temporalAddress}; PostgreSQL test database ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`);
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
        LOCKDOWN_PAYLOAD_KEYS: services.payloadKeys,
        LOCKDOWN_PAYLOAD_KEYS_FILE: undefined,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      },
    });
    return await new Promise<number>((resolve) => jest.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  } finally {
    await services.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
