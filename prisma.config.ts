import { defineConfig } from 'prisma/config';

// The CLI needs a URL only for migrate/db commands; `generate` works without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
