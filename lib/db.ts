import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  // 'minimal': error messages without Prisma's source excerpt and server file path, since they end
  // up in results, Temporal failures and histories that people read.
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
