import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { bundleWorkflowCode } from '@temporalio/worker';
import { log, quietBundlerLogger } from './lib/log';
import { runScript } from './lib/run-script';

/**
 * Bundles the workflow code once, ahead of time (the Docker image does it at build time):
 * a worker started with WORKFLOW_BUNDLE_PATH pointing at the file skips seconds of bundling
 * at every start and runs exactly the code that was built and tested.
 */
const program = new Command('npm run bundle-workflows --')
  .description('Write the workflow bundle that workers load with WORKFLOW_BUNDLE_PATH.')
  .argument('[file]', 'output file', path.join('dist', 'workflow-bundle.js'))
  .parse();

async function main() {
  const file = path.resolve(program.args[0] ?? path.join('dist', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  log(`Workflow bundle written to ${file} (${Math.round(code.length / 1024)} KiB).`);
}

runScript(main);
