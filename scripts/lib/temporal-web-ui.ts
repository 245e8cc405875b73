import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { goInstallOnce } from './go-install';
import { toolCacheDir } from './tool-cache';
import { freePort } from './ports';
import { stopProcess } from './processes';

/**
 * The Temporal Web UI as its own process: Temporal's official UI server (the one the CLI's dev
 * server embeds, same version), so that it can be configured as the dev server's flags cannot —
 * the codec endpoint called with the browser's credentials (`codec.includeCredentials`), so a
 * logged-in auditor's session cookie reaches the API's codec server and payloads read in clear.
 */
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';
const TEMPORAL_UI_SERVER_MODULE = 'github.com/temporalio/ui-server/v2/cmd/server';

export interface WebUiOptions {
  /** Temporal frontend, host:port. */
  temporalAddress: string;
  /** 0: a free port. */
  port: number;
  /** The codec server's base URL (the UI posts to `<endpoint>/decode`). */
  codecEndpoint: string;
  namespace?: string;
  /** Where its generated configuration is written (default: a temporary directory). */
  dir?: string;
  logFile?: string;
}

export interface WebUi {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The UI server binary: built once per machine from Temporal's Go module (about 1–2 minutes; the modules are mostly those the CLI build fetched). */
export async function resolveTemporalUiServer(): Promise<string> {
  const dir = toolCacheDir(`temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`);
  await goInstallOnce({
    label: `the Temporal Web UI server ${TEMPORAL_UI_SERVER_VERSION}`,
    dir,
    packages: [`${TEMPORAL_UI_SERVER_MODULE}@${TEMPORAL_UI_SERVER_VERSION}`],
    binaries: ['server'],
    withoutGo: 'Install Go so this script can build it, or run the Temporal UI yourself with codec.includeCredentials (see README, Auditing).',
    expected: 'about 1-2 minutes',
  });
  return path.join(dir, 'server');
}

/** Starts the Web UI on 127.0.0.1 with the codec endpoint and the browser's credentials sent to it. */
export async function startTemporalWebUi(options: WebUiOptions): Promise<WebUi> {
  const binary = await resolveTemporalUiServer();
  const port = options.port || (await freePort());
  const root = options.dir ?? mkdtempSync(path.join(tmpdir(), 'temporal-ui-'));
  mkdirSync(path.join(root, 'config'), { recursive: true });
  // JSON is YAML: the UI server reads <root>/config/<env>.yaml.
  const config = {
    temporalGrpcAddress: options.temporalAddress,
    host: '127.0.0.1',
    port,
    enableUi: true,
    defaultNamespace: options.namespace ?? 'default',
    notifyOnNewVersion: false,
    hideLogs: true,
    // Plain HTTP on loopback, as the dev server's own UI runs.
    cors: { cookieInsecure: true },
    codec: { endpoint: options.codecEndpoint, passAccessToken: false, includeCredentials: true },
  };
  writeFileSync(path.join(root, 'config', 'lockdown.yaml'), JSON.stringify(config, null, 2));
  const logFd = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(binary, ['--root', root, '--config', 'config', '--env', 'lockdown', 'start'], { stdio: ['ignore', logFd, logFd] });
  let exited = false;
  child.once('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`The Temporal Web UI exited at start (see ${options.logFile ?? 'its output'}).`);
    try {
      if ((await fetch(`${url}/api/v1/settings`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The Temporal Web UI did not answer on ${url} within 30 s.`);
    }
    await sleep(250);
  }
  return { url, process: child, stop: () => stopProcess(child) };
}
