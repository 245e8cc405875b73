import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePayloadKey } from '../../lib/payload-keys';
import { prepareDatabase } from './database';
import { freePort } from './ports';
import { dropDatabase, startLocalPostgres } from './postgres';
import { startTemporalDevServer } from './temporal-cli';

/**
 * Throwaway services for the tests and the benchmark: a Temporal dev server with a fresh
 * SQLite file (unless TEMPORAL_ADDRESS is given) and a fresh, migrated, seeded database on
 * `databaseUrl`, or else in the private cluster of .data/test-postgres.
 */
export interface EphemeralServices {
  temporalAddress: string;
  databaseUrl: string;
  /** A scratch directory removed by `stop`. */
  work: string;
  /** LOCKDOWN_PAYLOAD_KEYS for the processes: the environment's, else a key made for this run. */
  payloadKeys: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');

export async function startEphemeralServices(options: { name: string; databaseUrl?: string; adminPassword: string }): Promise<EphemeralServices> {
  const work = mkdtempSync(path.join(tmpdir(), `lockdown-${options.name}-`));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(work, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of cleanups.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const server = await startTemporalDevServer({
        dbFile: path.join(work, 'temporal.db'),
        port: await freePort(),
        uiPort: await freePort(),
        logFile: path.join(work, 'temporal.log'),
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
    }
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const postgres = await startLocalPostgres(path.join(ROOT, '.data', 'test-postgres'), Number(process.env.LOCKDOWN_TEST_PG_PORT ?? 54330));
      cleanups.push(() => postgres.stop());
      // One database per run, so two runs on one machine never share state.
      const url = postgres.url(`lockdown_${options.name}_${process.pid}`);
      cleanups.push(() => dropDatabase(url));
      databaseUrl = url;
    }
    await prepareDatabase(databaseUrl, { recreate: true, adminPassword: options.adminPassword, quiet: true });
    const payloadKeys = process.env.LOCKDOWN_PAYLOAD_KEYS ?? generatePayloadKey(`${options.name}-${process.pid}`);
    return { temporalAddress, databaseUrl, work, payloadKeys, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
