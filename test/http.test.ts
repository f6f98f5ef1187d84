import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { TcpProxy } from './support/tcp-proxy';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

describe('HTTP endpoints', () => {
  it('serves healthz, readyz and Prometheus metrics', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()) as any).toMatchObject({ checks: { postgres: 'ok', redis: 'ok' } });
    await t.gql('{ viewer { id } }');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/graphql_requests_total\{transport="http",operation="query",outcome="ok"\} [1-9]/);
    expect(metrics).toContain('ws_connections_active');
    expect(metrics).toContain('ws_subscriptions_active');
  });

  it('answers malformed JSON and bad tokens with a GraphQL-shaped error and no stack trace', async () => {
    const bad = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    const body = await bad.text();
    expect(JSON.parse(body).errors[0].message).toBe('Request body is not valid JSON');
    expect(body).not.toMatch(/at .*\.(js|ts):\d+/);
    const unauth = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(unauth.status).toBe(401);
    expect(((await unauth.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a body over 5 MB with 413 and a non-JSON POST with 400, and still serves the next request', async () => {
    const big = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0]).toEqual({ message: 'Request body is too large', extensions: { code: 'BAD_REQUEST' } });
    const text = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' });
    expect(text.status).toBe(400);
    const ok = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(((await ok.json()) as any).data).toEqual({ __typename: 'Query' });
  });

  it('blocks CSRF-prone GET requests but serves queries over GET with a preflight header', async () => {
    const plain = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { id } }')}`);
    expect(plain.status).toBe(400);
    const ok = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ products(first: 1) { edges { cursor } } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.products).toBeDefined();
  });

  it('limits aliases', async () => {
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    const res = await t.gql(aliases);
    expect(res.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('counts a selection written in fragments like the same selection written inline', async () => {
    const fields = 'id name category price currency stock lowStockThreshold createdAt updatedAt';
    const inline = `{ products(first: 20) { edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor } } }`;
    const fragments = `{ ...Q }
      fragment Q on Query { products(first: 20) { ...C } }
      fragment C on ProductConnection { edges { ...E } pageInfo { hasNextPage endCursor } }
      fragment E on ProductEdge { cursor node { ...P } }
      fragment P on Product { ${fields} }`;
    const a = await t.gql(inline);
    const b = await t.gql(fragments);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data).toEqual(a.data);
    // Flattening does not open a way around the depth limit: depth still counts the fields.
    const deep = `{ ...Q } fragment Q on Query { products { edges { node { id } } } }`;
    const limited = await startTestPlatform({ GRAPHQL_MAX_DEPTH: '3' });
    try {
      expect((await limited.gql(deep)).errors?.[0]?.message).toMatch(/depth/i);
    } finally {
      await limited.stop();
    }
  });

  it('allows introspection outside production', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }');
    expect(res.data.__schema.queryType.name).toBe('Query');
  });
});

describe('production mode', () => {
  it('turns introspection off', async () => {
    const prod = await startTestPlatform({ NODE_ENV: 'production' });
    try {
      const res = await prod.gql('{ __schema { queryType { name } } }');
      expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await prod.stop();
    }
  });
});

describe('readiness follows Postgres and Redis', () => {
  it('turns 503 when a dependency is down and back to 200 when it returns', async () => {
    const pgProxy = new TcpProxy('127.0.0.1', 5432);
    const redisProxy = new TcpProxy('127.0.0.1', 6379);
    await pgProxy.start();
    await redisProxy.start();
    const dbUrl = new URL(t.env.DATABASE_URL!);
    dbUrl.port = String(pgProxy.port);
    const p = await startTestPlatform({ DATABASE_URL: dbUrl.toString(), REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` });
    const readyz = async () => {
      const res = await fetch(`${p.url}/readyz`);
      return { status: res.status, body: (await res.json()) as any };
    };
    const waitFor = async (status: number) => {
      for (let i = 0; i < 100; i++) {
        const r = await readyz();
        if (r.status === status) return r;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`readyz never returned ${status}`);
    };
    try {
      expect((await readyz()).status).toBe(200);
      await redisProxy.stop();
      expect((await waitFor(503)).body.checks.redis).toMatch(/^down/);
      await redisProxy.start();
      await waitFor(200);
      await pgProxy.stop();
      expect((await waitFor(503)).body.checks.postgres).toMatch(/^down/);
      await pgProxy.start();
      await waitFor(200);
    } finally {
      await p.stop();
      await pgProxy.stop();
      await redisProxy.stop();
    }
  });
});

describe('a Redis outage', () => {
  it('answers reads that need Redis with a retryable 503 within a reconnection or two, and still records events', async () => {
    const redisProxy = new TcpProxy('127.0.0.1', 6379);
    await redisProxy.start();
    const p = await startTestPlatform({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` });
    const admin = await p.token('admin');
    const service = await p.token('service');
    const product = uniqueId('p');
    const user = uniqueId('u');
    const post = async (query: string, variables: Record<string, unknown>, token: string) => {
      const res = await fetch(`${p.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
    };
    const recommend = () => post(`query($u: ID!) { recommendations(userId: $u, limit: 5) { items { product { id } } } }`, { u: user }, admin);
    const record = (id: string) =>
      post(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`, { e: [{ id, type: 'VIEW', userId: user, productId: product }] }, service);
    try {
      await p.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: product, name: 'Lamp', category: 'k', price: 10, stock: 5 }] }, admin);
      expect((await recommend()).status).toBe(200);
      await redisProxy.stop();
      // Before the fix the read waited through ioredis's 20 reconnections (≈ 31 s) and the test timed out.
      const down = await recommend();
      expect(down.status).toBe(503);
      expect(down.retryAfter).toMatch(/^\d+$/);
      expect(down.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      // Recording never needed Redis: the outbox keeps the event until the relay can hand it on.
      const recorded = await record(uniqueId('e'));
      expect(recorded.status).toBe(200);
      expect(recorded.body.data.recordEvents).toEqual({ accepted: 1, duplicates: 0 });
      await redisProxy.start();
      for (let i = 0; ; i++) {
        const r = await recommend();
        if (r.status === 200) break;
        if (i > 100) throw new Error(`recommendations still ${r.status} after Redis came back`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await p.stop();
      await redisProxy.stop();
    }
  });
});
