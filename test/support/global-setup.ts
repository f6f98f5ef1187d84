// Creates one fresh, migrated database for this test run — the template that each test file copies into a
// database of its own (see platform.ts) — and drops them all afterwards, so that a run never touches
// development data, several runs can go on at once, and test files never share an outbox.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { dropDatabase, migrate } from '../../src/store/migrator';
import { createRedis } from '../../src/store/redis';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    /** Start of every Redis key prefix a test platform of this run uses (removed with its keys afterwards). */
    redisPrefix: string;
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
  const redisPrefix = `test-${randomBytes(3).toString('hex')}`;
  project.provide('redisPrefix', redisPrefix);
  return async () => {
    if (process.env.KEEP_TEST_DATABASE) return;
    await deleteRedisKeys(`${redisPrefix}-*`);
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${url.pathname.slice(1)}%`]);
    await client.end();
    for (const { datname } of rows) {
      const copy = new URL(url);
      copy.pathname = `/${datname}`;
      await dropDatabase(copy.toString());
    }
  };
}

/** Deletes the keys matching `pattern` (the platforms' Redis prefixes of this run). */
async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-test-teardown');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
