// Configuration of the Prisma CLI (generate; migrate where its engine can be downloaded).
// The application itself never reads this file: it connects through @prisma/adapter-pg.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/flywheel' },
});
