import { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { seed } from '../prisma/seed';
import { prepareDatabase } from './lib/database';
import { log } from './lib/log';
import { runScript } from './lib/run-script';

const program = new Command('npm run db:migrate')
  .description('Prepare DATABASE_URL: "migrate" creates the database if needed, applies the committed migrations and seeds; "seed" only seeds.')
  .argument('[action]', '"migrate" or "seed"', 'migrate')
  .addHelpText('after', '\nSeeding is idempotent. The admin password comes from LOCKDOWN_ADMIN_PASSWORD, or is generated and printed once.')
  .parse();

async function main() {
  const action = program.args[0] ?? 'migrate';
  if (action !== 'migrate' && action !== 'seed') program.error(`Unknown action "${action}": use migrate or seed.`);
  const config = loadConfig();
  const adminPassword = process.env.LOCKDOWN_ADMIN_PASSWORD;
  let result;
  if (action === 'migrate') {
    result = await prepareDatabase(config.DATABASE_URL, { adminPassword });
  } else {
    const db = createDb(config.DATABASE_URL, 2);
    result = await seed(db, { adminPassword }).finally(() => db.$disconnect());
  }
  log(`Database ready (${action}).`);
  if (result.generatedAdminPassword) log(`Created user "admin" with password: ${result.generatedAdminPassword}  (shown once)`);
}

runScript(main);
