import { createDb } from '../../lib/db';
import { seed, type SeedResult } from '../../prisma/seed';
import { runPrisma } from '../prisma';
import { ensureDatabase } from './postgres';

/** Creates the database if needed, applies committed migrations, and seeds the defaults. */
export async function prepareDatabase(
  url: string,
  options: { recreate?: boolean; adminPassword?: string; quiet?: boolean } = {},
): Promise<SeedResult> {
  await ensureDatabase(url, { recreate: options.recreate });
  await runPrisma(['migrate', 'deploy'], { ...process.env, DATABASE_URL: url }, { quiet: options.quiet });
  const db = createDb(url, 2);
  try {
    return await seed(db, { adminPassword: options.adminPassword });
  } finally {
    await db.$disconnect();
  }
}
