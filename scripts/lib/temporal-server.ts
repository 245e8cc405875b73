import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { goInstallOnce, goModuleDir } from './go-install';
import { toolCacheDir } from './tool-cache';
import { stopProcess } from './temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/**
 * The Temporal server (the production server, not the dev server) and its SQL schema tool,
 * built once per machine from the official Go module into this machine's cache.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerTools {
  /** `server --root … --config … --env … start` */
  server: string;
  /** The schema tool (`temporal-sql-tool`): create-database, setup-schema, update-schema. */
  sqlTool: string;
  /** The module's PostgreSQL 12+ schema directories (they work on PostgreSQL 15). */
  schemaDir: { temporal: string; visibility: string };
}

export async function resolveTemporalServer(): Promise<TemporalServerTools> {
  const dir = toolCacheDir(`temporal-server-${TEMPORAL_SERVER_VERSION}`);
  await goInstallOnce({
    label: `the Temporal server ${TEMPORAL_SERVER_VERSION}`,
    dir,
    packages: [
      `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
      `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
    ],
    binaries: ['server', 'sql'],
    withoutGo: 'Install Go (https://go.dev/dl/) so the scripts can build it, or run Temporal with Docker (docker-compose.yml).',
    expected: 'about 6 minutes on 2 cores',
  });
  const moduleDir = goModuleDir(TEMPORAL_SERVER_MODULE, TEMPORAL_SERVER_VERSION);
  return {
    server: path.join(dir, 'server'),
    sqlTool: path.join(dir, 'sql'),
    schemaDir: {
      temporal: path.join(moduleDir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned'),
      visibility: path.join(moduleDir, 'schema', 'postgresql', 'v12', 'visibility', 'versioned'),
    },
  };
}

export interface TemporalClusterOptions {
  /** PostgreSQL server the Temporal databases live on: postgresql://user:password@host:port */
  postgresUrl: string;
  temporalDb: string;
  visibilityDb: string;
  /** Frontend gRPC port; the other services take the official ports shifted by the same amount. */
  port: number;
  /** Where the generated config and the server's log go. */
  dir: string;
  namespace: string;
  retentionDays: number;
  historyShards: number;
  /** Database connections per Temporal service (four services run in the one process). */
  maxConns: number;
  logLevel?: string;
}

export interface TemporalCluster {
  address: string;
  namespace: string;
  metricsUrl: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** temporal.api.enums.v1.IndexedValueType */
const INDEXED_VALUE_TYPE = { Keyword: 2, Int: 3, Bool: 5 } as const;
const GRPC_NOT_FOUND = 5;

const TEMPLATE_DIR = path.resolve(__dirname, '..', 'cluster');

/** The official layout (frontend 7233, history 7234, matching 7235, worker 7239, …) shifted so the frontend is on `port`. */
function ports(port: number) {
  const shift = port - 7233;
  return {
    FRONTEND_PORT: port,
    HISTORY_PORT: 7234 + shift,
    MATCHING_PORT: 7235 + shift,
    WORKER_PORT: 7239 + shift,
    FRONTEND_HTTP_PORT: 7243 + shift,
    FRONTEND_MEMBERSHIP_PORT: 6933 + shift,
    HISTORY_MEMBERSHIP_PORT: 6934 + shift,
    MATCHING_MEMBERSHIP_PORT: 6935 + shift,
    WORKER_MEMBERSHIP_PORT: 6939 + shift,
    SERVER_METRICS_PORT: 8000 + shift,
  };
}

export function clusterPorts(port: number): number[] {
  return Object.values(ports(port));
}

function fillTemplate(file: string, values: Record<string, string | number>): string {
  return readFileSync(path.join(TEMPLATE_DIR, file), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`${file}: no value for {{${name}}}`);
    return String(values[name]);
  });
}

function postgresParts(postgresUrl: string) {
  const url = new URL(postgresUrl);
  return {
    host: url.hostname,
    port: url.port || '5432',
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/**
 * Creates the two databases if needed and brings their schemas to this server version with the
 * official SQL tool and schema files. All three steps are idempotent (an existing database is
 * kept, `setup-schema` skips a database past 0.0, `update-schema` applies only missing versions),
 * so this runs at every start and doubles as the upgrade path.
 */
export async function migrateTemporalDatabases(tools: TemporalServerTools, options: Pick<TemporalClusterOptions, 'postgresUrl' | 'temporalDb' | 'visibilityDb'>): Promise<void> {
  const pg = postgresParts(options.postgresUrl);
  for (const [database, schemaDir] of [
    [options.temporalDb, tools.schemaDir.temporal],
    [options.visibilityDb, tools.schemaDir.visibility],
  ] as const) {
    const sql = (...args: string[]) =>
      execFileSync(tools.sqlTool, ['--plugin', 'postgres12', '--ep', pg.host, '-p', pg.port, '-u', pg.user, '--db', database, ...args], {
        // The password through the environment, not the command line (which `ps` shows).
        env: { ...process.env, SQL_PASSWORD: pg.password },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    try {
      sql('create-database');
      sql('setup-schema', '-v', '0.0');
      sql('update-schema', '-d', schemaDir);
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`Migrating the Temporal database ${database} failed: ${stderr.trim().split('\n').slice(-3).join('\n') || (err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Writes the config from the project's template, starts the server, and waits until its
 * frontend answers. The namespace and search attributes are set up by `ensureNamespace`.
 */
export async function startTemporalServer(tools: TemporalServerTools, options: TemporalClusterOptions): Promise<TemporalCluster> {
  const pg = postgresParts(options.postgresUrl);
  const configDir = path.join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigPath = path.join(configDir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigPath, fillTemplate('dynamic-config.yaml', {}));
  const portValues = ports(options.port);
  writeFileSync(
    path.join(configDir, 'cluster.yaml'),
    fillTemplate('temporal-server.yaml', {
      ...portValues,
      LOG_LEVEL: options.logLevel ?? 'warn',
      HISTORY_SHARDS: options.historyShards,
      MAX_CONNS: options.maxConns,
      VISIBILITY_MAX_CONNS: Math.max(2, Math.ceil(options.maxConns / 2)),
      TEMPORAL_DB: options.temporalDb,
      VISIBILITY_DB: options.visibilityDb,
      PG_HOST: pg.host,
      PG_PORT: pg.port,
      PG_USER: pg.user,
      PG_PASSWORD: pg.password,
      DYNAMIC_CONFIG_PATH: dynamicConfigPath,
    }),
    { mode: 0o600 },
  );
  const logFile = path.join(options.dir, 'server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(tools.server, ['--root', options.dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'], {
    stdio: ['ignore', logFd, logFd],
    // Its own process group: Ctrl-C reaches only the script, which stops the workers before the server.
    detached: true,
  });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`The Temporal server exited at start; see ${logFile}.`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The Temporal server did not answer on ${address} within 120 s (${(err as Error).message}); see ${logFile}.`, { cause: err });
      }
      await sleep(500);
    }
  }
  return {
    address,
    namespace: options.namespace,
    metricsUrl: `http://127.0.0.1:${portValues.SERVER_METRICS_PORT}/metrics`,
    logFile,
    process: child,
    stop: () => stopProcess(child, 20_000),
  };
}

/**
 * Registers the namespace (with its history retention) and the lockdown search attributes,
 * if missing. A new namespace takes a few seconds to reach every service: wait until it does.
 */
export async function ensureNamespace(address: string, namespace: string, retentionDays: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { workflowService, operatorService } = connection;
    const exists = await workflowService.describeNamespace({ namespace }).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === GRPC_NOT_FOUND) return false;
        throw err;
      },
    );
    if (!exists) {
      await workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 3_600_000),
        description: 'Account Lockdown',
      });
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const { customAttributes } = await operatorService.listSearchAttributes({ namespace });
        const missing = Object.fromEntries(
          Object.entries(SEARCH_ATTRIBUTES)
            .filter(([name]) => !(name in (customAttributes ?? {})))
            .map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]]),
        );
        if (Object.keys(missing).length > 0) await operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
        // The namespace is usable once a workflow call on it no longer answers NotFound.
        await workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`The namespace ${namespace} did not become ready: ${(err as Error).message}`, { cause: err });
        await sleep(1000);
      }
    }
  } finally {
    await connection.close();
  }
}
