import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  // A transaction waits for a pooled connection as long as a plain query would, not Prisma's
  // default 2 s: under a burst (50 lockdowns at once) that default turned a busy pool into 500s.
  // 'minimal': error messages without Prisma's source excerpt and server file path, since they end
  // up in results, Temporal failures and histories that people read.
  return new PrismaClient({ adapter, errorFormat: 'minimal', transactionOptions: { maxWait: 30_000 } });
}
