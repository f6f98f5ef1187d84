// Creates one fresh, migrated database for this test run and drops it afterwards, so that a run never
// touches development data and several runs can go on at once.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { dropDatabase, migrate } from '../../src/store/migrator';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const url = new URL(base);
  url.pathname = `/flywheel_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await migrate(url.toString());
  project.provide('databaseUrl', url.toString());
  const admin = new URL(base);
  admin.pathname = '/postgres';
  project.provide('adminDatabaseUrl', admin.toString());
  return async () => {
    if (!process.env.KEEP_TEST_DATABASE) await dropDatabase(url.toString());
  };
}
