import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';
import { pipInstallOnce } from './python-venv';
import { stopProcess } from './temporal-cli';

/**
 * A real SCIM 2.0 service provider for the connector tests: `scim2-server` from PyPI
 * (python-scim, the maintainers of scim2-models, scim2-client and scim2-tester), installed
 * once per machine into a virtual environment of ~/.cache/account-lockdown
 * (SCIM2_SERVER_PATH overrides it).
 *
 * Chosen because it is a runnable server, not only a library: its `scim2-server` command
 * serves RFC 7643 Users and Groups from memory with filters (userName, emails.value,
 * externalId, extension attributes), PATCH, PUT, DELETE, ETags and static Bearer tokens,
 * and its service provider configuration can be replaced, e.g. to announce that PATCH is
 * not supported (it then answers 501, as such servers do). npm's `scimmy` and
 * `scimmy-routers` are a protocol library and Express routers whose storage and handlers the
 * application writes: a server built from them would be ours, not a real one.
 */
export const SCIM2_SERVER_VERSION = '0.8.3';

export async function resolveScimServer(): Promise<string> {
  const configured = process.env.SCIM2_SERVER_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`SCIM2_SERVER_PATH points to ${configured}, which does not exist.`);
    return configured;
  }
  return pipInstallOnce({ name: 'scim2-server', version: SCIM2_SERVER_VERSION, command: 'scim2-server', minimumPython: [3, 11], expected: 'about 20 seconds' });
}

export interface ScimServerOptions {
  /** The Bearer token the server accepts. */
  bearerToken: string;
  /** A ServiceProviderConfig resource to announce instead of the default (every feature). */
  serviceProviderConfig?: Record<string, unknown>;
  port?: number;
}

export interface ScimServer {
  /** The SCIM base URL, e.g. http://127.0.0.1:41234/v2 */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts an empty in-memory SCIM server on 127.0.0.1 and waits until it answers. */
export async function startScimServer(options: ScimServerOptions): Promise<ScimServer> {
  const executable = await resolveScimServer();
  const work = mkdtempSync(path.join(tmpdir(), 'scim2-server-'));
  const port = options.port ?? (await freePort());
  const args = ['--hostname', '127.0.0.1', '--port', String(port), '--bearer-token', options.bearerToken];
  if (options.serviceProviderConfig) {
    const file = path.join(work, 'service-provider-config.json');
    writeFileSync(file, JSON.stringify(options.serviceProviderConfig));
    args.push('--service-provider-config', file);
  }
  const logFile = path.join(work, 'scim2-server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(executable, args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}/v2`;
  const stop = async () => {
    await stopProcess(child);
    rmSync(work, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = readFileSync(logFile, 'utf8').slice(-2000);
      rmSync(work, { recursive: true, force: true });
      throw new Error(`scim2-server exited at start:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${options.bearerToken}` }, signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`scim2-server did not answer on ${url} within 30 s.`);
    }
    await sleep(100);
  }
  return { url, process: child, stop };
}
