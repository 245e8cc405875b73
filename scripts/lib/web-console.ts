import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { log } from './log';

/**
 * Builds the web console (web/ → dist/web) with Vite when the build is missing or older
 * than its sources, so `npm ci` stays the whole set-up and `npm run dev` / `npm test`
 * always serve the console as the sources are.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const BUILT_INDEX = path.join(ROOT, 'dist', 'web', 'index.html');
const INPUTS = [path.join(ROOT, 'web'), path.join(ROOT, 'vite.config.mts'), path.join(ROOT, 'package-lock.json'), path.join(ROOT, 'api', 'schemas.ts')];

function newestChange(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((newest, name) => Math.max(newest, newestChange(path.join(file, name))), stat.mtimeMs);
}

export function consoleIsStale(): boolean {
  if (!existsSync(BUILT_INDEX)) return true;
  const built = statSync(BUILT_INDEX).mtimeMs;
  return INPUTS.some((input) => existsSync(input) && newestChange(input) > built);
}

export async function buildConsole(options: { force?: boolean } = {}): Promise<void> {
  if (!options.force && !consoleIsStale()) return;
  const started = Date.now();
  log('Building the web console (vite build)…');
  const vite = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(ROOT, 'vite.config.mts'), '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => vite.once('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (exit ${code}); see its output above.`);
  log(`Web console built in ${((Date.now() - started) / 1000).toFixed(1)} s (dist/web).`);
}
