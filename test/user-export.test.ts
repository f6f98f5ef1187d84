// Issue 23: what the platform holds about one shopper, as one JSON document streamed over HTTP to an admin: events
// in the order recorded (over several pages), cart, the stock their purchase took, the campaigns they touched and
// the purchase credited by last click, what the feature store keeps of them. Nobody but an admin may read it.
// And its erasure: the shopper gone everywhere, their events kept anonymous so that campaign KPIs stay exact.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE } from '../src/store/user-data';
import { UserErasureStore } from '../src/store/user-erasures';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

const exportOf = (userId: string, token?: string) => fetch(`${t.url}/export/users/${encodeURIComponent(userId)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Two products of `category` (price 20, stock 10) and a campaign running now. */
async function shop(category: string, admin: string): Promise<{ a: string; b: string; campaignId: string }> {
  const [a, b] = [uniqueId(category), uniqueId(category)];
  expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, {
    p: [a, b].map((id) => ({ id, name: id, category, price: 20, stock: 10 })),
  }, admin)).errors).toBeUndefined();
  const created = await t.gql(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, {
    input: { name: uniqueId('Sale'), startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), budget: 100 },
  }, admin);
  return { a, b, campaignId: created.data.createCampaign.id as string };
}

describe('shopper data export', () => {
  it('holds every event (across pages), the cart, stock taken, campaigns and features of the shopper, and nobody else’s', async () => {
    const admin = await t.token('admin');
    const service = await t.token('service');
    const { a, b, campaignId } = await shop('shoes', admin);
    const user = uniqueId('shopper');
    const other = uniqueId('shopper');
    const t0 = Date.now() - 60_000;
    // More views than one page of the export holds, then a campaign click, a cart and a purchase credited to it.
    const views = Array.from({ length: EXPORT_PAGE + 5 }, (_, i) => ({ id: uniqueId('e'), type: 'VIEW', userId: user, productId: a, occurredAt: new Date(t0 + i).toISOString() }));
    for (let i = 0; i < views.length; i += 1000) expect((await t.gql(RECORD, { events: views.slice(i, i + 1000) }, service)).data.recordEvents.accepted).toBe(Math.min(1000, views.length - i));
    const rest = [
      { id: uniqueId('e'), type: 'CLICK', userId: user, productId: b, campaignId },
      { id: uniqueId('e'), type: 'ADD_TO_CART', userId: user, productId: a, quantity: 2 },
      { id: uniqueId('e'), type: 'PURCHASE', userId: user, productId: b, quantity: 3 },
      { id: uniqueId('e'), type: 'VIEW', userId: other, productId: b },
    ];
    expect((await t.gql(RECORD, { events: rest }, service)).data.recordEvents.accepted).toBe(4);

    // Once the worker applied the purchase, the feature store has the shopper's bought set.
    const doc = await eventually(async () => {
      const res = await exportOf(user, admin);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await res.json()) as any;
      return body.features.purchasedProducts.includes(b) ? body : undefined;
    }, 15_000, 'the export to show the applied purchase');

    expect(doc.userId).toBe(user);
    expect(doc.format).toBe(1);
    expect(doc.events).toHaveLength(views.length + 3);
    expect(doc.events.map((e: any) => e.id)).toEqual([...views, ...rest.slice(0, 3)].map((e) => e.id));
    const purchase = doc.events.at(-1);
    expect(purchase).toMatchObject({ type: 'PURCHASE', productId: b, quantity: 3, attributedCampaignId: campaignId, unitPrice: 20 });
    expect(doc.cart).toEqual([{ productId: a, quantity: 2 }]);
    expect(doc.stockMovements).toEqual([expect.objectContaining({ productId: b, delta: -3, eventId: rest[2]!.id })]);
    expect(doc.campaigns).toEqual([{ campaignId, events: 1, attributedPurchases: 1 }]);
    expect(doc.features.recentItems).toEqual(expect.arrayContaining([a, b]));
    expect(doc.features.interactedProducts).toEqual([a, b].sort());
    expect(doc.features.categoryAffinity).toHaveProperty('shoes');
    expect(JSON.stringify(doc)).not.toContain(other);
  });

  it('is refused without an admin token, and names a bad user id', async () => {
    expect((await exportOf('someone')).status).toBe(401);
    expect((await exportOf('someone', await t.token('shopper', 'someone'))).status).toBe(403);
    const bad = await exportOf(' ', await t.token('admin'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

/** What a recount of the campaign reads: its events (named or credited), their quantities, and how many users. */
async function campaignRows(campaignId: string): Promise<{ events: number; quantity: number; users: number }> {
  const pool = new pg.Pool({ connectionString: t.env.DATABASE_URL, max: 1 });
  try {
    const { rows } = await pool.query(
      'SELECT count(*)::int AS events, sum(quantity)::int AS quantity, count(DISTINCT user_id)::int AS users FROM events WHERE campaign_id = $1 OR attributed_campaign_id = $1',
      [campaignId],
    );
    return rows[0];
  } finally {
    await pool.end();
  }
}

const ERASE = `mutation($u: ID!, $r: String!) { eraseUser(userId: $u, reason: $r) { id reason requestedBy completedAt eventsAnonymised cartItemsRemoved redisKeysRemoved } }`;

describe('shopper erasure', () => {
  it('removes the shopper everywhere, keeps campaign KPIs exact, and is idempotent', async () => {
    const admin = await t.token('admin', 'dpo');
    const service = await t.token('service');
    const { a, b, campaignId } = await shop('bags', admin);
    const user = uniqueId('shopper');
    const events = [
      { id: uniqueId('e'), type: 'VIEW', userId: user, productId: a, sessionId: uniqueId('s') },
      { id: uniqueId('e'), type: 'CLICK', userId: user, productId: b, campaignId },
      { id: uniqueId('e'), type: 'ADD_TO_CART', userId: user, productId: a },
      { id: uniqueId('e'), type: 'PURCHASE', userId: user, productId: b, quantity: 2 },
    ];
    expect((await t.gql(RECORD, { events }, service)).data.recordEvents.accepted).toBe(4);
    const kpis = async () => (await t.gql(`query($id: ID!) { campaign(id: $id) { kpis { clicks conversions revenue } } }`, { id: campaignId }, admin)).data.campaign.kpis;
    const applied = await eventually(async () => {
      const k = await kpis();
      return k.conversions === 1 ? k : undefined;
    }, 15_000, 'the purchase to be applied');
    await eventually(async () => ((await (await exportOf(user, admin)).json()) as any).features.purchasedProducts.includes(b), 15_000, 'the features');

    const rowsBefore = await campaignRows(campaignId);
    expect(rowsBefore).toEqual({ events: 2, quantity: 3, users: 1 });
    const first = await t.gql(ERASE, { u: user, r: 'Art. 17 request #42' }, admin);
    expect(first.errors).toBeUndefined();
    expect(first.data.eraseUser).toMatchObject({ reason: 'Art. 17 request #42', requestedBy: 'dpo', eventsAnonymised: 4, cartItemsRemoved: 1 });
    expect(first.data.eraseUser.redisKeysRemoved).toBeGreaterThanOrEqual(5);
    expect(first.data.eraseUser.completedAt).not.toBeNull();

    const doc = (await (await exportOf(user, admin)).json()) as any;
    expect(doc.events).toEqual([]);
    expect(doc.cart).toEqual([]);
    expect(doc.stockMovements).toEqual([]);
    expect(doc.campaigns).toEqual([]);
    expect(doc.features).toEqual({ recentItems: [], categoryAffinity: {}, interactedProducts: [], purchasedProducts: [] });
    // The campaign's live counts stay, and so do the rows a recount reads (anonymous now).
    expect(await kpis()).toEqual(applied);
    expect(await campaignRows(campaignId)).toEqual(rowsBefore);

    const again = await t.gql(ERASE, { u: user, r: 'retry' }, admin);
    expect(again.data.eraseUser).toMatchObject({ eventsAnonymised: 0, cartItemsRemoved: 0, redisKeysRemoved: 0 });
    expect(again.data.eraseUser.completedAt).not.toBeNull();
    // No list is computed from the erased history: nothing seeds it but popularity.
    const reasons = (await t.gql(`query($u: ID!) { recommendations(userId: $u) { items { reason } } }`, { u: user }, admin)).data.recommendations.items.map((i: any) => i.reason);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.filter((r: string) => r !== 'Popular right now')).toEqual([]);
  });

  it('is for admins only, and names an empty reason', async () => {
    const asShopper = await t.gql(ERASE, { u: 'x', r: 'r' }, await t.token('shopper', 'x'));
    expect(asShopper.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const empty = await t.gql(ERASE, { u: 'x', r: ' ' }, await t.token('admin'));
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(empty.errors?.[0]?.message).toContain('reason');
  });
});

describe('erasure sweep (the workers’)', () => {
  it('finishes an erasure interrupted after its Postgres part, and deletes the keys once more when settling', async () => {
    const { prisma, redis, keys, services } = t.platform;
    const store = new UserErasureStore(prisma, redis, keys);
    const user = uniqueId('shopper');
    await redis.zadd(keys.userItems(user), Date.now(), 'p1');
    // As if the request died between the two parts (Redis away, a crash).
    const id = uniqueId('erasure');
    await store.erasePostgres({ id, userId: user, subjectHash: uniqueId('h'), pseudonym: uniqueId('erased'), reason: 'test', requestedBy: 'dpo' });
    expect(await redis.exists(keys.userItems(user))).toBe(1);
    // Not yet: a request may still be finishing it.
    await services.userErasure.sweep(Date.now());
    expect((await store.get(id))?.completedAt).toBeNull();

    expect(await services.userErasure.sweep(Date.now() + 61_000)).toBeGreaterThanOrEqual(1);
    expect(await redis.exists(keys.userItems(user))).toBe(0);
    const completed = await store.get(id);
    expect(completed?.completedAt).not.toBeNull();
    expect(completed?.redisKeysRemoved).toBe(1);

    // A worker that had read the shopper's events before they were anonymised writes their features again.
    await redis.zadd(keys.userItems(user), Date.now(), 'p2');
    await services.userErasure.sweep(Date.now() + 2 * 61_000);
    expect(await redis.exists(keys.userItems(user))).toBe(0);
    expect((await store.get(id))?.redisKeysRemoved).toBe(2);
    const row = await prisma.userErasure.findUnique({ where: { id } });
    expect(row?.settledAt).not.toBeNull();
    expect(row?.pendingKeys).toEqual([]);
  });
});
