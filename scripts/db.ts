import { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { prepareDatabase } from './lib/database';
import { log } from './lib/log';

const program = new Command('npm run db:migrate')
  .description('Apply the committed migrations to DATABASE_URL (creating the database if needed) and seed the defaults.')
  .argument('[action]', '"migrate" (migrations then seed) or "seed" (seed only)', 'migrate')
  .addHelpText('after', '\nThe admin password comes from LOCKDOWN_ADMIN_PASSWORD, or is generated and printed once.')
  .parse();

async function main() {
  const config = loadConfig();
  const result = await prepareDatabase(config.DATABASE_URL, { adminPassword: process.env.LOCKDOWN_ADMIN_PASSWORD });
  log(`Database ready (${program.args[0] ?? 'migrate'}).`);
  if (result.generatedAdminPassword) log(`Created user "admin" with password: ${result.generatedAdminPassword}  (shown once)`);
}

main().catch((err) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
