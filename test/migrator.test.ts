import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, migrate, MIGRATIONS_DIR } from '../src/store/migrator';
import { startTestPlatform, uniqueId } from './support/platform';

const created: string[] = [];
function freshDatabaseUrl(): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${uniqueId('fw_mig').replace(/-/g, '_')}`;
  created.push(url.toString());
  return url.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await Promise.all(created.map(dropDatabase));
});

describe('migrator', () => {
  it('creates the database and records each migration as prisma migrate deploy does', async () => {
    const url = freshDatabaseUrl();
    const applied = await migrate(url);
    const onDisk = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(applied).toEqual(onDisk);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    const { readFileSync } = await import('node:fs');
    for (const [i, row] of rows.entries()) {
      const sql = readFileSync(join(MIGRATIONS_DIR, onDisk[i]!, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await migrate(url)).toEqual([]);
  });

  it('migrates once when several instances race on an empty database', async () => {
    const url = freshDatabaseUrl();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(rows[0]!.n)).toBe(results.flat().length);
  });

  it('refuses to run when an applied migration was edited, and records a failing one', async () => {
    const url = freshDatabaseUrl();
    const dir = mkdtempSync(join(tmpdir(), 'fw-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(url, undefined, dir);
    const first = readdirSync(dir, { withFileTypes: true }).find((d) => d.isDirectory())!.name;
    appendFileSync(join(dir, first, 'migration.sql'), '\n-- edited\n');
    await expect(migrate(url, undefined, dir)).rejects.toThrow(/was changed after it was applied/);

    const url2 = freshDatabaseUrl();
    const dir2 = mkdtempSync(join(tmpdir(), 'fw-migrations-'));
    cpSync(MIGRATIONS_DIR, dir2, { recursive: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir2, '99999999999999_broken'));
    writeFileSync(join(dir2, '99999999999999_broken', 'migration.sql'), 'CREATE TABLE broken (id int); SELECT * FROM missing_table;');
    await expect(migrate(url2, undefined, dir2)).rejects.toThrow(/99999999999999_broken failed/);
    // Transactional: the half-done table is gone; the failure is recorded and blocks the next run.
    expect(await query(url2, "SELECT 1 FROM pg_tables WHERE tablename = 'broken'")).toHaveLength(0);
    await expect(migrate(url2, undefined, dir2)).rejects.toThrow(/failed earlier and is not rolled back/);
  });

  it('two platform instances started at once on an empty database both come up', async () => {
    const url = freshDatabaseUrl();
    const [a, b] = await Promise.all([
      startTestPlatform({ DATABASE_URL: url, MIGRATE_ON_START: 'true' }),
      startTestPlatform({ DATABASE_URL: url, MIGRATE_ON_START: 'true' }),
    ]);
    try {
      for (const p of [a, b]) expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
      const rows = await query<{ migration_name: string; n: string }>(
        url,
        'SELECT migration_name, count(*) AS n FROM _prisma_migrations GROUP BY migration_name',
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
