import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
let service: string;
let db: pg.Pool;
beforeAll(async () => {
  t = await startTestPlatform();
  service = await t.token('service');
  db = new pg.Pool({ connectionString: t.env.DATABASE_URL });
});
afterAll(async () => {
  await t.stop();
  await db.end();
});

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;

async function seedProducts(n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const prefix = uniqueId('ev');
  const products = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, name: `P${i}`, category: 'c', price: 10 + i, stock: 100, ...extra }));
  const res = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
  expect(res.errors).toBeUndefined();
  return products.map((p) => p.id);
}

async function productStats(productId: string): Promise<Record<string, string>> {
  return t.platform.redis.hgetall(t.platform.keys.productStats(productId));
}

describe('recordEvents', () => {
  it('records events once: a repeated id is a duplicate with no second effect', async () => {
    const [p] = await seedProducts(1);
    const userId = uniqueId('u');
    const event = { id: uniqueId('e'), type: 'VIEW', userId, productId: p };
    const first = await t.gql(RECORD, { events: [event] }, service);
    expect(first.data.recordEvents).toEqual({ accepted: 1, duplicates: 0 });
    await eventually(async () => (await productStats(p!)).VIEW === '1', 10_000, 'the view to reach the feature store');
    const again = await t.gql(`mutation($e: EventInput!) { recordEvent(event: $e) { accepted duplicates } }`, { e: event }, service);
    expect(again.data.recordEvent).toEqual({ accepted: 0, duplicates: 1 });
    const mixed = await t.gql(RECORD, { events: [event, { ...event, id: uniqueId('e') }] }, service);
    expect(mixed.data.recordEvents).toEqual({ accepted: 1, duplicates: 1 });
    await eventually(async () => (await productStats(p!)).VIEW === '2', 10_000, 'the second view');
    // Every outbox row so far enqueued, then a sentinel: a third view, recorded after the repeats were answered. Its
    // job is enqueued and applied after anything they could have sent down the pipeline (jobs are taken in order,
    // batches written one at a time), so once it counts, a second effect of the repeated event would count too.
    await t.platform.relay.drain();
    expect((await t.gql(RECORD, { events: [{ ...event, id: uniqueId('e') }] }, service)).data.recordEvents).toEqual({ accepted: 1, duplicates: 0 });
    await eventually(async () => Number((await productStats(p!)).VIEW) >= 3, 10_000, 'the sentinel view');
    expect((await productStats(p!)).VIEW).toBe('3');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]);
    expect(rows[0].n).toBe(3);
  });

  it('rejects a batch with bad events, naming each index and reason, and writes nothing', async () => {
    const [p] = await seedProducts(1);
    const userId = uniqueId('u');
    const events = [
      { id: uniqueId('e'), type: 'VIEW', userId, productId: p },
      { id: uniqueId('e'), type: 'CLICK', userId, productId: 'no-such-product' },
      { id: uniqueId('e'), type: 'PURCHASE', userId, productId: p, quantity: 0 },
      { id: uniqueId('e'), type: 'VIEW', userId },
      { id: uniqueId('e'), type: 'VIEW', userId, productId: p, occurredAt: new Date(Date.now() + 3600_000).toISOString() },
      { id: uniqueId('e'), type: 'IMPRESSION', userId, occurredAt: '2020-01-01T00:00:00Z' },
    ];
    const res = await t.gql(RECORD, { events }, service);
    const err = res.errors?.[0];
    expect(err?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(err?.extensions?.problems.map((p: any) => [p.index, p.field])).toEqual([
      [1, 'events.1.productId'],
      [2, 'events.2.quantity'],
      [3, 'events.3.productId'],
      [4, 'events.4.occurredAt'],
    ]);
    expect(err?.message).toMatch(/names no catalog product/);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]);
    expect(rows[0].n).toBe(0);
  });

  it('lets a shopper record only its own events; anonymous callers none', async () => {
    const [p] = await seedProducts(1);
    const shopper = await t.token('shopper', 'shopper-self');
    const own = await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: 'shopper-self', productId: p }] }, shopper);
    expect(own.data.recordEvents.accepted).toBe(1);
    const other = await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: 'someone-else', productId: p }] }, shopper);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: 'x', productId: p }] });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stores defaults (quantity 1, unit price from the catalog, occurredAt now) and keeps the cart', async () => {
    const [p, q] = await seedProducts(2);
    const userId = uniqueId('u');
    const before = Date.now();
    await t.gql(RECORD, {
      events: [
        { id: uniqueId('e'), type: 'ADD_TO_CART', userId, productId: p, quantity: 3 },
        { id: uniqueId('e'), type: 'ADD_TO_CART', userId, productId: q },
        { id: uniqueId('e'), type: 'REMOVE_FROM_CART', userId, productId: p },
      ],
    }, service);
    await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'PURCHASE', userId, productId: q }] }, service);
    const { rows } = await db.query(
      `SELECT type, quantity, unit_price::float AS price, occurred_at FROM events WHERE user_id = $1 AND type = 'PURCHASE'`,
      [userId],
    );
    expect(rows[0]).toMatchObject({ quantity: 1, price: 11 });
    expect(rows[0].occurred_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const cart = await db.query('SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id', [userId]);
    expect(cart.rows).toEqual([
      { product_id: p, quantity: 2 },
      { product_id: q, quantity: 0 },
    ]);
  });

  it('accepts a full batch of 1,000 events in one call', async () => {
    const products = await seedProducts(20);
    const userId = uniqueId('u');
    const events = Array.from({ length: 1000 }, (_, i) => ({ id: `${userId}-${i}`, type: 'VIEW', userId, productId: products[i % 20] }));
    const res = await t.gql(RECORD, { events }, service);
    expect(res.data.recordEvents).toEqual({ accepted: 1000, duplicates: 0 });
    await eventually(async () => (await productStats(products[0]!)).VIEW === '50', 15_000, 'all views applied');
  });
});
