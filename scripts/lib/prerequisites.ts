import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findGo } from './go-install';
import { onPath, toolCacheDir } from './tool-cache';
import { log } from './log';
import { findPostgresBinDir } from './postgres';
import { choosePython, pipExecutable } from './python-venv';
import { SCHEMATHESIS } from './schemathesis';

/**
 * What this machine must have before `npm test` or `npm run dev` starts anything, checked in
 * their first second: a newcomer learns what to install at once, not from a failure minutes in.
 * The same line is the README's quick start.
 */
export const INSTALL_LINE =
  'sudo apt-get install -y postgresql chromium python3-venv openjdk-17-jre-headless maven unzip   # and Node 20.19+ and Go 1.25+ (Debian 12 ships older ones: NodeSource, go.dev/dl)';

type Prerequisite = 'node' | 'temporal' | 'postgres' | 'chromium' | 'python-venv' | 'java';

/** The Temporal CLI v1.5.1 (built with `go install` when missing) declares `go 1.25.0` in its go.mod. */
const GO_FOR_TEMPORAL_CLI = [1, 25];

/** What is missing for one prerequisite, or null when it is there (or not needed in this environment). */
const CHECKS: Record<Prerequisite, () => string | null> = {
  node() {
    const [major, minor] = process.versions.node.split('.').map(Number);
    return (major === 20 && minor >= 19) || major >= 22 ? null : `Node 20.19+ (this is Node ${process.versions.node})`;
  },
  temporal() {
    if (process.env.TEMPORAL_ADDRESS) return null;
    const configured = process.env.TEMPORAL_CLI_PATH;
    if (configured) return existsSync(configured) ? null : `the Temporal CLI: TEMPORAL_CLI_PATH points to ${configured}, which does not exist`;
    if (onPath('temporal') || cachedTemporalCli()) return null;
    const go = findGo();
    if (!go) return 'Go 1.25+ (to build the Temporal CLI once per machine), or a `temporal` CLI on PATH or in TEMPORAL_CLI_PATH';
    const version = goVersion(go);
    return version && compareVersions(version, GO_FOR_TEMPORAL_CLI) >= 0
      ? null
      : `Go 1.25+ to build the Temporal CLI (${go} is ${version ? `go${version.join('.')}` : 'not runnable'}), or a \`temporal\` CLI on PATH`;
  },
  postgres() {
    return findPostgresBinDir() ? null : 'the PostgreSQL server binaries, 15 or later (initdb, pg_ctl): Debian package `postgresql`';
  },
  chromium() {
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    return existsSync(chromium) ? null : `Chromium at ${chromium}, for the browser tests: Debian package \`chromium\` (or set CHROMIUM_PATH)`;
  },
  'python-venv'() {
    if (process.env.SCHEMATHESIS_PATH || existsSync(pipExecutable(SCHEMATHESIS))) return null;
    try {
      choosePython(SCHEMATHESIS);
      return null;
    } catch {
      return 'Python 3.9+ with the venv module, for the API fuzzer (schemathesis): Debian package `python3-venv` (or set PYTHON)';
    }
  },
  java() {
    // The time-skipping test server and Keycloak are Java, fetched from Maven Central (and Keycloak's zip unpacked) once per machine.
    const missing = ['java', 'mvn', 'unzip'].filter((command) => !onPath(command));
    return missing.length === 0 ? null : `${missing.join(', ')}, for the workflow tests' time-skipping server and the Keycloak test server: Debian packages \`openjdk-17-jre-headless maven unzip\``;
  },
};

/** `npm run dev`: Node, the Temporal CLI (or Go to build it) and PostgreSQL, unless it is given their addresses. */
export function requirePrerequisitesOfDev(): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) return;
  requirePrerequisites('npm run dev', ['node', 'temporal', ...(process.env.DATABASE_URL ? [] : ['postgres' as const])]);
}

/**
 * `npm test`: as `npm run dev`, plus Chromium when the browser tests run and Python's venv when
 * the fuzzer runs — all of them for the whole suite, only what the named test files need otherwise.
 */
export function requirePrerequisitesOfTest(jestArgs: string[]): void {
  const files = jestArgs.filter((arg) => !arg.startsWith('-') && /test|\.ts$|\//.test(arg));
  const runs = (name: RegExp) => files.length === 0 || files.some((file) => name.test(file));
  requirePrerequisites('npm test', [
    'node',
    'temporal',
    ...(process.env.TEST_DATABASE_URL ? [] : ['postgres' as const]),
    ...(runs(/browser/) ? ['chromium' as const] : []),
    ...(runs(/fuzz|scim/) ? ['python-venv' as const] : []),
    ...(runs(/workflows|keycloak/) ? ['java' as const] : []),
  ]);
}

/** Stops the process with what is missing and the install line, if anything of `needs` is; returns at once otherwise. */
function requirePrerequisites(command: string, needs: Prerequisite[]): void {
  const missing = needs.map((need) => CHECKS[need]()).filter((problem): problem is string => problem !== null);
  if (missing.length === 0) return;
  log(`${command} cannot start; this machine lacks:`);
  for (const problem of missing) log(`  - ${problem}`);
  log('Install the prerequisites (README, Quick start):');
  log(`  ${INSTALL_LINE}`);
  process.exit(1);
}

/** A Temporal CLI this machine built before (scripts/lib/temporal-cli.ts caches it by version). */
function cachedTemporalCli(): boolean {
  const cache = toolCacheDir('');
  if (!existsSync(cache)) return false;
  return readdirSync(cache).some((name) => name.startsWith('temporal-cli-') && existsSync(path.join(cache, name, 'temporal')));
}

function goVersion(go: string): number[] | null {
  try {
    // GOTOOLCHAIN=local: the version installed here, never a toolchain download.
    const output = execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GOTOOLCHAIN: 'local' } });
    const match = /go(\d+)\.(\d+)/.exec(output);
    return match ? [Number(match[1]), Number(match[2])] : null;
  } catch {
    return null;
  }
}

function compareVersions(a: number[], b: number[]): number {
  return a[0] - b[0] || a[1] - b[1];
}
