import { Command } from 'commander';
import path from 'node:path';
import { resolveTemporalCli, startTemporalDevServer } from './lib/temporal-cli';
import { log } from './lib/log';
import { runScript, serveUntilSignal } from './lib/run-script';

const program = new Command('npm run temporal --')
  .description('Find (or build once) the Temporal CLI, and optionally run its dev server.')
  .option('--path', 'print the path of the Temporal CLI (building it if needed) and exit')
  .option('--port <port>', 'dev server gRPC port', '7233')
  .option('--ui-port <port>', 'Web UI port', '8233')
  .option('--db-file <file>', 'persistent SQLite file', path.join('.data', 'temporal', 'temporal.db'))
  .parse();

async function main() {
  const options = program.opts<{ path?: boolean; port: string; uiPort: string; dbFile: string }>();
  if (options.path) {
    console.log(await resolveTemporalCli());
    return;
  }
  const server = await startTemporalDevServer({ dbFile: path.resolve(options.dbFile), port: Number(options.port), uiPort: Number(options.uiPort) });
  log(`Temporal dev server on ${server.address}, Web UI ${server.uiUrl}, data ${options.dbFile}. Ctrl-C stops it.`);
  serveUntilSignal(server);
}

runScript(main);
