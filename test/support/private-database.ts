import { randomUUID } from 'node:crypto';
import { prepareDatabase } from '../../scripts/lib/database';
import { dropDatabase } from '../../scripts/lib/postgres';
import { ADMIN_PASSWORD } from './stack';

/**
 * A database of its own, migrated and seeded, on the test run's PostgreSQL: for a test that
 * must change what every other test file shares (the default brand and its flow). Pass its
 * `url` to `startStack({ DATABASE_URL })`; `drop()` when done.
 */
export async function privateDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = process.env.DATABASE_URL;
  if (!shared) throw new Error('DATABASE_URL is not set: run the tests with npm test.');
  const url = new URL(shared);
  url.pathname = `/${url.pathname.slice(1)}_${randomUUID().slice(0, 8)}`;
  await prepareDatabase(url.toString(), { recreate: true, adminPassword: ADMIN_PASSWORD, quiet: true });
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}
