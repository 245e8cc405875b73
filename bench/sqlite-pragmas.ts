import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Command } from 'commander';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { generatePayloadKey } from '../lib/payload-keys';
import { createTemporalClient } from '../lib/temporal';
import { log, quietBundlerLogger } from '../scripts/lib/log';
import { freePort } from '../scripts/lib/ports';
import { startTemporalDevServer, stopProcess, type DevServer, type SqliteSynchronous } from '../scripts/lib/temporal-cli';
import type { ceilingParent } from './ceiling/workflows';
import { spread } from './measure';

/**
 * The dev server's SQLite `synchronous` settings side by side: one dev server per setting (WAL
 * mode each), one no-op worker each (bench/ceiling: a parent that starts a child that runs eight
 * local activities and signals back — a single lockdown's shape in Temporal), and the same
 * workflow run on each server in turn, round after round, so a busy machine slows them alike.
 */
const program = new Command('npx tsx bench/sqlite-pragmas.ts')
  .description('Latency of a lockdown-shaped workflow on Temporal dev servers with SQLite synchronous=OFF, NORMAL and FULL (WAL mode), interleaved.')
  .option('--rounds <n>', 'workflows per server', '100')
  .option('--settings <list>', 'synchronous settings to compare', 'OFF,NORMAL,FULL')
  .parse();

async function main() {
  const options = program.opts<{ rounds: string; settings: string }>();
  const settings = options.settings.split(',') as SqliteSynchronous[];
  const dir = mkdtempSync(path.join(tmpdir(), 'lockdown-sqlite-'));
  const payloadKeys = generatePayloadKey('sqlite-pragmas');
  const bundle = path.join(dir, 'ceiling-bundle.js');
  writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('./ceiling/workflows'), logger: quietBundlerLogger })).code);
  const servers: DevServer[] = [];
  const workers: ChildProcess[] = [];
  const loadAtStart = loadavg()[0];
  try {
    const clients: Client[] = [];
    for (const synchronous of settings) {
      const server = await startTemporalDevServer({ dbFile: path.join(dir, `${synchronous}.db`), port: await freePort(), uiPort: await freePort(), logFile: path.join(dir, `${synchronous}.log`), synchronous });
      servers.push(server);
      const env = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: 'sqlite-pragmas', LOCKDOWN_PAYLOAD_KEYS: payloadKeys, CEILING_BUNDLE_PATH: bundle, DATABASE_URL: 'postgresql://unused' };
      workers.push(spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ceiling', 'worker.ts')], { env, stdio: ['ignore', openSync(path.join(dir, `${synchronous}-worker.log`), 'a'), 'inherit'] }));
      clients.push(await createTemporalClient(loadConfig(env)));
    }
    const run = (index: number) =>
      clients[index].workflow.execute<typeof ceilingParent>('ceilingParent', {
        taskQueue: 'sqlite-pragmas',
        workflowId: `pragmas-${randomUUID()}`,
        args: [{ total: 1, window: 1, continueAsNewAfter: 500, steps: 8 }],
      });
    log(`Warming up ${settings.join(', ')}…`);
    for (let round = 0; round < 5; round++) for (let index = 0; index < settings.length; index++) await run(index);
    const latencies = settings.map(() => [] as number[]);
    log(`${options.rounds} rounds…`);
    for (let round = 0; round < Number(options.rounds); round++) {
      for (let index = 0; index < settings.length; index++) {
        const begin = performance.now();
        await run(index);
        latencies[index].push(performance.now() - begin);
      }
    }
    process.stdout.write(`\n| SQLite (WAL) synchronous | workflow start → result, p50 / p95 / p99 (ms) |\n| --- | --- |\n`);
    for (const [index, synchronous] of settings.entries()) {
      const s = spread(latencies[index]);
      process.stdout.write(`| ${synchronous} | ${s.p50} / ${s.p95} / ${s.p99} (n=${s.n}) |\n`);
    }
    process.stdout.write(`\nLoad average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end.\n`);
    for (const client of clients) await client.connection.close();
  } finally {
    for (const worker of workers) await stopProcess(worker);
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
