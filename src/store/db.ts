// The Postgres connection of a process: one node-postgres pool, used two ways, one per store (the rule in the
// README's code layout):
// - Prisma's typed API (through its driver adapter, on this pool) for the CRUD-shaped admin data: campaigns
//   (store/campaigns.ts) and the model registry (store/models.ts, whose few aggregations use Prisma's templates);
// - the `sql` helpers below, straight on the pool, where measured cost demands it: the event path (ingest statement,
//   outbox, stock and ledger, carts, candidate filter, product rows) and the KPI store (aggregations over events on
//   every rollup and dashboard read). Prisma costs the API process 4–6× more CPU per statement than the same
//   statement through `pg` (≈ 100–400 µs against 25–100 µs on the build machine, and ≈ 370 µs against 60 µs for a
//   transaction; see BENCHMARKS.md), and these statements run several times per event.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

/** Something statements can be sent to: the pool, or one connection of it inside a transaction. */
export type Sql = pg.Pool | pg.PoolClient;

export interface SqlQuery {
  text: string;
  values: unknown[];
  /** Set by prepare(): the statement is parsed and planned once per connection. */
  name?: string;
}

const texts = new WeakMap<TemplateStringsArray, { text: string; name: string }>();

/** A prepared statement's name: derived from its text, so that every connection names the same text alike. */
function statementName(text: string): string {
  return `fw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
}

function textOf(strings: TemplateStringsArray): { text: string; name: string } {
  let t = texts.get(strings);
  if (!t) {
    const text = strings.reduce((acc, s, i) => `${acc}$${i}${s}`);
    t = { text, name: statementName(text) };
    texts.set(strings, t);
  }
  return t;
}

/**
 * A parameterised statement: `sql\`SELECT … WHERE id = ${id}\`` sends `$1` and the value apart, as Prisma's
 * $queryRaw does (values are never spliced into the text). Arrays become Postgres arrays; objects become JSON.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery & { strings: TemplateStringsArray } {
  return { text: textOf(strings).text, values, strings };
}

/**
 * The same statement as a named prepared statement, for the few that run per event: Postgres parses and plans
 * it once per connection instead of on every call. Only for statements whose plan does not hinge on a value.
 */
export function prepare(q: SqlQuery & { strings: TemplateStringsArray }): SqlQuery {
  return { text: q.text, values: q.values, name: textOf(q.strings).name };
}

/**
 * A named prepared statement from a text assembled once (for a statement with variants built from shared parts,
 * where a tagged template cannot be used); `bind` gives it its values. Placeholders are written as $1, $2, ….
 */
export function preparedText(text: string): { bind(values: unknown[]): SqlQuery } {
  const name = statementName(text);
  return { bind: (values) => ({ text, values, name }) };
}

export async function query<R extends pg.QueryResultRow>(db: Sql, q: SqlQuery): Promise<R[]> {
  return (await db.query<R>(q)).rows;
}

/** Deadlock (40P01) or serialization failure (40001): the transaction may simply be run again. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const MAX_ATTEMPTS = 5;

async function backOff(attempt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 10 * attempt * Math.random()));
}

/** Runs a single statement (atomic by itself) again when Postgres picks it as a deadlock victim. */
export async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
    }
    await backOff(attempt);
  }
}

/** Longest a statement of a transaction may run (lock waits included), as Prisma's transaction timeout did. */
const TRANSACTION_STATEMENT_TIMEOUT_MS = 20_000;

/**
 * Runs `fn` in one transaction on one connection of the pool, retried (up to 5 times, with a short random
 * back-off) when Postgres picks it as a deadlock victim: concurrent writes can cross on cart rows or event ids.
 */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: { statementTimeoutMs?: number } = {},
): Promise<T> {
  const timeout = Math.trunc(opts.statementTimeoutMs ?? TRANSACTION_STATEMENT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    // The pool takes its own error listener off a client it hands out: a connection that died between two
    // statements (Postgres restarted, a proxy gone) would emit 'error' with nobody listening and end the process.
    // Here it only marks the client broken; the statement in flight, or the next, fails with the cause.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      // One round trip: a simple query may hold several statements.
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${timeout}`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is unusable (e.g. it was killed): do not hand it back to the pool
      }
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
    await backOff(attempt);
  }
}

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  /** Closes Prisma and the pool. */
  close(): Promise<void>;
}

export function connectDatabase(databaseUrl: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection that dies (Postgres restarted) is dropped by the pool; without a listener it would crash
  // the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
