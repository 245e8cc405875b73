import { Command } from 'commander';
import { log } from './lib/log';
import { resolveScimServer, startScimServer } from './lib/scim-server';
import { runScript, serveUntilSignal } from './lib/run-script';

const program = new Command('npx tsx scripts/scim-server.ts')
  .description('Find (or install once, into a virtual environment in ~/.cache/account-lockdown) the SCIM 2.0 server the connector tests run, and optionally run it.')
  .option('--path', 'print the path of the scim2-server executable (installing it if needed) and exit')
  .option('--port <port>', 'port of a SCIM server to run (in memory: its users are lost when it stops)', '8280')
  .option('--token <token>', 'the Bearer token it accepts', 'scim-token-for-local-tests')
  .parse();

async function main() {
  const options = program.opts<{ path?: boolean; port: string; token: string }>();
  if (options.path) {
    console.log(await resolveScimServer());
    return;
  }
  const server = await startScimServer({ bearerToken: options.token, port: Number(options.port) });
  log(`SCIM 2.0 server on ${server.url} (Bearer token from --token). Ctrl-C stops it.`);
  serveUntilSignal(server);
}

runScript(main);
