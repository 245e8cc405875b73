import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log';

/** This machine's cache for tools the scripts obtain (outside the repo, shared by every clone). */
export function toolCacheDir(name: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'account-lockdown', name);
}

export function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export interface InstallOnce {
  /** What is being installed, for progress lines. */
  label: string;
  /** The lock file; its directory is created. */
  lock: string;
  /** Whether the tool is already there: checked before, while waiting for and after taking the lock. */
  done: () => boolean;
  /** A lock older than this was left by an install killed midway. */
  staleAfterMs: number;
  install: () => Promise<void> | void;
}

/**
 * Runs `install` once per machine even when several processes ask at once: a lock file
 * serialises them, and the ones that waited find the tool installed and return.
 */
export async function installOnce(job: InstallOnce): Promise<void> {
  if (job.done()) return;
  mkdirSync(path.dirname(job.lock), { recursive: true });
  let lockFd: number | null = null;
  let waitingSaid = false;
  while (lockFd === null) {
    try {
      lockFd = openSync(job.lock, 'wx');
    } catch {
      if (job.done()) return;
      if (existsSync(job.lock) && Date.now() - statSync(job.lock).mtimeMs > job.staleAfterMs) rmSync(job.lock, { force: true });
      if (!waitingSaid) log(`Another process is installing ${job.label} (${job.lock}); waiting for it…`);
      waitingSaid = true;
      await sleep(2000);
    }
  }
  try {
    if (job.done()) return;
    await job.install();
  } finally {
    closeSync(lockFd);
    rmSync(job.lock, { force: true });
  }
}
