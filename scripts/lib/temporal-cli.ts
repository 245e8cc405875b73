import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { goInstallOnce } from './go-install';
import { stopProcess } from './processes';
import { startTemporalWebUi } from './temporal-web-ui';
import { onPath, toolCacheDir } from './tool-cache';

export { stopProcess } from './processes';

/**
 * The Temporal CLI (it contains the dev server). Found, in order: TEMPORAL_CLI_PATH, a
 * `temporal` on PATH, this machine's cache; else built once from the official Go module
 * into the cache (outside the repo). Releases after v1.5.1 cannot be `go install`ed.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export async function resolveTemporalCli(): Promise<string> {
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`TEMPORAL_CLI_PATH points to ${configured}, which does not exist.`);
    return configured;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const dir = toolCacheDir(`temporal-cli-${TEMPORAL_CLI_VERSION}`);
  await goInstallOnce({
    label: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    dir,
    packages: [`${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
    binaries: ['temporal'],
    withoutGo: 'Install it (https://docs.temporal.io/cli) and put `temporal` on PATH, or set TEMPORAL_CLI_PATH, or install Go so this script can build it.',
    expected: 'about 3-5 minutes',
  });
  return path.join(dir, 'temporal');
}

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  logFile?: string;
  /**
   * The codec server the Web UI decodes payloads with, called with the browser's credentials
   * (the auditor's session cookie). The dev server's own UI cannot be told to send them, so with
   * a codec endpoint the UI is Temporal's UI server run beside it (scripts/lib/temporal-web-ui.ts).
   */
  codecEndpoint?: string;
  /** Where that UI's configuration is written (default: a temporary directory). */
  uiDir?: string;
  /** SQLite's `synchronous` setting (default NORMAL: see SQLITE_SYNCHRONOUS). */
  synchronous?: SqliteSynchronous;
}

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL';

/**
 * The dev server's SQLite file runs in WAL mode with `synchronous=NORMAL`: a commit appends to
 * the WAL without waiting for the disk (only checkpoints sync), which keeps it close to `OFF`
 * (bench/sqlite-pragmas.ts, README § Performance) where `FULL`, a sync per commit, is slower.
 * A crash or kill of the server process loses nothing: committed data is in the operating
 * system's cache. An operating system crash or power cut can roll back the transactions
 * committed since the WAL was last synced (a checkpoint); the file stays consistent. With `OFF`
 * the same crash could leave the file corrupt.
 */
const SQLITE_SYNCHRONOUS: SqliteSynchronous = 'NORMAL';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` on 127.0.0.1 with a persistent SQLite file. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = await resolveTemporalCli();
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--db-filename', options.dbFile,
    '--log-level', 'warn',
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', `synchronous=${options.synchronous ?? SQLITE_SYNCHRONOUS}`,
    // The lockdown search attributes (ids only), so `temporal workflow list --query` finds lockdowns.
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.codecEndpoint ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
  ];
  const logFd = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(cli, args, { stdio: ['ignore', logFd, logFd] });
  const address = `127.0.0.1:${options.port}`;
  let exited = false;
  child.once('exit', () => (exited = true));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`The Temporal dev server exited at start (see ${options.logFile ?? 'its output'}).`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The Temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`, { cause: err });
      }
      await sleep(250);
    }
  }
  if (!options.codecEndpoint) return { address, uiUrl: `http://127.0.0.1:${options.uiPort}`, process: child, stop: () => stopProcess(child) };
  try {
    const ui = await startTemporalWebUi({ temporalAddress: address, port: options.uiPort, codecEndpoint: options.codecEndpoint, dir: options.uiDir, logFile: options.logFile });
    return { address, uiUrl: ui.url, process: child, stop: async () => Promise.all([ui.stop(), stopProcess(child)]).then(() => undefined) };
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
}

