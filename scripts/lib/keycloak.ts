import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { log } from './log';
import { freePort } from './ports';
import { installOnce, onPath, toolCacheDir } from './tool-cache';

/**
 * A real Keycloak for the connector tests: the official distribution
 * (`org.keycloak:keycloak-quarkus-dist`, a zip on Maven Central) obtained with Maven and
 * unpacked once per machine into ~/.cache/account-lockdown (KEYCLOAK_HOME overrides it),
 * run with `kc.sh start-dev` (embedded H2 database) on a free port, with a data directory of
 * its own per run. Needs Java 17+ (Debian: openjdk-17-jre-headless).
 */
export const KEYCLOAK_VERSION = '26.7.3';
const MINIMUM_JAVA = 17;

/** JAVA_HOME's java, else the one on PATH, if it is Java 17 or later; its home is handed to kc.sh. */
export function resolveJavaHome(): string {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : onPath('java');
  const install = `Keycloak ${KEYCLOAK_VERSION} needs Java ${MINIMUM_JAVA} or later (on Debian: apt-get install openjdk-17-jre-headless), on PATH or in JAVA_HOME.`;
  if (!java || !existsSync(java)) throw new Error(`No java found. ${install}`);
  // `java -version` writes to stderr: openjdk version "17.0.15" (or "1.8.0_402" before Java 9).
  const banner = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr ?? '';
  const [, first, second] = /version "(\d+)(?:\.(\d+))?/.exec(banner) ?? [];
  const major = first === '1' ? Number(second) : Number(first);
  if (!(major >= MINIMUM_JAVA)) throw new Error(`${java} is Java ${major || 'of an unknown version'}. ${install}`);
  return path.dirname(path.dirname(realpathSync(java)));
}

export async function resolveKeycloak(): Promise<string> {
  const configured = process.env.KEYCLOAK_HOME;
  if (configured) {
    if (!existsSync(path.join(configured, 'bin', 'kc.sh'))) throw new Error(`KEYCLOAK_HOME points to ${configured}, which has no bin/kc.sh.`);
    return configured;
  }
  const dir = toolCacheDir(`keycloak-${KEYCLOAK_VERSION}`);
  await installOnce({
    label: `Keycloak ${KEYCLOAK_VERSION}`,
    lock: `${dir}.lock`,
    done: () => existsSync(path.join(dir, 'bin', 'kc.sh')),
    staleAfterMs: 20 * 60_000,
    install: () => download(dir),
  });
  return dir;
}

/**
 * Maven fetches the zip (from the repository this machine's Maven uses, into a throwaway
 * local repository, so the machine keeps one copy: the unpacked one); unzip keeps kc.sh
 * executable. The first `start-dev` of a distribution rewrites its lib/quarkus for the dev
 * profile: done here, under the install lock, so that runs started at the same time later
 * never rewrite those shared files at once. The directory appears complete or not at all.
 */
async function download(dir: string): Promise<void> {
  const mvn = onPath('mvn');
  const unzip = onPath('unzip');
  if (!mvn || !unzip) throw new Error(`Obtaining Keycloak needs Maven and unzip (on Debian: apt-get install maven unzip); or set KEYCLOAK_HOME to an unpacked keycloak-${KEYCLOAK_VERSION}.`);
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  try {
    let started = Date.now();
    log(`Downloading Keycloak ${KEYCLOAK_VERSION} (org.keycloak:keycloak-quarkus-dist, ~170 MB) with Maven (once per machine)…`);
    const artifact = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;
    try {
      execFileSync(mvn, ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${work}`, `-Dmaven.repo.local=${path.join(work, 'm2')}`], {
        cwd: tmpdir(),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Maven reports errors on stdout, the cause first, then advice on re-running it.
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      // eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
      const output = `${stdout ?? ''}${stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
      const firstErrors = output.split('\n').filter((line) => /^\[ERROR\] \S/.test(line)).slice(0, 3);
      throw new Error(`Maven could not obtain ${artifact}:\n${firstErrors.join('\n')}`, { cause: err });
    }
    log(`Downloaded in ${seconds(started)} s; unpacking…`);
    started = Date.now();
    execFileSync(unzip, ['-q', path.join(work, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`), '-d', work], { stdio: ['ignore', 'inherit', 'inherit'] });
    const unpacked = path.join(work, `keycloak-${KEYCLOAK_VERSION}`);
    log(`Unpacked in ${seconds(started)} s; first start (prepares the dev profile, about a minute)…`);
    started = Date.now();
    const first = await launchKeycloak(unpacked);
    await first.stop();
    log(`Keycloak ${KEYCLOAK_VERSION} prepared in ${seconds(started)} s, in ${dir}.`);
    renameSync(unpacked, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface KeycloakServer {
  /** e.g. http://127.0.0.1:41234 (the admin API is under /admin, realms under /realms). */
  url: string;
  /** The bootstrap admin of the master realm: a service account client (client credentials). */
  admin: { clientId: string; clientSecret: string };
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts Keycloak in dev mode on 127.0.0.1 with a fresh database, and waits until it answers. */
export async function startKeycloak(options: { port?: number } = {}): Promise<KeycloakServer> {
  return launchKeycloak(await resolveKeycloak(), options.port);
}

async function launchKeycloak(distribution: string, requestedPort?: number): Promise<KeycloakServer> {
  const javaHome = resolveJavaHome();
  // Keycloak keeps its data (H2 database, transaction logs) in <home>/data, home being the
  // parent of the bin/ that kc.sh runs from: a home per run, with its own bin/ and the
  // distribution's other directories linked, gives each run its own data.
  const home = mkdtempSync(path.join(tmpdir(), 'keycloak-'));
  cpSync(path.join(distribution, 'bin'), path.join(home, 'bin'), { recursive: true });
  for (const entry of readdirSync(distribution)) {
    if (entry !== 'bin' && entry !== 'data') symlinkSync(path.join(distribution, entry), path.join(home, entry));
  }
  const port = requestedPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const admin = { clientId: 'bootstrap-admin', clientSecret: randomBytes(18).toString('base64url') };
  const logFile = path.join(home, 'keycloak.log');
  const logFd = openSync(logFile, 'a');
  // KC_* variables of the caller's environment could change build options, which would make
  // this run rewrite the shared distribution: only the bootstrap admin is passed.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KC_')));
  const child = spawn(path.join(home, 'bin', 'kc.sh'), ['start-dev', '--http-host', '127.0.0.1', '--http-port', String(port)], {
    env: {
      ...env,
      JAVA_HOME: javaHome,
      // The JIT's first tier only: measured here, it halves the CPU a start takes (about 20 s
      // instead of 40-55 s) and starts 3x sooner on a busy 2-core machine; a test server
      // never runs long enough to profit from the optimising tier.
      JAVA_OPTS_APPEND: [process.env.JAVA_OPTS_APPEND, '-XX:TieredStopAtLevel=1'].filter(Boolean).join(' '),
      KC_BOOTSTRAP_ADMIN_CLIENT_ID: admin.clientId,
      KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: admin.clientSecret,
    },
    stdio: ['ignore', logFd, logFd],
    // Its own process group: kc.sh runs java as a child, and both are stopped together.
    detached: true,
  });
  closeSync(logFd);
  const stop = async () => {
    await stopProcessGroup(child);
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      rmSync(home, { recursive: true, force: true });
      throw new Error(`Keycloak exited at start:\n${tail}`);
    }
    try {
      const response = await fetch(`${url}/realms/master`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Keycloak did not answer on ${url} within 300 s.`);
    }
    await sleep(500);
  }
  return { url, admin, process: child, stop };
}

async function stopProcessGroup(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}
