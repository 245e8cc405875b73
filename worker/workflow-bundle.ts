import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The workflow bundle this worker loads: WORKFLOW_BUNDLE_PATH when given (the image builds it
 * once), else one built now by `scripts/bundle-workflows.ts` in a child process. Bundling in
 * the worker itself would keep webpack and its caches in the worker's memory for its whole life
 * (about 150 MB of the worker's peak RSS in the bench, README § Performance).
 */
export async function workflowBundlePath(configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lockdown-workflows-')), 'workflow-bundle.js');
  const script = path.resolve(__dirname, '..', 'scripts', 'bundle-workflows.ts');
  // The same node and loader flags (tsx) this process was started with.
  const bundler = spawn(process.execPath, [...process.execArgv, script, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => bundler.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`Bundling the workflows failed (exit code ${code}).`);
  return file;
}
