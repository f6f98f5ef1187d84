// Issue 19, points 4 to 7, tried from outside over real HTTP and a real graphql-ws client against a platform in
// production mode, anonymous and with shopper, service and admin tokens: every bad string (NUL and other control
// characters, lone surrogates, unbounded lengths, impossible dates, forged cursors) is a BAD_USER_INPUT that names
// the field, nothing is written, and nothing above `warn` reaches the log; production suggests nothing; the cost
// limit counts variables as literals; the token limit and APQ mismatches are 400s with codes of their own.
import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

type Via = 'http' | 'ws';
interface Answer {
  /** HTTP status (HTTP only). */
  status?: number;
  data?: any;
  errors?: any[];
}

let t: TestPlatform;
let db: pg.Pool;
let admin: string;
let service: string;
let shopperId: string;
let shopper: string;
/** A product with stock movements and alerts, for events, stock changes and admin lists. */
let sku: string;
/** Cursors the API returned, to forge "a cursor of another list" from. */
let productCursor: string;
let alertCursor: string;
const logged: Array<{ level: number; msg?: string }> = [];
const wsClients = new Map<string, Client>();

const NUL = 'a\u0000b';

beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  t = await startTestPlatform({ NODE_ENV: 'production' }, {}, log);
  db = new pg.Pool({ connectionString: t.env.DATABASE_URL });
  admin = await t.token('admin', 'sec-admin');
  service = await t.token('service');
  shopperId = uniqueId('shopper');
  shopper = await t.token('shopper', shopperId);
  sku = uniqueId('sec');
  const created = await t.gql(
    `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`,
    { p: [{ id: sku, name: 'Trail shoe', category: 'shoes', price: 10, stock: 20, lowStockThreshold: 5 }] },
    admin,
  );
  expect(created.errors).toBeUndefined();
  const out = await t.gql(`mutation($id: ID!) { setStock(productId: $id, stock: 0) { stock } }`, { id: sku }, admin);
  expect(out.errors).toBeUndefined();
  const lists = await t.gql(`{ products(first: 1) { edges { cursor } } inventoryAlerts(first: 1) { edges { cursor } } }`, {}, admin);
  productCursor = lists.data.products.edges[0].cursor;
  alertCursor = lists.data.inventoryAlerts.edges[0].cursor;
});
// Each test answers for what its own requests logged.
beforeEach(() => {
  logged.length = 0;
});
afterAll(async () => {
  await t?.stop();
  await db?.end();
});

function wsClient(token?: string): Client {
  const key = token ?? '';
  let client = wsClients.get(key);
  if (!client) wsClients.set(key, (client = t.ws(token)));
  return client;
}

/** One operation over HTTP (with its status) or over the graphql-ws connection of `token` (anonymous without). */
async function ask(via: Via, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  if (via === 'http') {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  }
  const results: any[] = [];
  try {
    for await (const r of wsClient(token).iterate({ query, variables })) results.push(r);
  } catch (errors) {
    // graphql-ws hands a refused operation's errors to the sink as they are.
    if (Array.isArray(errors)) return { errors };
    throw errors;
  }
  const errors = results.flatMap((r) => r.errors ?? []);
  return { data: results[0]?.data, ...(errors.length ? { errors } : {}) };
}

/** Nothing above warn in the platform's log: no error, no stack trace, for any client mistake. */
function expectQuietLog(): void {
  expect(logged.filter((l) => l.level > 40)).toEqual([]);
}

/** Refused with one BAD_USER_INPUT naming each of `fields`, HTTP `status` over HTTP, and a quiet log. */
function expectRefused(answer: Answer, via: Via, fields: string[], status = 400): void {
  expect(answer.errors, JSON.stringify(answer)).toHaveLength(1);
  const [error] = answer.errors!;
  expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
  expect((error.extensions.problems ?? []).map((p: any) => p.field)).toEqual(fields);
  expect(JSON.stringify(answer)).not.toMatch(/\bat .*\.(js|ts):\d+/);
  if (via === 'http') expect(answer.status).toBe(status);
  expectQuietLog();
}

async function count(sql: string, params: unknown[]): Promise<number> {
  return (await db.query(sql, params)).rows[0].n;
}

const RECORD = `mutation($event: EventInput!) { recordEvent(event: $event) { accepted duplicates } }`;

describe.each<Via>(['http', 'ws'])('one input rule for every string, over %s', (via) => {
  it('product(id) with NUL, anonymous', async () => {
    expectRefused(await ask(via, `query($id: ID!) { product(id: $id) { id } }`, { id: NUL }), via, ['id']);
  });

  it('product(id: "a\\u0000b") written in the document, anonymous', async () => {
    expectRefused(await ask(via, `{ product(id: "a\\u0000b") { id } }`), via, ['id']);
  });

  it('products(category) with NUL, and a category of 100,000 characters, anonymous', async () => {
    const q = `query($c: String) { products(first: 5, category: $c) { edges { cursor } } }`;
    expectRefused(await ask(via, q, { c: NUL }), via, ['c']);
    expectRefused(await ask(via, q, { c: 'x'.repeat(100_000) }), via, ['c']);
    expect((await ask(via, q, { c: 'shoes' })).errors).toBeUndefined();
  });

  it('the cursor "AA", random base64 and a cursor of another list on products, anonymous', async () => {
    const q = `query($after: String) { products(first: 5, after: $after) { edges { cursor } } }`;
    const forged = ['AA', Buffer.from("' OR 1=1 --").toString('base64url'), randomBytes(24).toString('base64url'), alertCursor];
    for (const after of forged) expectRefused(await ask(via, q, { after }), via, ['after'], 200);
    expect((await ask(via, q, { after: productCursor })).errors).toBeUndefined();
  });

  it("a shopper's recommendationId with NUL: refused, nothing recorded", async () => {
    const id = uniqueId('evt');
    const event = { id, type: 'CLICK', userId: shopperId, productId: sku, recommendationId: `rec${NUL}` };
    expectRefused(await ask(via, RECORD, { event }, shopper), via, ['event.recommendationId']);
    expect(await count('SELECT count(*)::int AS n FROM events WHERE id = $1', [id])).toBe(0);
  });

  it('ids with control characters: user and session ids of events (each named, nothing recorded), a campaign id, a training run id', async () => {
    const ids = [uniqueId('evt'), uniqueId('evt')];
    const events = [
      { id: ids[0], type: 'VIEW', userId: 'u\u001b[31m', productId: sku },
      { id: ids[1], type: 'VIEW', userId: 'u-1', sessionId: 's\u0007', productId: sku },
    ];
    const answer = await ask(via, `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`, { events }, service);
    expectRefused(answer, via, ['events.0.userId', 'events.1.sessionId']);
    expect(answer.errors![0].extensions.problems.map((p: any) => p.index)).toEqual([0, 1]);
    expect(await count('SELECT count(*)::int AS n FROM events WHERE id = ANY($1)', [ids])).toBe(0);
    expectRefused(await ask(via, `query($id: ID!) { campaign(id: $id) { id } }`, { id: NUL }, admin), via, ['id']);
    expectRefused(await ask(via, `query($id: ID!) { trainingRun(id: $id) { id } }`, { id: 'run\u0007' }, admin), via, ['id']);
  });

  it('product names and categories with NUL or a lone surrogate: refused, nothing written', async () => {
    const ids = [uniqueId('p'), uniqueId('p'), uniqueId('p')];
    const products = [
      { id: ids[0], name: `Shoe${NUL}`, category: 'shoes', price: 1 },
      { id: ids[1], name: 'Shoe', category: `sh${NUL}oes`, price: 1 },
      { id: ids[2], name: 'Shoe \ud800', category: 'shoes', price: 1 },
    ];
    const answer = await ask(via, `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin);
    expectRefused(answer, via, ['p.0.name', 'p.1.category', 'p.2.name']);
    expect(await count('SELECT count(*)::int AS n FROM products WHERE id = ANY($1)', [ids])).toBe(0);
  });

  it('a stock reason with NUL is refused (stock and ledger unchanged); line breaks are allowed in a reason', async () => {
    const before = await count('SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1', [sku]);
    const q = `mutation($id: ID!, $reason: String!) { adjustStock(productId: $id, delta: 5, reason: $reason) { stock } }`;
    expectRefused(await ask(via, q, { id: sku, reason: `count${NUL}` }, admin), via, ['reason']);
    expectRefused(await ask(via, `mutation { adjustStock(productId: "${sku}", delta: 5, reason: "count\\u0000") { stock } }`, {}, admin), via, ['reason']);
    expect(await count('SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1', [sku])).toBe(before);
    const ok = await ask(via, q, { id: sku, reason: 'counted\nby hand' }, admin);
    expect(ok.errors).toBeUndefined();
    expect(await count('SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1', [sku])).toBe(before + 1);
    // A product name is one line.
    expectRefused(
      await ask(via, `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: sku, name: 'Trail\nshoe', category: 'shoes', price: 10 }] }, admin),
      via,
      ['p.0.name'],
    );
  });

  it('a campaign name with NUL: refused, no campaign created', async () => {
    const marker = uniqueId('cmp');
    const input = { name: `${marker}${NUL}`, startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z', budget: 100 };
    const answer = await ask(via, `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, { input }, admin);
    expectRefused(answer, via, ['input.name']);
    expect(await count(`SELECT count(*)::int AS n FROM campaigns WHERE starts_with(name, $1)`, [marker])).toBe(0);
  });

  it('occurredAt 2026-02-30 in a variable is refused, not stored as 2 March; a leap day is a date', async () => {
    const id = uniqueId('evt');
    const event = { id, type: 'VIEW', userId: 'u-date', productId: sku, occurredAt: '2026-02-30T00:00:00Z' };
    expectRefused(await ask(via, RECORD, { event }, service), via, ['event.occurredAt']);
    expect(await count('SELECT count(*)::int AS n FROM events WHERE id = $1', [id])).toBe(0);
    for (const occurredAt of ['2026-04-31T10:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01T00:00:00Z']) {
      expectRefused(await ask(via, RECORD, { event: { ...event, occurredAt } }, service), via, ['event.occurredAt']);
    }
    const leap = await ask(via, RECORD, { event: { ...event, occurredAt: '2024-02-29T12:00:00Z' } }, service);
    expect(leap.errors).toBeUndefined();
    expect(leap.data.recordEvent.accepted).toBe(1);
  });

  it('occurredAt 2026-02-30 written in the document is refused as BAD_USER_INPUT', async () => {
    const id = uniqueId('evt');
    const answer = await ask(
      via,
      `mutation { recordEvent(event: { id: "${id}", type: VIEW, userId: "u-date", productId: "${sku}", occurredAt: "2026-02-30T00:00:00Z" }) { accepted } }`,
      {},
      service,
    );
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors![0].message).toMatch(/2026-02-30T00:00:00Z.*calendar/);
    if (via === 'http') expect(answer.status).toBe(400);
    expectQuietLog();
    expect(await count('SELECT count(*)::int AS n FROM events WHERE id = $1', [id])).toBe(0);
  });

  it('forged cursors on admin connections: models, inventoryAlerts, lowStockProducts, campaigns, stockMovements', async () => {
    const lists = {
      models: `query($after: String) { models(first: 5, after: $after) { edges { cursor } } }`,
      inventoryAlerts: `query($after: String) { inventoryAlerts(first: 5, after: $after) { edges { cursor } } }`,
      lowStockProducts: `query($after: String) { lowStockProducts(first: 5, after: $after) { edges { cursor } } }`,
      campaigns: `query($after: String) { campaigns(first: 5, after: $after) { edges { cursor } } }`,
      stockMovements: `query($id: ID!, $after: String) { product(id: $id) { stockMovements(first: 5, after: $after) { edges { cursor } } } }`,
    };
    const otherList = { models: alertCursor, inventoryAlerts: productCursor, lowStockProducts: alertCursor, campaigns: alertCursor, stockMovements: alertCursor };
    for (const [name, q] of Object.entries(lists)) {
      for (const after of ['AA', Buffer.from('\u0001').toString('base64url'), otherList[name as keyof typeof lists]]) {
        const answer = await ask(via, q, { id: sku, after }, admin);
        expect(answer.errors?.[0]?.extensions?.code, `${name} after ${after}: ${JSON.stringify(answer)}`).toBe('BAD_USER_INPUT');
        expectRefused(answer, via, ['after'], 200);
      }
    }
    // The cursors the lists hand out still page.
    const alerts = await ask(via, lists.inventoryAlerts, { after: alertCursor }, admin);
    expect(alerts.errors).toBeUndefined();
  });
});

describe('one input rule for subscriptions (graphql-ws)', () => {
  it('refuses campaignKpisUpdated and recommendationsUpdated with NUL', async () => {
    expectRefused(await ask('ws', `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { clicks } }`, { id: NUL }, admin), 'ws', ['id']);
    expectRefused(await ask('ws', `subscription($u: ID!) { recommendationsUpdated(userId: $u) { id } }`, { u: NUL }, service), 'ws', ['u']);
  });
});

describe.each<Via>(['http', 'ws'])('production tells nothing extra, over %s', (via) => {
  it('suggests no field, argument, input field or enum value', async () => {
    const mistakes: Array<[string, Record<string, unknown>]> = [
      ['{ prodcts(first: 1) { edges { cursor } } }', {}],
      ['{ products(frist: 1) { edges { cursor } } }', {}],
      [`mutation { recordEvent(event: { id: "e", type: VEIW, userId: "u", productId: "p" }) { accepted } }`, {}],
      [RECORD, { event: { id: 'e', type: 'VEIW', userId: 'u', productId: 'p' } }],
      [RECORD, { event: { id: 'e', type: 'VIEW', userid: 'u', productId: 'p' } }],
      [`mutation { recordEvent(event: { id: "e", type: VIEW, userid: "u", productId: "p" }) { accepted } }`, {}],
    ];
    for (const [query, variables] of mistakes) {
      const answer = await ask(via, query, variables, service);
      expect(answer.errors?.length, query).toBeGreaterThan(0);
      expect(JSON.stringify(answer.errors)).not.toMatch(/did you mean/i);
      if (via === 'http') expect(answer.status).toBe(400);
    }
    expectQuietLog();
  });
});

describe.each<Via>(['http', 'ws'])('the cost limit counts variables as literals, over %s', (via) => {
  const aliases = (first: string) =>
    Array.from({ length: 15 }, (_, i) => `a${i}: products(first: ${first}) { edges { node { id name } } }`).join(' ');

  it('refuses 15 aliases of products(first: $n) with $n = 100 as it refuses the literal', async () => {
    const literal = await ask(via, `{ ${aliases('100')} }`);
    expect(literal.errors?.[0]?.message).toMatch(/cost/i);
    const variable = await ask(via, `query($n: Int) { ${aliases('$n')} }`, { n: 100 });
    expect(variable.data ?? null).toBeNull();
    expect(variable.errors).toEqual(literal.errors);
    const byDefault = await ask(via, `query($n: Int = 100) { ${aliases('$n')} }`);
    expect(byDefault.errors).toEqual(literal.errors);
    if (via === 'http') expect([literal.status, variable.status, byDefault.status]).toEqual([400, 400, 400]);
    // A page size within the limit is served.
    const small = await ask(via, `query($n: Int) { ${aliases('$n')} }`, { n: 2 });
    expect(small.errors).toBeUndefined();
    expectQuietLog();
  });
});

describe.each<Via>(['http', 'ws'])('client mistakes are 400s with codes of their own, over %s', (via) => {
  it('a document over the token limit', async () => {
    const answer = await ask(via, `{ ${'__typename '.repeat(5001)}}`);
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(answer.errors![0].message).toMatch(/tokens/);
    if (via === 'http') expect(answer.status).toBe(400);
    expectQuietLog();
  });
});

describe('client mistakes are 400s with codes of their own, over http', () => {
  it('an automatic persisted query whose hash does not match its text', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors.map((e: any) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    expectQuietLog();
  });
});
