// Kept recommendation lists (issue 22): a repeated `recommendations` query is answered with the list kept from the
// last one while its inputs did not change, and computed again as soon as one did: the user's event (from its
// commit on), a listed product's stock-out. The store keeps a list only at the version it was computed at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventUnitOfWork } from '../src/store/event-unit-of-work';
import { FeatureWrites } from '../src/store/feature-writes';
import { RedisKeys } from '../src/store/keys';
import { ListCache, type KeptList } from '../src/store/list-cache';
import { createRedis } from '../src/store/redis';
import { deleteRedisPrefix } from './support/redis-cleanup';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;
const LIST = `query($u: ID!, $limit: Int) { recommendations(userId: $u, limit: $limit) { id generatedAt model items { product { id name } reason } } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

/** Products `${prefix}-0`…`-3`; another shopper links item 0 with item 1 and item 2 with item 3. */
async function catalog(): Promise<(i: number) => string> {
  const prefix = uniqueId('lc');
  const id = (i: number) => `${prefix}-${i}`;
  const products = [0, 1, 2, 3].map((i) => ({ id: id(i), name: `Thing ${i}`, category: 'c', price: 5, stock: 10 }));
  expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'))).errors).toBeUndefined();
  const other = uniqueId('other');
  const history = [0, 1, 2, 3].map((i) => ({ id: uniqueId('e'), type: 'VIEW', userId: other, productId: id(i) }));
  expect((await t.gql(RECORD, { events: history }, await t.token('service'))).data.recordEvents.accepted).toBe(4);
  return id;
}

async function kept(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(text.match(/^recommendation_lists_total\{path="kept"\} (\S+)$/m)?.[1] ?? 0);
}

describe('kept recommendation lists', () => {
  it('answers a repeated query with the kept list, and computes again from the commit of the user’s next event', async () => {
    const id = await catalog();
    const user = uniqueId('shopper');
    const token = await t.token('shopper', user);
    const service = await t.token('service');
    const view = (i: number) => t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: user, productId: id(i) }] }, service);
    const list = async (limit = 10) => {
      const res = await t.gql(LIST, { u: user, limit }, token);
      expect(res.errors).toBeUndefined();
      return res.data.recommendations as { id: string; generatedAt: string; items: Array<{ product: { id: string }; reason: string }> };
    };

    await view(0);
    // Once the worker applied the view, the list follows it; asked twice, until the second answer is the first's
    // list kept (one computed across the worker's apply of the view is not kept).
    const first = await eventually(async () => {
      const [a, b] = [await list(), await list()];
      const follows = b.items.some((i) => i.product.id === id(1) && i.reason === 'Viewed together with Thing 0');
      return follows && a.generatedAt === b.generatedAt ? b : undefined;
    }, 10_000, 'a kept list that follows the view');
    const before = await kept();
    const again = await list();
    expect(again.generatedAt).toBe(first.generatedAt);
    expect(again.items).toEqual(first.items);
    expect(again.items.length).toBeGreaterThan(0);
    expect(again.id).not.toBe(first.id);
    expect(await kept()).toBe(before + 1);
    // Other arguments are another list.
    expect((await list(3)).generatedAt).not.toBe(first.generatedAt);

    // Asked right after the answer, before any worker applied it: the viewed product is out already.
    await view(1);
    const after = await list();
    expect(after.generatedAt).not.toBe(first.generatedAt);
    expect(after.items.map((i) => i.product.id)).not.toContain(id(1));
  });

  it('keeps the list a live push computed, for the queries that follow', async () => {
    const id = await catalog();
    const user = uniqueId('shopper');
    const token = await t.token('shopper', user);
    const query = async () => (await t.gql(LIST, { u: user }, token)).data.recommendations as { generatedAt: string };
    // A query first: the user has a list version from then on.
    await query();
    const sub = collect(t.ws(token), `subscription($u: ID!) { recommendationsUpdated(userId: $u) { generatedAt items { product { id } reason } } }`, { u: user });
    await sub.until((r) => r.length >= 1);
    await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: user, productId: id(0) }] }, await t.token('service'));
    const pushes = await sub.until((rs) => rs.some((r) => r.data?.recommendationsUpdated.items.some((i: any) => i.product.id === id(1) && i.reason === 'Viewed together with Thing 0')));
    const pushed = pushes.at(-1)!.data.recommendationsUpdated.generatedAt;
    await eventually(async () => (await query()).generatedAt === pushed, 10_000, 'the query to be answered with the pushed list');
    sub.unsubscribe();
  });

  it('computes again when a listed product runs out of stock', async () => {
    const id = await catalog();
    const user = uniqueId('shopper');
    const token = await t.token('shopper', user);
    await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: user, productId: id(2) }] }, await t.token('service'));
    const list = async () => (await t.gql(LIST, { u: user }, token)).data.recommendations as { generatedAt: string; items: Array<{ product: { id: string } }> };
    const ids = async () => (await list()).items.map((i) => i.product.id);
    // Until a list showing the neighbour is kept: one computed across the worker's apply of the view is not.
    await eventually(async () => {
      const [a, b] = [await list(), await list()];
      return a.generatedAt === b.generatedAt && b.items.some((i) => i.product.id === id(3));
    }, 10_000, 'a kept list showing the neighbour');
    // A stock-out reaches the API's product cache by its message.
    expect((await t.gql(`mutation($id: ID!) { setStock(productId: $id, stock: 0) { stock } }`, { id: id(3) }, await t.token('admin'))).errors).toBeUndefined();
    await eventually(async () => !(await ids()).includes(id(3)), 10_000, 'the stock-out to leave the list');
  });
});

describe('ListCache', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(url, 'list-cache-test');
  const keysPrefix = uniqueId('lc-test');
  const cache = new ListCache(redis, new RedisKeys(keysPrefix), 60);
  afterAll(async () => {
    await deleteRedisPrefix(url, keysPrefix);
    await redis.quit();
  });
  const entry = (v: number): KeptList => ({ v, at: Date.now(), source: '|realtime', model: 'co-occurrence', variant: null, items: [{ id: 'p1', score: 1, reason: 'r' }] });

  it('keeps a list only at the version it was computed at', async () => {
    const user = uniqueId('u');
    const { version, kept: none } = await cache.read(user, 'f');
    expect(none).toBeNull();
    // The user's events were committed while the list was computed: it is not kept.
    await cache.invalidate([user]);
    expect(await cache.keep(user, 'f', entry(version))).toBe(false);
    expect((await cache.read(user, 'f')).kept).toBeNull();
    const now = await cache.read(user, 'f');
    expect(now.version).toBe(version + 1);
    expect(await cache.keep(user, 'f', entry(now.version))).toBe(true);
    expect((await cache.read(user, 'f')).kept?.v).toBe(now.version);
  });

  it('is bumped by the worker transaction that applies the user’s events', async () => {
    const keys = new RedisKeys(keysPrefix);
    const unit = new EventUnitOfWork(keys, { features: new FeatureWrites(keys) });
    const [asked, never] = [uniqueId('u'), uniqueId('u')];
    await cache.read(asked, 'f');
    const event = (userId: string) => ({
      id: uniqueId('e'), type: 'VIEW' as const, userId, sessionId: null, productId: 'p1', category: 'c',
      campaignId: null, attributedCampaignId: null, recommendationId: null, quantity: 1, unitPrice: null, occurredAt: Date.now(),
    });
    expect((await unit.apply(redis, [{ jobId: uniqueId('job'), events: [event(asked), event(never)] }])).applied).toBe(1);
    expect((await cache.read(asked, 'f')).version).toBe(1);
    expect(await redis.hget(keys.listVersion(never), 'v')).toBeNull();
  });

  it('bumps only the versions that exist: a shopper nobody asked a list of gets none', async () => {
    const [asked, never] = [uniqueId('u'), uniqueId('u')];
    await cache.read(asked, 'f');
    await cache.invalidate([asked, never, asked]);
    expect(await redis.hget(new RedisKeys(keysPrefix).listVersion(never), 'v')).toBeNull();
    expect((await cache.read(asked, 'f')).version).toBe(2);
  });
});
