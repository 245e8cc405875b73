import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../scripts/lib/log';
import { freePort } from '../scripts/lib/ports';
import { stopProcess } from '../scripts/lib/temporal-cli';
import { descendants, postgresProcesses, processes, runsEntry, type ProcessInfo } from './processes';

/**
 * What the bench measures against: the lockdown service brought up one of three ways, each
 * with its API's URL, its database, its Temporal, and the processes whose memory is read.
 * - `bench`: a worker and an API process on the bench's own dev server and database;
 * - `dev`: `npm run dev`, exactly as the README's quick start runs it (ports and data
 *   directory aside), so its logging, its Temporal dev server and its SQLite settings count;
 * - `cluster`: `npm run cluster` (the Temporal server on PostgreSQL) with N workers and one API.
 */
export interface Target {
  apiUrl: string;
  databaseUrl: string;
  /** Settings a client of this target's Temporal needs (loadConfig). */
  temporalEnv: Record<string, string>;
  /** The processes of each part now: worker(s), API(s), the Temporal server, PostgreSQL (for memory and CPU). */
  processes(): Parts;
  stop(): Promise<void>;
}

export interface Parts {
  worker: number[];
  api: number[];
  temporal: number[];
  postgres: number[];
}

export const ADMIN_PASSWORD = 'bench-admin-password';
const logFile = (dir: string, name: string) => path.join(dir, `${name}.log`);

/** `bench`: worker and API as their own processes (as in production), on services the bench started. */
export function benchProcesses(root: string, env: NodeJS.ProcessEnv, options: { logDir: string; workerArgs?: string[] }): Target & { worker: ChildProcess } {
  const node = (script: string, name: string, extra: string[] = []) =>
    spawn(process.execPath, [...extra, '--import', 'tsx', path.join(root, script)], { cwd: root, env, stdio: ['ignore', openSync(logFile(options.logDir, name), 'a'), 'inherit'] });
  const worker = node('worker/main.ts', 'worker', options.workerArgs);
  const api = node('api/main.ts', 'api');
  return {
    worker,
    apiUrl: `http://127.0.0.1:${env.PORT}`,
    databaseUrl: env.DATABASE_URL!,
    temporalEnv: pick(env, ['TEMPORAL_ADDRESS', 'LOCKDOWN_PAYLOAD_KEYS']),
    processes: () => {
      const all = processes();
      const temporalPort = env.TEMPORAL_ADDRESS!.split(':')[1];
      return {
        worker: [worker.pid!],
        api: [api.pid!],
        temporal: all.filter((info) => info.commandLine.includes('start-dev') && info.commandLine.includes(`--port ${temporalPort} `)).map((info) => info.pid),
        postgres: postgresProcesses(all, Number(new URL(env.DATABASE_URL!).port)),
      };
    },
    // SIGTERM lets the worker drain and exit, so that --cpu-prof writes its profile.
    stop: async () => {
      await stopProcess(api);
      await stopProcess(worker, 60_000);
    },
  };
}

/**
 * `dev`: `npm run dev` in `root`, as a new user runs it — nothing set but its ports, a data
 * directory of its own and the admin password (so the bench can log in).
 */
export async function devTarget(root: string, options: { logDir: string; dataDir: string }): Promise<Target> {
  const [port, temporalPort, uiPort, pgPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const env = { ...withoutServiceSettings(process.env), PORT: String(port), TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), LOCKDOWN_PG_PORT: String(pgPort), LOCKDOWN_DATA_DIR: options.dataDir, LOCKDOWN_ADMIN_PASSWORD: ADMIN_PASSWORD };
  const script = spawnGroup('npm', ['run', 'dev'], root, env, logFile(options.logDir, 'dev'));
  const target: Target = {
    apiUrl: `http://127.0.0.1:${port}`,
    databaseUrl: `postgresql://lockdown:lockdown@127.0.0.1:${pgPort}/lockdown`,
    temporalEnv: { TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, LOCKDOWN_PAYLOAD_KEYS_FILE: path.join(options.dataDir, 'payload-keys') },
    processes: () => partsOf(script.pid!, pgPort, (info) => info.commandLine.includes('start-dev')),
    stop: () => stopGroup(script),
  };
  await waitReady(target, script, logFile(options.logDir, 'dev'));
  return target;
}

/** `cluster`: `npm run cluster` in `root` with `workers` worker processes and one API, on ports of its own (`slot` keeps phases apart). */
export async function clusterTarget(root: string, options: { logDir: string; dataDir: string; workers: number; slot: number }): Promise<Target> {
  // Membership ports (frontend − 300 …) must fit a PostgreSQL smallint: under 32,768.
  const temporalPort = 24233 + 20 * options.slot;
  const apiPort = 3201 + options.slot;
  const pgPort = await freePort();
  rmSync(options.dataDir, { recursive: true, force: true });
  const args = ['run', 'cluster', '--', '--workers', String(options.workers), '--apis', '1', '--data-dir', options.dataDir, '--pg-port', String(pgPort), '--temporal-port', String(temporalPort), '--api-port', String(apiPort), '--worker-metrics-port', String(9664 + 10 * options.slot)];
  const env = { ...withoutServiceSettings(process.env), LOCKDOWN_ADMIN_PASSWORD: ADMIN_PASSWORD };
  const script = spawnGroup('npm', args, root, env, logFile(options.logDir, 'cluster'));
  const target: Target = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    databaseUrl: `postgresql://lockdown:lockdown@127.0.0.1:${pgPort}/lockdown`,
    temporalEnv: { TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, LOCKDOWN_PAYLOAD_KEYS_FILE: path.join(options.dataDir, 'payload-keys') },
    processes: () => partsOf(script.pid!, pgPort, (info) => /temporal-server-v[\d.]+\/server /.test(info.commandLine)),
    stop: () => stopGroup(script),
  };
  await waitReady(target, script, logFile(options.logDir, 'cluster'));
  return target;
}

/** The bench's own settings must not leak into a target that should run on its defaults. */
function withoutServiceSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(DATABASE_URL|TEMPORAL_|LOCKDOWN_|WORKER_|API_|PORT$|HOST$|LOG_)/.test(key) || key === 'LOCKDOWN_TEST_PG_PORT'));
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
}

/** A script in a process group of its own, so that Ctrl-C (SIGINT to the group) reaches it as from a terminal. */
function spawnGroup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, file: string): ChildProcess {
  const out = openSync(file, 'a');
  return spawn(command, args, { cwd, env, stdio: ['ignore', out, out], detached: true });
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
  await exited;
  clearTimeout(timer);
}

/** Until the API answers /readyz (a worker polls): a target takes a minute or more to start on a busy machine. */
async function waitReady(target: Target, script: ChildProcess, file: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (script.exitCode !== null) throw new Error(`The target exited while starting; see ${file}.`);
    try {
      if ((await fetch(`${target.apiUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })).ok) {
        log(`Target ready at ${target.apiUrl}.`);
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The target did not get ready within 10 minutes; see ${file}.`);
    await sleep(1_000);
  }
}

/** The parts of a target started by the script `root` (its descendants) and the PostgreSQL on `pgPort` (pg_ctl detaches it). */
function partsOf(root: number, pgPort: number, isTemporal: (info: ProcessInfo) => boolean): Parts {
  const all = processes();
  const below = descendants(all, root);
  return {
    worker: below.filter((info) => runsEntry(info, 'worker/main.ts')).map((info) => info.pid),
    api: below.filter((info) => runsEntry(info, 'api/main.ts')).map((info) => info.pid),
    temporal: below.filter(isTemporal).map((info) => info.pid),
    postgres: postgresProcesses(all, pgPort),
  };
}
