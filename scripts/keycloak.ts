import { Command } from 'commander';
import { log } from './lib/log';
import { resolveKeycloak, startKeycloak } from './lib/keycloak';
import { runScript, serveUntilSignal } from './lib/run-script';

const program = new Command('npx tsx scripts/keycloak.ts')
  .description('Find (or download and unpack once, into ~/.cache/account-lockdown) the Keycloak the connector tests run, and optionally run it in dev mode.')
  .option('--path', 'print the Keycloak home directory (obtaining it if needed) and exit')
  .option('--port <port>', 'HTTP port of a Keycloak to run (its data is thrown away when it stops)', '8180')
  .parse();

async function main() {
  const options = program.opts<{ path?: boolean; port: string }>();
  if (options.path) {
    console.log(await resolveKeycloak());
    return;
  }
  const server = await startKeycloak({ port: Number(options.port) });
  log(`Keycloak on ${server.url}; master realm admin: client credentials of client "${server.admin.clientId}", secret ${server.admin.clientSecret}. Ctrl-C stops it.`);
  serveUntilSignal(server);
}

runScript(main);
