// recommendationsUpdated reads the user's cart again only when the user's events may have changed it: these
// pushes must still follow every cart change, and keep the cart between other events. After its first list a
// live list filters with the feature store's exclusion sets and the API's ProductCache, not Postgres: these
// pushes must still leave out what the shopper saw or bought and what ran out, and show current stock and names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../src/store/keys';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;
const LIVE = `subscription($userId: ID!) { recommendationsUpdated(userId: $userId) { items { product { id } reason } } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

/** Four products named `${name} 0`…`${name} 3`; two other shoppers link item 0 with item 1, and item 2 with item 3. */
async function linkedPairs(prefix: string, name: string): Promise<(i: number) => string> {
  const id = (i: number) => `${prefix}-${i}`;
  const products = [0, 1, 2, 3].map((i) => ({ id: id(i), name: `${name} ${i}`, category: 'c', price: 5, stock: 10 }));
  const upserted = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
  expect(upserted.errors).toBeUndefined();
  const others = [uniqueId('other'), uniqueId('other')];
  const history = [0, 1, 2, 3].map((i) => ({ id: uniqueId('e'), type: 'VIEW', userId: others[i >> 1], productId: id(i) }));
  expect((await t.gql(RECORD, { events: history }, await t.token('service'))).data.recordEvents.accepted).toBe(4);
  return id;
}

describe('live recommendations and the cart', () => {
  it('follows each cart change, and keeps the cart across views', async () => {
    const id = await linkedPairs(uniqueId('cart'), 'Item');
    const service = await t.token('service');

    const user = uniqueId('shopper');
    const sub = collect(t.ws(await t.token('shopper', user)), LIVE, { userId: user });
    await sub.until((r) => r.length >= 1);
    const reasonOf = (r: any, i: number) => r.data?.recommendationsUpdated.items.find((x: any) => x.product.id === id(i))?.reason;
    const record = (type: string, i: number) => t.gql(RECORD, { events: [{ id: uniqueId('e'), type, userId: user, productId: id(i) }] }, service);

    await record('ADD_TO_CART', 0);
    await sub.until((rs) => reasonOf(rs.at(-1), 1) === 'Goes with Item 0 in your cart');
    await record('VIEW', 2);
    // A view does not change the cart: the push that shows it still names the cart.
    const afterView = await sub.until((rs) => reasonOf(rs.at(-1), 3) === 'Viewed together with Item 2');
    expect(reasonOf(afterView.at(-1), 1)).toBe('Goes with Item 0 in your cart');
    await record('REMOVE_FROM_CART', 0);
    const afterRemove = await sub.until((rs) => reasonOf(rs.at(-1), 1) === 'Viewed together with Item 0');
    expect(reasonOf(afterRemove.at(-1), 3)).toBe('Viewed together with Item 2');
    sub.unsubscribe();
  });

  it('filters later pushes from the feature store and the cache: interactions, purchases, stock-outs, current stock and names', async () => {
    const prefix = uniqueId('cache');
    const id = (i: number) => `${prefix}-${i}`;
    const admin = await t.token('admin');
    const service = await t.token('service');
    const products = [0, 1, 2, 3, 4].map((i) => ({ id: id(i), name: `Thing ${i}`, category: 'c', price: 5, stock: 10 }));
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin)).errors).toBeUndefined();
    // Another shopper links item 0 with every other item.
    const other = uniqueId('other');
    const history = [0, 1, 2, 3, 4].map((i) => ({ id: uniqueId('e'), type: 'VIEW', userId: other, productId: id(i) }));
    expect((await t.gql(RECORD, { events: history }, service)).data.recordEvents.accepted).toBe(5);

    const user = uniqueId('shopper');
    const live = `subscription($userId: ID!) { recommendationsUpdated(userId: $userId) { items { product { id name stock } reason } } }`;
    const sub = collect(t.ws(await t.token('shopper', user)), live, { userId: user });
    await sub.until((r) => r.length >= 1);
    const items = (r: any): Array<{ product: { id: string; name: string; stock: number }; reason: string }> => r.data?.recommendationsUpdated.items ?? [];
    const ids = (r: any) => items(r).map((x) => x.product.id).filter((p) => p.startsWith(prefix)).sort();
    const record = (type: string, i: number, quantity = 1) =>
      t.gql(RECORD, { events: [{ id: uniqueId('e'), type, userId: user, productId: id(i), quantity }] }, service);
    const pushes = () => sub.results.length;

    // Items 1-4 come in as neighbours of item 0; item 0 itself, now seen, never does.
    await record('VIEW', 0);
    await sub.until((rs) => ids(rs.at(-1)).length === 4);
    expect(ids(sub.results.at(-1))).toEqual([id(1), id(2), id(3), id(4)]);

    // Bought: gone from the next pushes (also with excludeInteracted: false it would be: bought is never shown).
    await record('PURCHASE', 1, 3);
    await sub.until((rs) => !ids(rs.at(-1)).includes(id(1)) && ids(rs.at(-1)).length === 3);

    // Stock read from Postgres for cached products: another shopper's purchase shows in the next push.
    await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'PURCHASE', userId: other, productId: id(2), quantity: 4 }] }, service);
    await eventually(async () => (await t.gql(`{ product(id: "${id(2)}") { stock } }`, {}, admin)).data.product.stock === 6);
    const before = pushes();
    await record('IMPRESSION', 0);
    await sub.until((rs) => rs.length > before);
    expect(items(sub.results.at(-1)).find((x) => x.product.id === id(2))?.product.stock).toBe(6);

    // A stock-out removes the product from the next push, a restock brings it back.
    expect((await t.gql(`mutation { setStock(productId: "${id(3)}", stock: 0) { stock } }`, {}, admin)).errors).toBeUndefined();
    await sub.until((rs) => !ids(rs.at(-1)).includes(id(3)));
    expect(ids(sub.results.at(-1))).toEqual([id(2), id(4)]);
    expect((await t.gql(`mutation { setStock(productId: "${id(3)}", stock: 5) { stock } }`, {}, admin)).errors).toBeUndefined();
    await sub.until((rs) => ids(rs.at(-1)).includes(id(3)));

    // A rename reaches the cache: the next push names the product anew.
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { updated } }`, { p: [{ ...products[4], name: 'Renamed' }] }, admin)).errors).toBeUndefined();
    await eventually(async () => {
      const n = pushes();
      await record('IMPRESSION', 0);
      await sub.until((rs) => rs.length > n);
      return items(sub.results.at(-1)).find((x) => x.product.id === id(4))?.product.name === 'Renamed';
    }, 5000, 'the new name in a push');
    sub.unsubscribe();
  });

  it('reloads the out-of-stock set from Postgres, so a lost stock message costs at most one reload interval', async () => {
    const cache = t.platform.services.productCache;
    await cache.ready();
    const product = uniqueId('lost');
    const admin = await t.token('admin');
    // Creating it in stock is itself news ("in stock", through the outbox and a worker): wait until it has been
    // delivered, or it could arrive during the reload below and be replayed over the reloaded set.
    const listener = t.platform.redis.duplicate();
    const announced = new Promise<void>((resolve) =>
      listener.on('message', (_channel: string, message: string) => {
        if ((JSON.parse(message) as { productId: string }).productId === product) resolve();
      }),
    );
    await listener.subscribe(t.platform.keys.channel(topics.allUsers()));
    const p = [{ id: product, name: 'Lost', category: 'c', price: 1, stock: 5 }];
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p }, admin)).errors).toBeUndefined();
    await announced;
    await listener.quit();
    expect(cache.inStock(product)).toBe(true);
    // A change no message announced (as if the message were lost).
    await t.platform.db.pool.query('UPDATE products SET stock = 0 WHERE id = $1', [product]);
    expect(cache.inStock(product)).toBe(true);
    // (The platform's own subscriber may receive that news a moment after the listener above; a reload it lands
    // in replays it, and the next reload settles it.)
    await eventually(async () => {
      await cache.reload();
      return !cache.inStock(product);
    }, 5000, 'a reload to find the product out of stock');
  });

  it('takes the newest announced state: an older announcement arriving late brings no push of its own', async () => {
    const id = await linkedPairs(uniqueId('ann'), 'Ann');
    const service = await t.token('service');
    await eventually(async () => (await t.gql(`{ similarProducts(productId: "${id(2)}") { product { id } } }`, {}, service)).data.similarProducts.length > 0);

    // A second shopper, watched on the same instance: the platform hears both users' announcements on one Redis
    // connection, in the order they were published.
    const [user, other] = [uniqueId('shopper'), uniqueId('shopper')];
    const sub = collect(t.ws(await t.token('shopper', user)), LIVE, { userId: user });
    const otherSub = collect(t.ws(await t.token('shopper', other)), LIVE, { userId: other });
    await Promise.all([sub.until((r) => r.length >= 1), otherSub.until((r) => r.length >= 1)]);
    const reasons = (r: any): string[] => r.data?.recommendationsUpdated.items.map((x: any) => x.reason) ?? [];
    const announce = (who: string, v: string, recent: string[]) =>
      t.platform.redis.publish(t.platform.keys.channel(topics.userFeatures(who)), JSON.stringify({ v, cart: false, recent, affinity: [], seen: recent, bought: [] }));

    await announce(user, '2000000000000002', [id(0)]);
    await sub.until((rs) => reasons(rs.at(-1)).includes('Viewed together with Ann 0'));
    const before = sub.results.length;
    // Older than the one taken: to be ignored. The other shopper's push, announced after it, says the platform has
    // heard it (and started any list it would bring, which reads its state at once).
    await announce(user, '2000000000000001', [id(2)]);
    await announce(other, '2000000000000001', [id(2)]);
    await otherSub.until((rs) => rs.some((r) => reasons(r).includes('Viewed together with Ann 2')));
    // A newer one is what the next push shows; a list of the older state, computed first, would have come before it.
    await announce(user, '2000000000000003', [id(1)]);
    await sub.until((rs) => rs.slice(before).some((r) => reasons(r).includes('Viewed together with Ann 1')));
    expect(sub.results.slice(before).map(reasons)).toEqual([expect.arrayContaining(['Viewed together with Ann 1'])]);
    expect(reasons(sub.results.at(-1))).not.toContain('Viewed together with Ann 2');
    otherSub.unsubscribe();
    sub.unsubscribe();
  });
});
