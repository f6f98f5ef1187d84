// Issue 20, on real processes: SIGTERM stops an API with requests in flight and a worker with jobs in flight
// without losing an answer or a job (exit 0, /readyz 503 while draining), and a dependency that cannot be reached
// is answered with a retryable SERVICE_UNAVAILABLE (HTTP 503 with Retry-After), not an INTERNAL_SERVER_ERROR.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/auth/tokens';
import { eventually, startTestPlatform, testEnv, uniqueId, type TestPlatform } from './support/platform';
import { freePort, spawnPlatform } from './support/process';
import { TcpProxy } from './support/tcp-proxy';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;

const pools: pg.Pool[] = [];
afterAll(() => Promise.all(pools.map((p) => p.end())));

function database(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(pool);
  return pool;
}

/** How many of these event ids are in Postgres. */
async function stored(pool: pg.Pool, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  return Number((await pool.query('SELECT count(*) FROM events WHERE id = ANY($1::text[])', [ids])).rows[0].count);
}

const views = (productId: string, n: number) => Array.from({ length: n }, () => ({ id: uniqueId('e'), type: 'VIEW', userId: uniqueId('u'), productId }));

async function post(url: string, body: unknown, token: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** Polls /readyz (a new request each time) until it answers 503; false if the process went away first. */
async function readyzTurns503(url: string, alive: () => boolean): Promise<boolean> {
  while (alive()) {
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 503) return true;
    if (status === 0) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('SIGTERM on an API process', () => {
  it('answers every request in flight, keeps every answered event, turns /readyz 503 first and exits 0', async () => {
    const port = await freePort();
    const pgProxy = new TcpProxy('127.0.0.1', 5432);
    await pgProxy.start();
    const direct = await testEnv();
    const dbUrl = new URL(direct.DATABASE_URL!);
    dbUrl.port = String(pgProxy.port);
    // NODE_ENV=production: Apollo installs its own signal handlers unless told not to (it skips them under "test").
    const env = await testEnv({ PORT: String(port), ROLE: 'api', NODE_ENV: 'production', DATABASE_URL: dbUrl.toString(), METRICS_TOKEN: 'metrics-token-for-this-test', SHUTDOWN_DELAY_MS: '300' });
    const pool = database(direct.DATABASE_URL!);
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnPlatform(env);
    const alive = () => proc.child.exitCode === null && proc.child.signalCode === null;
    try {
      await proc.started;
      const tokens = new TokenService(env.JWT_SECRET!);
      const product = uniqueId('sku');
      const seeded = await post(url, { query: `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, variables: { p: [{ id: product, name: 'Shoe', category: 'c', price: 5, stock: 10 }] } }, await tokens.sign({ sub: 'admin', role: 'admin' }));
      expect(seeded.body.errors).toBeUndefined();
      const service = await tokens.sign({ sub: 'store', role: 'service' });
      const warm = views(product, 20);
      expect((await post(url, { query: RECORD, variables: { events: warm } }, service)).body.data?.recordEvents.accepted).toBe(20);

      // Postgres holds its answers, so that 100 batches are certainly in flight (received, not answered) at SIGTERM.
      pgProxy.pause();
      const batches = Array.from({ length: 100 }, () => views(product, 20));
      const requests = batches.map((events) =>
        post(url, { query: RECORD, variables: { events } }, service).catch((err: Error) => ({ status: 0, body: { error: `${err.message} ${String(err.cause ?? '')}` }, headers: new Headers() })),
      );
      const inFlight = async () => {
        const text = await (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-this-test' } })).text();
        return Number(text.match(/^http_requests_in_flight (\S+)$/m)?.[1] ?? 0);
      };
      // The scrape counts itself.
      await eventually(async () => (await inFlight()) >= 101, 20_000, '100 requests in flight');
      proc.child.kill('SIGTERM');
      const sawDraining = await readyzTurns503(url, alive);
      // The listener closes after SHUTDOWN_DELAY_MS; only then does Postgres answer again.
      const refused = await eventually(async () => fetch(`${url}/healthz`).then(() => false, () => true), 20_000, 'the listener to close');
      const late = views(product, 5);
      const lateAnswer = await post(url, { query: RECORD, variables: { events: late } }, service).catch(() => undefined);
      pgProxy.resume();

      const results = await Promise.all(requests);
      const exit = await proc.exited;
      expect(sawDraining).toBe(true);
      expect(refused).toBe(true);
      expect(results.filter((r) => r.status !== 200 || r.body.data?.recordEvents?.accepted !== 20)).toEqual([]);
      expect(await stored(pool, batches.flat().map((e) => e.id))).toBe(2000);
      // Sent after the listener closed: refused before anything was written.
      expect(lateAnswer).toBeUndefined();
      expect(await stored(pool, late.map((e) => e.id))).toBe(0);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(proc.output()).toContain('platform stopped');
      expect(proc.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      await proc.kill('SIGKILL');
      await pgProxy.stop();
    }
    }, 120_000);

  it('stops at a second signal as at the first (ROLE=all)', async () => {
    const port = await freePort();
    const env = await testEnv({ PORT: String(port), ROLE: 'all', NODE_ENV: 'production', SHUTDOWN_DELAY_MS: '300' });
    const proc = spawnPlatform(env);
    try {
      await proc.started;
      proc.child.kill('SIGTERM');
      await eventually(async () => proc.output().includes('shutting down'), 10_000, 'the shutdown to begin');
      proc.child.kill('SIGINT');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.output()).toContain('platform stopped');
    } finally {
      await proc.kill('SIGKILL');
    }
    }, 60_000);
});

describe('SIGTERM on a worker process', () => {
  it('finishes the jobs it holds, answers /readyz 503 meanwhile, exits 0, and a new worker loses none', async () => {
    const api = await startTestPlatform({ ROLE: 'api' });
    const pgProxy = new TcpProxy('127.0.0.1', 5432);
    await pgProxy.start();
    const dbUrl = new URL(api.env.DATABASE_URL!);
    dbUrl.port = String(pgProxy.port);
    const port = await freePort();
    const env = { ...api.env, ROLE: 'worker', PORT: String(port), DATABASE_URL: dbUrl.toString(), WORKER_LOCK_MS: '5000', TRAIN_AFTER_EVENTS: '0' };
    let worker = spawnPlatform(env);
    try {
      await worker.started;
      const product = uniqueId('sku');
      await api.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: product, name: 'Shoe', category: 'c', price: 5, stock: 10 }] }, await api.token('admin'));
      const service = await api.token('service');
      const applied = async () => Number((await api.platform.redis.hget(api.platform.keys.productStats(product), 'VIEW')) ?? 0);
      let total = 0;
      const record = async (n: number) => {
        const res = await api.gql(RECORD, { events: views(product, n) }, service);
        expect(res.data?.recordEvents.accepted).toBe(n);
        total += n;
      };
      await record(10);
      await eventually(async () => (await applied()) === 10, 20_000, 'the worker to be under way');
      // The worker's first feature store check rebuilds what the tests before recorded (a replay can make the 10 views
      // count before the worker takes a job): done before Postgres hangs, or the worker would never take one.
      await eventually(async () => ((await api.platform.redis.hget(api.platform.keys.featureRebuild(), 'finishedAt')) ? true : null), 30_000, 'the feature store rebuilt at the worker\'s first check');

      // Postgres stops answering the worker (not the API): the jobs it takes now stay in flight, reading their events.
      pgProxy.pause();
      for (let i = 0; i < 20; i++) await record(10);
      const events = api.platform.queues.queue('events');
      await eventually(async () => (await events.getActiveCount()) > 0, 20_000, 'jobs in flight on the worker');
      worker.child.kill('SIGTERM');
      const sawDraining = await readyzTurns503(`http://127.0.0.1:${port}`, () => worker.child.exitCode === null && worker.child.signalCode === null);
      pgProxy.resume();
      const exit = await worker.exited;
      expect(sawDraining).toBe(true);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(worker.output()).toContain('platform stopped');

      worker = spawnPlatform(env);
      await worker.started;
      await eventually(async () => (await applied()) === total, 30_000, `all ${total} views applied`);
      await eventually(async () => (await events.getJobCounts('waiting', 'active', 'delayed', 'prioritized')) && Object.values(await events.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0), 20_000, 'the queue to be empty');
      expect(await applied()).toBe(total);
    } finally {
      await worker.kill('SIGTERM');
      await api.stop();
      await pgProxy.stop();
    }
    // Two worker processes started one after the other, and waits on each step: ≈ 5 s on a quiet machine, over 30
    // on a loaded one.
  }, 120_000);
});

describe('a dependency that cannot be reached', () => {
  let t: TestPlatform | undefined;
  const pgProxy = new TcpProxy('127.0.0.1', 5432);
  afterAll(async () => {
    await t?.stop();
    await pgProxy.stop();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After during a Postgres outage, over HTTP and WebSocket, and a retry afterwards is accepted once', async () => {
    await pgProxy.start();
    const dbUrl = new URL((await testEnv()).DATABASE_URL!);
    dbUrl.port = String(pgProxy.port);
    t = await startTestPlatform({ DATABASE_URL: dbUrl.toString(), ROLE: 'api' });
    const pool = database((await testEnv()).DATABASE_URL!);
    const admin = await t.token('admin');
    const product = uniqueId('sku');
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: product, name: 'Shoe', category: 'c', price: 5, stock: 10 }] }, admin)).errors).toBeUndefined();
    const service = await t.token('service');
    const events = views(product, 5);
    const ws = t.ws(service);

    await pgProxy.stop();
    const res = await post(t.url, { query: RECORD, variables: { events } }, service);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) } })]);
    // A read through Prisma says the same.
    const read = await post(t.url, { query: '{ campaigns(first: 5) { edges { node { id } } } }' }, admin);
    expect(read.status).toBe(503);
    expect(read.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    // Over WebSocket: the operation's error carries the code.
    const overWs = await new Promise<any>((resolve) => {
      let result: unknown;
      ws.subscribe({ query: RECORD, variables: { events } }, { next: (v) => (result = v), error: (e) => resolve({ error: e }), complete: () => resolve(result) });
    });
    expect(overWs.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    await pgProxy.start(pgProxy.port);
    // Nothing was written: the retry with the same ids is accepted in full, once.
    const retried = await eventually(async () => {
      const r = await post(t!.url, { query: RECORD, variables: { events } }, service);
      return r.status === 200 ? r : undefined;
    }, 20_000, 'Postgres to be back');
    expect(retried.body.data.recordEvents).toEqual({ accepted: 5, duplicates: 0 });
    expect(await stored(pool, events.map((e) => e.id))).toBe(5);
  });
});
