// npm run db:drift (part of npm run lint): fails when prisma/migrations, applied to an empty database, do not
// build what prisma/schema.prisma describes.
//
// Two scratch databases on the Postgres of DATABASE_URL: one built by the migrations (src/store/migrator.ts, as
// every start applies them), one by the SQL that Prisma's own engine writes for the schema from nothing
// (prisma-migration-sql --from-empty). Their catalogs are compared: tables, columns (type, NOT NULL, default),
// primary, unique and foreign keys, indexes, enums (values in order) and sequences. Column order is not compared
// (Prisma does not model it). Two kinds of object are left out because schema.prisma cannot describe them and
// the migrations add them by hand: CHECK constraints and partial or expression indexes. A plain index, a column
// or a type written only in a migration, or only in the schema, is drift.
//
// prisma-migration-sql lives outside the repository (the machines' shared tools): PRISMA_MIGRATION_SQL names it,
// else ../shared/tools/prisma-migration-sql beside the clone, else /work/shared/tools/prisma-migration-sql.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { dropDatabase, ensureDatabase, migrate } from '../src/store/migrator';

const ROOT = join(import.meta.dirname, '..');

function findTool(): string {
  const candidates = process.env.PRISMA_MIGRATION_SQL
    ? [process.env.PRISMA_MIGRATION_SQL]
    : [join(ROOT, '..', 'shared', 'tools', 'prisma-migration-sql'), '/work/shared/tools/prisma-migration-sql'];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next place
    }
  }
  console.error(
    `db:drift: prisma-migration-sql is not at ${candidates.join(' nor ')}; ` +
      'set PRISMA_MIGRATION_SQL to its path (it prints the SQL of prisma/schema.prisma with Prisma 6.19\'s offline engine)',
  );
  process.exit(2);
}

/** What the schema builds from nothing, in Prisma's own SQL. */
function schemaSql(tool: string, adminUrl: string): string {
  const result = spawnSync(tool, ['--from-empty'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: adminUrl },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0 || !result.stdout.trim()) {
    console.error(`db:drift: ${tool} --from-empty failed (exit ${result.status ?? result.signal})\n${result.stderr}`);
    process.exit(2);
  }
  return result.stdout;
}

// One line per object, comparable as text; `public` only, Prisma Migrate's bookkeeping table left out.
const CATALOG = `
WITH tables AS (
  SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
)
SELECT 'table ' || relname AS line FROM tables
UNION ALL
SELECT format('column %s.%s %s%s%s', t.relname, a.attname, format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''))
FROM tables t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
UNION ALL
SELECT format('constraint %s.%s %s', t.relname, c.conname, pg_get_constraintdef(c.oid))
FROM tables t JOIN pg_constraint c ON c.conrelid = t.oid WHERE c.contype <> 'c'
UNION ALL
SELECT format('index %s', pg_get_indexdef(i.indexrelid))
FROM tables t JOIN pg_index i ON i.indrelid = t.oid WHERE i.indpred IS NULL AND i.indexprs IS NULL
UNION ALL
SELECT format('enum %s (%s)', ty.typname, string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder))
FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace JOIN pg_enum e ON e.enumtypid = ty.oid
WHERE n.nspname = 'public' GROUP BY ty.typname
UNION ALL
SELECT format('sequence %s', c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'S'
`;

/** How many objects of the kinds schema.prisma cannot describe (left out of the comparison). */
const LEFT_OUT = `
SELECT
  (SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = 'public' AND c.contype = 'c')::int AS checks,
  (SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = 'public' AND (i.indpred IS NOT NULL OR i.indexprs IS NOT NULL))::int AS partial
`;

async function catalog(url: string): Promise<{ lines: Set<string>; checks: number; partial: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(CATALOG);
    const { rows: [left] } = await client.query<{ checks: number; partial: number }>(LEFT_OUT);
    return { lines: new Set(rows.map((r) => r.line)), checks: left!.checks, partial: left!.partial };
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const tool = findTool();
  const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/flywheel');
  const scratch = (suffix: string) => {
    const url = new URL(base);
    url.pathname = `/flywheel_drift_${process.pid}_${randomBytes(3).toString('hex')}_${suffix}`;
    return url.toString();
  };
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const fromMigrations = scratch('migrations');
  const fromSchema = scratch('schema');

  const sql = schemaSql(tool, admin.toString());
  try {
    await migrate(fromMigrations);
    await ensureDatabase(fromSchema);
    const client = new pg.Client({ connectionString: fromSchema });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    const [migrated, described] = await Promise.all([catalog(fromMigrations), catalog(fromSchema)]);
    const onlyMigrations = [...migrated.lines].filter((l) => !described.lines.has(l)).sort();
    const onlySchema = [...described.lines].filter((l) => !migrated.lines.has(l)).sort();
    const note =
      `left out: ${migrated.checks} CHECK constraint(s) and ${migrated.partial} partial or expression index(es) ` +
      'that only the migrations can hold';
    if (!onlyMigrations.length && !onlySchema.length) {
      console.log(`db:drift: prisma/migrations build what prisma/schema.prisma describes (${migrated.lines.size} objects; ${note})`);
      return 0;
    }
    console.error('db:drift: prisma/migrations and prisma/schema.prisma disagree.');
    if (onlyMigrations.length) console.error(`\nOnly the migrations build:\n  ${onlyMigrations.join('\n  ')}`);
    if (onlySchema.length) console.error(`\nOnly the schema describes:\n  ${onlySchema.join('\n  ')}`);
    console.error(
      '\nWrite a migration for a schema change (prisma-migration-sql prints its SQL), or describe in schema.prisma ' +
        `what a migration added. (${note}.)`,
    );
    return 1;
  } finally {
    await Promise.all([dropDatabase(fromMigrations), dropDatabase(fromSchema)]);
  }
}

process.exit(await main());
