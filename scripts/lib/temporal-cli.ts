import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { log } from './log';
import { goInstallOnce } from './go-install';
import { onPath, toolCacheDir } from './tool-cache';

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
  /** The codec server the Web UI decodes payloads with. */
  codecEndpoint?: string;
}

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
    '--ui-port', String(options.uiPort),
    '--db-filename', options.dbFile,
    '--log-level', 'warn',
    // What Temporal's own stress runs use: the dev server's SQLite is the throughput ceiling.
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=OFF',
    // The lockdown search attributes (ids only), so `temporal workflow list --query` finds lockdowns.
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
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
        throw new Error(`The Temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`);
      }
      await sleep(250);
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    stop: () => stopProcess(child),
  };
}

export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
