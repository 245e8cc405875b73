import { Command } from 'commander';
import { resolveSchemathesis } from './lib/schemathesis';
import { runScript } from './lib/run-script';

const program = new Command('npx tsx scripts/schemathesis.ts')
  .description('Find (or install once, into a virtual environment in ~/.cache/account-lockdown) the schemathesis fuzzer the tests run.')
  .option('--path', 'print the path of the schemathesis executable (installing it if needed) and exit')
  .parse();

async function main() {
  program.opts();
  console.log(await resolveSchemathesis());
}

runScript(main);
