// Shared parts of the bench/ scripts: a deployment of their own (database, Redis prefix, API and worker
// processes spawned from src/main.ts, as in production), GraphQL over HTTP and WebSocket, percentiles and the
// machine description that goes next to every figure. Everything a bench creates is removed by teardown().
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, totalmem } from 'node:os';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { TokenService, type Role } from '../src/auth/tokens';
import { createRedis } from '../src/store/redis';
import { dropDatabase, migrate } from '../src/store/migrator';
import { spawnPlatform, type PlatformProcess } from '../test/support/process';
import { deleteRedisPrefix as deleteKeys } from '../test/support/redis-cleanup';

const SECRET = 'bench-secret-0123456789abcdef';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';

export interface GraphQLBody {
  data?: any;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface BenchDeployment {
  run: string;
  databaseUrl: string;
  redisPrefix: string;
  token(role: Role, sub?: string): Promise<string>;
  /** Starts `src/main.ts` with this role (and extra environment) and waits until it is up. */
  /** `nodeArgs`: Node/V8 flags for this process, after BENCH_NODE_ARGS. */
  start(role: 'api' | 'worker' | 'all', env?: Record<string, string>, nodeArgs?: string[]): Promise<BenchProcess>;
  /** POSTs a GraphQL operation; throws on GraphQL errors. */
  gql(query: string, variables: Record<string, unknown>, token: string): Promise<any>;
  /** POSTs an already serialized body (so that a bench times the server, not its own JSON.stringify), to the
   * `api`-th API process started (0: the first). */
  post(body: string, token: string, api?: number): Promise<GraphQLBody>;
  /** A graphql-ws client of the `api`-th API process started (0: the first). */
  ws(token: string, api?: number): Client;
  /** Stops the processes (SIGTERM, as a deployment would), drops the database and deletes the Redis keys. */
  teardown(): Promise<void>;
}

/** A platform process of a bench, with the port it listens on (GraphQL, or /metrics alone for a worker). */
export type BenchProcess = PlatformProcess & { port: number };

/**
 * A deployment for one bench run: a fresh migrated database `flywheel_bench_<name>_<run>` and Redis prefix
 * `bench-<name>-<run>`. Each process listens on a port the system reported free.
 */
export async function createDeployment(name: string, baseEnv: Record<string, string> = {}): Promise<BenchDeployment> {
  const run = randomBytes(3).toString('hex');
  const databaseUrl = `${PG_URL}/flywheel_bench_${name}_${run}`;
  const redisPrefix = `bench-${name}-${run}`;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: SECRET,
    // As deployed (the Dockerfile and docker-compose.yml set it): libraries skip their development checks.
    NODE_ENV: 'production',
    MIGRATE_ON_START: 'false',
    // A bench measures the event path; background training would add noise it is not about.
    TRAIN_INTERVAL_MS: '0',
    TRAIN_AFTER_EVENTS: '0',
    ...baseEnv,
  };
  await migrate(databaseUrl);
  const tokens = new TokenService(SECRET);
  const processes: PlatformProcess[] = [];
  const clients: Client[] = [];
  /** The GraphQL endpoint of each process serving the API, in the order started. */
  const apiUrls: string[] = [];
  const apiUrl = (api = 0) => {
    if (!apiUrls.length) throw new Error('no API process started');
    return apiUrls[api % apiUrls.length]!;
  };

  // node:http with a bounded keep-alive pool: cheaper per request than fetch, and an overloaded server sees
  // at most this many connections (like a storefront backend's pool) instead of a connection storm.
  // `timeout` (4 s) lets the pool close a socket idle for longer, before the server's keepAliveTimeout (Node's 5 s)
  // does: without an agent timeout, Node ignores the server's `Keep-Alive: timeout=5` hint and reuses sockets the
  // server is closing, and a call fails with "socket hang up" (seen in short runs of `npm run soak`).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });
  const post = (body: string, token: string, api?: number, retried = false): Promise<GraphQLBody> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        apiUrl(api),
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLBody);
            } catch (err) {
              reject(new Error(`HTTP ${res.statusCode}: not JSON (${(err as Error).message})`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as idle just as it was reused (Node's documented race): send
        // again on a fresh one. Safe: every operation a bench sends is idempotent (events carry their ids).
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) post(body, token, api, true).then(resolve, reject);
        else reject(err);
      });
      req.end(body);
    });

  return {
    run,
    databaseUrl,
    redisPrefix,
    token: (role, sub = 'bench') => tokens.sign({ sub, role, ttlSeconds: 6 * 3600 }),
    async start(role, extra = {}, nodeArgs = []) {
      // BENCH_CPU_PROF=DIR: each process writes a V8 CPU profile there when it exits (for finding the hot path).
      const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${name}-${role}-${processes.length}`] : [];
      // BENCH_NODE_ARGS="--trace-deopt …": more Node/V8 flags for the platform processes (diagnosis only).
      profile.push(...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
      profile.push(...nodeArgs);
      const port = await freePort();
      const p = spawnPlatform({ ...env, ...extra, ROLE: role, PORT: String(port) }, profile);
      processes.push(p);
      spawned.add(p);
      p.child.once('exit', () => spawned.delete(p));
      if (role !== 'worker') apiUrls.push(`http://127.0.0.1:${port}/graphql`);
      await p.started;
      return { ...p, port };
    },
    async gql(query, variables, token) {
      const body = await post(JSON.stringify({ query, variables }), token);
      if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
      return body.data;
    },
    post,
    ws(token, api) {
      const client = createClient({ url: apiUrl(api).replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
      clients.push(client);
      return client;
    },
    async teardown() {
      agent.destroy();
      await Promise.all(clients.map((c) => c.dispose()));
      await Promise.all(processes.map((p) => p.kill('SIGTERM')));
      reportWarnings(processes);
      await dropDatabase(databaseUrl);
      await deleteRedisPrefix(redisPrefix);
    },
  };
}

/**
 * A port nothing listens on now (the system picks it). A random port from a fixed range had once in a while
 * been one in use (Postgres's 5432 was in it), and the process spawned on it exited at once.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The platform's warnings and errors during the run (pino levels 40 and up), counted by process and message: a
 * failed job retried with back-off, say, shows in the figures as a slow tail, and is named here.
 */
function reportWarnings(processes: PlatformProcess[]): void {
  processes.forEach((p, i) => {
    const counts = new Map<string, number>();
    for (const line of p.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: number; msg?: string; err?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if ((entry.level ?? 0) < 40) continue;
      const key = `${entry.msg}${entry.err ? `: ${typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err).slice(0, 200)}` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [message, n] of counts) console.log(`platform process ${i + 1} logged ${n}× ${message}`);
  });
}

function deleteRedisPrefix(prefix: string): Promise<void> {
  return deleteKeys(REDIS_URL, prefix, 'flywheel-bench-teardown');
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

/** p50/p95/p99/max of some durations (ms), formatted for a Markdown row. */
export function latencyColumns(values: number[]): string[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [50, 95, 99, 100].map((p) => (sorted.length ? percentile(sorted, p).toFixed(1) : 'n/a'));
}

/** The machine, for the line printed next to every figure (and copied into BENCHMARKS.md). */
export async function describeMachine(): Promise<string> {
  const client = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  const redis = createRedis(REDIS_URL, 'flywheel-bench-info');
  const info = await redis.info('server');
  await redis.quit();
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  return (
    `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `PostgreSQL ${rows[0]?.server_version.split(' ')[0]}, Redis ${redisVersion}, loopback`
  );
}

/** CPU time (user + system, seconds) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th, in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU used by each part of a deployment between two readings: its processes, the bench itself, the Postgres
 * backends serving its database, and the Redis server (shared with anything else using it on this machine).
 */
export async function cpuMeter(databaseUrl: string, processes: Record<string, Pick<PlatformProcess, 'child'>>) {
  const database = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  const redis = createRedis(REDIS_URL, 'flywheel-bench-cpu');
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  await redis.quit();
  const read = async () => {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    const backends = new Map(rows.flatMap((r) => {
      const c = cpuSeconds(r.pid);
      return c === undefined ? [] : [[r.pid, c] as const];
    }));
    const parts: Record<string, number | undefined> = {
      ...Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, cpuSeconds(p.child.pid)])),
      postgres: undefined,
      redis: cpuSeconds(redisPid),
      bench: cpuSeconds(process.pid),
    };
    return { parts, backends };
  };
  return {
    /** Starts a measurement; the function it returns gives CPU ms per `units` since, by part. */
    async start(): Promise<(units: number) => Promise<string>> {
      const before = await read();
      return async (units) => {
        const after = await read();
        // Postgres backends come and go (pools close idle connections): count each backend's CPU since the start
        // (all of it for a new one). A backend that exited in between is missed, so the figure is a lower bound.
        let postgres = 0;
        for (const [pid, c] of after.backends) postgres += c - (before.backends.get(pid) ?? 0);
        const delta = (name: string, v: number | undefined) => (v === undefined || before.parts[name] === undefined ? undefined : v - before.parts[name]!);
        return Object.entries({ ...after.parts, postgres: undefined })
          .map(([name, v]) => [name, name === 'postgres' ? (after.backends.size ? postgres : undefined) : delta(name, v)] as const)
          .map(([name, d]) => `${name} ${d === undefined ? 'n/a' : ((d * 1000) / units).toFixed(2)}`)
          .join(', ');
      };
    },
    close: () => admin.end(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a bench's main and exits with its outcome (child processes are gone by then). */
/** Every platform process a bench started and that still runs: stopped when the bench exits, however it exits. */
const spawned = new Set<PlatformProcess>();
process.on('exit', () => {
  for (const p of spawned) p.child.kill('SIGTERM');
});

export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
