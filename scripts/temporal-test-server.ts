import { Command } from 'commander';
import { resolveTemporalTestServer } from './lib/temporal-test-server';
import { runScript } from './lib/run-script';

const program = new Command('npx tsx scripts/temporal-test-server.ts')
  .description("Find (or install once from Maven Central, into ~/.cache/account-lockdown) Temporal's time-skipping test server, which the workflow tests (test/workflows) run.")
  .option('--path', 'print the path of the test server executable (installing it if needed) and exit')
  .parse();

async function main() {
  program.opts();
  console.log(await resolveTemporalTestServer());
}

runScript(main);
