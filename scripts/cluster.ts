import path from 'node:path';
import { Command, Option } from 'commander';
import { startCluster, type ClusterOptions } from './lib/cluster';
import { log } from './lib/log';

const ROOT = path.resolve(__dirname, '..');

const int = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a whole number: ${value}`);
  return parsed;
};

export function clusterCommand(name: string): Command {
  return new Command(name)
    .addOption(new Option('--postgres-url <url>', 'PostgreSQL server for every database, postgresql://user:password@host:port (default: a private cluster in the data directory)').env('CLUSTER_POSTGRES_URL'))
    .option('--pg-port <port>', 'port of the private PostgreSQL cluster', int, 54331)
    .option('--temporal-db <name>', 'Temporal persistence database', 'temporal')
    .option('--visibility-db <name>', 'Temporal visibility database', 'temporal_visibility')
    .option('--app-db <name>', 'the lockdown database', 'lockdown')
    .option('--temporal-port <port>', 'Temporal frontend gRPC port; its other services take the official ports shifted alike', int, 7233)
    .option('--temporal-max-conns <n>', 'database connections per Temporal service', int, 10)
    .option('--history-shards <n>', 'Temporal history shards (fixed once the database exists)', int, 4)
    .option('--namespace <name>', 'Temporal namespace (created with the lockdown search attributes)', 'default')
    .option('--retention-days <n>', 'history retention of a new namespace', int, 7)
    .option('--task-queue <name>', 'task queue of the workers', 'account-lockdown')
    .option('--workers <n>', 'worker processes', int, 2)
    .option('--apis <n>', 'API processes', int, 2)
    .option('--api-port <port>', 'port of the first API; the others follow', int, 3001)
    .option('--worker-metrics-port <port>', 'worker i serves /metrics on this + 2i and the SDK metrics on this + 2i + 1', int, 9464)
    .option('--data-dir <dir>', 'generated config, logs, workflow bundle, private PostgreSQL', path.join(ROOT, '.data', 'cluster'));
}

export function clusterOptions(opts: Record<string, unknown>, extra: Partial<ClusterOptions> = {}): ClusterOptions {
  return {
    postgresUrl: opts.postgresUrl as string | undefined,
    privatePostgresPort: opts.pgPort as number,
    temporalDb: opts.temporalDb as string,
    visibilityDb: opts.visibilityDb as string,
    appDb: opts.appDb as string,
    temporalPort: opts.temporalPort as number,
    temporalMaxConns: opts.temporalMaxConns as number,
    historyShards: opts.historyShards as number,
    namespace: opts.namespace as string,
    retentionDays: opts.retentionDays as number,
    taskQueue: opts.taskQueue as string,
    workers: opts.workers as number,
    apis: opts.apis as number,
    apiPort: opts.apiPort as number,
    workerMetricsPort: opts.workerMetricsPort as number,
    dataDir: path.resolve(opts.dataDir as string),
    adminPassword: process.env.LOCKDOWN_ADMIN_PASSWORD,
    echoLogs: true,
    ...extra,
  };
}

async function main() {
  const program = clusterCommand('npm run cluster --')
    .description(
      'The production topology on this machine, without Docker: a Temporal server (built once from its Go module) on ' +
        'PostgreSQL persistence and visibility, two workers and two API instances on their own ports. Ctrl-C stops them all.',
    )
    .addHelpText(
      'after',
      `
Examples:
  npm run cluster
  npm run cluster -- --postgres-url postgresql://lockdown:lockdown@127.0.0.1:5432 --workers 3
The services read every other setting from the environment (README, Configuration), e.g.
LOCKDOWN_BULK_WINDOW=50 npm run cluster. Logs: <data dir>/logs/<service>.log.`,
    )
    .parse();
  // Ctrl-C while starting stops what has started; once up, everything in order.
  const starting = new AbortController();
  let shutdown = () => starting.abort(new Error('Interrupted while starting; stopped what had started.'));
  process.on('SIGINT', () => shutdown());
  process.on('SIGTERM', () => shutdown());
  const options = clusterOptions(program.opts(), { signal: starting.signal });
  const started = Date.now();
  const cluster = await startCluster(options);
  let stopping = false;
  shutdown = () => {
    if (stopping) return;
    stopping = true;
    log('Stopping: APIs drain, workers finish in-flight tasks, then the Temporal server…');
    void cluster.stop().then(() => process.exit(0));
  };
  cluster.onUnexpectedExit((service, code, signal) => {
    log(`${service.name} exited (${signal ?? code}); see ${service.logFile}. The others keep running; Ctrl-C stops them.`);
  });

  const rows = [
    ['Temporal frontend', `${cluster.temporal.address}  namespace ${options.namespace}, task queue ${options.taskQueue}`],
    ['Temporal metrics', cluster.temporal.metricsUrl],
    ['PostgreSQL', `${cluster.postgresDescription}  (databases ${options.temporalDb}, ${options.visibilityDb}, ${options.appDb})`],
    ...cluster.apis.map((api) => [api.name, `${api.url}   docs ${api.url}/api/docs`]),
    ...cluster.workers.map((worker) => [worker.name, `pid ${worker.child.pid}  metrics ${worker.url}  SDK metrics ${worker.sdkMetricsUrl}`]),
    ['Admin login', cluster.adminLogin],
    ['Logs', path.join(options.dataDir, 'logs')],
  ];
  process.stderr.write(
    `\n  Account Lockdown cluster is up (${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
      rows.map(([what, where]) => `    ${what.padEnd(18)} ${where}`).join('\n') +
      `\n  Put a load balancer in front of the APIs; Ctrl-C stops everything (data persists).\n\n`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
