import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
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

function venvDir(): string {
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
    const python = process.env.PYTHON ?? 'python3';
    rmSync(dir, { recursive: true, force: true });
    execFileSync(python, ['-m', 'venv', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync(path.join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return executable;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not install schemathesis (needs python3 with venv and PyPI): ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    closeSync(lockFd);
    rmSync(lock, { force: true });
  }
}
