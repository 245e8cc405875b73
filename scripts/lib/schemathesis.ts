import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log';

/**
 * Schemathesis, the OpenAPI fuzzer the test suite runs: SCHEMATHESIS_PATH, else a Python
 * virtual environment in this machine's cache (outside the repo), made once with pip from
 * PyPI at a pinned version.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * CPython 3.11.5–3.11.7 and 3.12.0–3.12.1 raise "AST constructor recursion depth mismatch"
 * inside Hypothesis (CPython gh-106905), which aborts fuzzing of an operation at random.
 */
function isAffected([major, minor, patch]: number[]): boolean {
  return major === 3 && ((minor === 11 && patch >= 5 && patch <= 7) || (minor === 12 && patch <= 1));
}

/** PYTHON, else the newest Python 3.9+ with venv that is not affected: pyenv's versions, then python3 on PATH. */
export function choosePython(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const pyenvRoot = process.env.PYENV_ROOT || path.join(homedir(), '.pyenv');
  const pyenvVersions = existsSync(path.join(pyenvRoot, 'versions'))
    ? readdirSync(path.join(pyenvRoot, 'versions'))
        .filter((name) => /^3\.\d+\.\d+$/.test(name))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
        .map((name) => path.join(pyenvRoot, 'versions', name, 'bin', 'python3'))
    : [];
  let fallback: string | null = null;
  for (const candidate of [...pyenvVersions, 'python3', '/usr/bin/python3']) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys, venv, ensurepip; print(*sys.version_info[:3])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split(' ')
        .map(Number);
      if (version[0] !== 3 || version[1] < 9) continue;
      if (!isAffected(version)) return candidate;
      fallback ??= candidate;
    } catch {
      // not installed, or without venv
    }
  }
  if (fallback) return fallback;
  throw new Error('No Python 3.9+ with the venv module found (on Debian: apt-get install python3-venv); or set PYTHON.');
}

export function venvDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'account-lockdown', `schemathesis-${SCHEMATHESIS_VERSION}`);
}

export async function resolveSchemathesis(): Promise<string> {
  const configured = process.env.SCHEMATHESIS_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`SCHEMATHESIS_PATH points to ${configured}, which does not exist.`);
    return configured;
  }
  const dir = venvDir();
  const executable = path.join(dir, 'bin', 'schemathesis');
  if (existsSync(executable)) return executable;
  mkdirSync(path.dirname(dir), { recursive: true });
  // One install per machine even when several processes ask at once.
  const lock = `${dir}.lock`;
  let lockFd: number | null = null;
  while (lockFd === null) {
    try {
      lockFd = openSync(lock, 'wx');
    } catch {
      if (existsSync(executable)) return executable;
      if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { force: true });
      await sleep(2000);
    }
  }
  try {
    if (existsSync(executable)) return executable;
    log(`Installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir} (once per machine, about a minute)…`);
    const python = choosePython();
    log(`Using ${python}.`);
    rmSync(dir, { recursive: true, force: true });
    execFileSync(python, ['-m', 'venv', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync(path.join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return executable;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not install schemathesis (needs python3 with venv and PyPI): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    closeSync(lockFd);
    rmSync(lock, { force: true });
  }
}
