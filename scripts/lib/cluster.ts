import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prepareDatabase } from './database';
import { log, quietBundlerLogger } from './log';
import { ensurePayloadKeys } from './payload-keys-file';
import { isPortInUse } from './ports';
import { dropDatabase, startLocalPostgres } from './postgres';
import { stopProcess } from './temporal-cli';
import { clusterPorts, ensureNamespace, migrateTemporalDatabases, resolveTemporalServer, startTemporalServer, type TemporalCluster } from './temporal-server';

/**
 * The production topology on one machine, without Docker: the Temporal server on PostgreSQL
 * (persistence and visibility), N workers and M API instances as separate processes, each
 * with its own ports and log file. Used by `npm run cluster` and the scale-out test.
 */
export interface ClusterOptions {
  /** PostgreSQL server for the Temporal and lockdown databases; unset: a private cluster in `dataDir/postgres`. */
  postgresUrl?: string;
  /** Port of the private PostgreSQL cluster (when `postgresUrl` is unset). */
  privatePostgresPort: number;
  temporalDb: string;
  visibilityDb: string;
  appDb: string;
  temporalPort: number;
  temporalMaxConns: number;
  historyShards: number;
  namespace: string;
  retentionDays: number;
  taskQueue: string;
  workers: number;
  apis: number;
  /** First API port; the others follow. */
  apiPort: number;
  /** First worker metrics port; worker i serves /metrics on base+2i and the SDK's metrics on base+2i+1. */
  workerMetricsPort: number;
  dataDir: string;
  adminPassword?: string;
  /** Extra settings for every worker and API (e.g. LOCKDOWN_BULK_WINDOW). */
  env?: Record<string, string>;
  /** Drop the three databases first (the scale-out test starts from nothing). */
  fresh?: boolean;
  /** Aborting it (Ctrl-C during start) stops what was started so far and rejects. */
  signal?: AbortSignal;
  /** Copy each service's log lines to the terminal, prefixed with its name (otherwise: only to its log file). */
  echoLogs: boolean;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** API: its base URL; worker: its /metrics URL. */
  url: string;
  /** Worker only: the SDK's Prometheus endpoint. */
  sdkMetricsUrl?: string;
}

export interface Cluster {
  temporal: TemporalCluster;
  databaseUrl: string;
  postgresDescription: string;
  adminLogin: string;
  workers: ServiceProcess[];
  apis: ServiceProcess[];
  /** Starts one more worker process (with the next free metrics ports). */
  addWorker(): Promise<ServiceProcess>;
  /** Called once when any service exits on its own (not through `stop`). */
  onUnexpectedExit(listener: (service: ServiceProcess, code: number | null, signal: string | null) => void): void;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch((err) => log(`stopping: ${(err as Error).message}`));
  };
  const exitListeners: ((service: ServiceProcess, code: number | null, signal: string | null) => void)[] = [];
  const logDir = path.join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  try {
    // Processes a previous run left behind (it was killed before it could stop them).
    const pidFile = path.join(options.dataDir, 'cluster.pids');
    await stopLeftovers(pidFile);
    writeFileSync(pidFile, '');
    const recordPid = (pid: number | undefined, name: string) => pid && appendFileSync(pidFile, `${pid} ${name}\n`);
    cleanups.push(() => rmSync(pidFile, { force: true }));

    const taken: number[] = [];
    const wanted = [
      ...clusterPorts(options.temporalPort),
      ...Array.from({ length: options.apis }, (_, i) => options.apiPort + i),
      ...Array.from({ length: options.workers * 2 }, (_, i) => options.workerMetricsPort + i),
    ];
    for (const port of wanted) if (await isPortInUse(port)) taken.push(port);
    if (taken.length > 0) throw new Error(`Ports already in use on 127.0.0.1: ${taken.join(', ')}. Is a cluster already running? Choose others (--help).`);

    options.signal?.throwIfAborted();
    const tools = await resolveTemporalServer();

    let postgresUrl = options.postgresUrl;
    let postgresDescription = postgresUrl ? new URL(postgresUrl).host : '';
    if (!postgresUrl) {
      log('Starting the private PostgreSQL cluster…');
      const postgres = await startLocalPostgres(path.join(options.dataDir, 'postgres'), options.privatePostgresPort, { owned: true });
      cleanups.push(() => postgres.stop());
      postgresUrl = postgres.url('postgres');
      postgresDescription = `private cluster in ${path.join(options.dataDir, 'postgres')} on 127.0.0.1:${options.privatePostgresPort}`;
    }

    if (options.fresh) {
      for (const database of [options.temporalDb, options.visibilityDb, options.appDb]) await dropDatabase(withDatabase(postgresUrl, database));
    }
    options.signal?.throwIfAborted();
    log(`Creating and migrating the Temporal databases ${options.temporalDb} and ${options.visibilityDb}…`);
    await migrateTemporalDatabases(tools, { postgresUrl, temporalDb: options.temporalDb, visibilityDb: options.visibilityDb });

    options.signal?.throwIfAborted();
    log(`Starting the Temporal server on 127.0.0.1:${options.temporalPort}…`);
    const temporal = await startTemporalServer(tools, {
      postgresUrl,
      temporalDb: options.temporalDb,
      visibilityDb: options.visibilityDb,
      port: options.temporalPort,
      dir: path.join(options.dataDir, 'temporal'),
      namespace: options.namespace,
      retentionDays: options.retentionDays,
      historyShards: options.historyShards,
      maxConns: options.temporalMaxConns,
    });
    recordPid(temporal.process.pid, 'temporal-server');
    cleanups.push(() => temporal.stop());
    await ensureNamespace(temporal.address, options.namespace, options.retentionDays);

    options.signal?.throwIfAborted();
    const databaseUrl = withDatabase(postgresUrl, options.appDb);
    log(`Applying migrations and seeding the lockdown database ${options.appDb}…`);
    const seeded = await prepareDatabase(databaseUrl, { adminPassword: options.adminPassword, quiet: true });
    const adminLogin = seeded.generatedAdminPassword
      ? `admin / ${seeded.generatedAdminPassword} (generated, shown once)`
      : seeded.adminCreated
        ? 'admin / LOCKDOWN_ADMIN_PASSWORD'
        : 'admin / unchanged (set when the database was created)';

    // One bundle for every worker and API (their own worker runs first tasks): each would otherwise spend seconds of CPU making its own.
    const bundlePath = path.join(options.dataDir, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
    writeFileSync(bundlePath, code);

    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...ensurePayloadKeys(options.dataDir),
      ...options.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: options.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      HOST: '127.0.0.1',
      // One issuer for every process: the APIs publish the SET keys under it, the workers sign SETs with it.
      PUBLIC_URL: options.env?.PUBLIC_URL ?? process.env.PUBLIC_URL ?? `http://127.0.0.1:${options.apiPort}`,
    };

    const spawnService = (name: string, entry: string, env: NodeJS.ProcessEnv, url: string, sdkMetricsUrl?: string): ServiceProcess => {
      const logFile = path.join(logDir, `${name}.log`);
      const out: WriteStream = createWriteStream(logFile, { flags: 'a' });
      // One process per service (`--import tsx`, no wrapper), so a signal reaches the service itself;
      // its own process group, so Ctrl-C reaches only this script, which stops everything in order.
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      recordPid(child.pid, name);
      for (const stream of [child.stdout!, child.stderr!]) {
        createInterface({ input: stream }).on('line', (line) => {
          out.write(`${line}\n`);
          if (options.echoLogs) process.stderr.write(`${name.padEnd(9)}| ${line}\n`);
        });
      }
      const service: ServiceProcess = { name, child, logFile, url, sdkMetricsUrl };
      child.once('exit', (exitCode, signal) => {
        out.end();
        if (!stopping) for (const listener of exitListeners) listener(service, exitCode, signal);
      });
      return service;
    };

    const workers: ServiceProcess[] = [];
    const apis: ServiceProcess[] = [];
    // APIs first (they stop accepting and drain), then the workers (they finish in-flight tasks), then the server.
    cleanups.push(async () => {
      await Promise.all(apis.map((api) => stopProcess(api.child, 45_000)));
      await Promise.all(workers.map((worker) => stopProcess(worker.child, 45_000)));
    });
    const addWorker = async () => {
      const index = workers.length;
      const metricsPort = options.workerMetricsPort + 2 * index;
      const worker = spawnService(
        `worker-${index + 1}`,
        'worker/main.ts',
        { ...baseEnv, WORKFLOW_BUNDLE_PATH: bundlePath, WORKER_METRICS_PORT: String(metricsPort), WORKER_SDK_METRICS_PORT: String(metricsPort + 1) },
        `http://127.0.0.1:${metricsPort}/metrics`,
        `http://127.0.0.1:${metricsPort + 1}/metrics`,
      );
      workers.push(worker);
      await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, worker, options.signal);
      return worker;
    };
    options.signal?.throwIfAborted();
    log(`Starting ${options.workers} workers and ${options.apis} API instances…`);
    for (let i = 0; i < options.apis; i++) {
      apis.push(spawnService(`api-${i + 1}`, 'api/main.ts', { ...baseEnv, WORKFLOW_BUNDLE_PATH: bundlePath, PORT: String(options.apiPort + i) }, `http://127.0.0.1:${options.apiPort + i}`));
    }
    await Promise.all([...Array.from({ length: options.workers }, () => addWorker()), ...apis.map((api) => waitForHttp(`${api.url}/healthz`, api, options.signal))]);

    return {
      temporal,
      databaseUrl,
      postgresDescription,
      adminLogin,
      workers,
      apis,
      addWorker,
      onUnexpectedExit: (listener) => exitListeners.push(listener),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops the processes listed in a pid file that still run one of this project's services. */
async function stopLeftovers(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  // Newest first: the services before the server they use.
  for (const line of readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).reverse()) {
    const [pid, name] = line.split(' ');
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    if (!/worker\/main\.ts|api\/main\.ts|temporal-server-v[\d.]+\/server/.test(commandLine)) continue; // the pid was reused
    log(`Stopping ${name} (pid ${pid}), left running by a previous run…`);
    process.kill(Number(pid), 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    if (existsSync(`/proc/${pid}`)) process.kill(Number(pid), 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

/** Waits until `url` answers 200, or fails naming the service's log if it exits or takes over two minutes. */
async function waitForHttp(url: string, service: ServiceProcess, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    signal?.throwIfAborted();
    if (service.child.exitCode !== null || service.child.signalCode !== null) throw new Error(`${service.name} exited at start; see ${service.logFile}.`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer ${url} within 120 s; see ${service.logFile}.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

