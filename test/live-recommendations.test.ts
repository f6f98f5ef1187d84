// recommendationsUpdated reads the user's cart again only when the user's events may have changed it: these
// pushes must still follow every cart change, and keep the cart between other events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;
const LIVE = `subscription($userId: ID!) { recommendationsUpdated(userId: $userId) { items { product { id } reason } } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

describe('live recommendations and the cart', () => {
  it('follows each cart change, and keeps the cart across views', async () => {
    const prefix = uniqueId('cart');
    const id = (i: number) => `${prefix}-${i}`;
    const admin = await t.token('admin');
    const service = await t.token('service');
    const products = [0, 1, 2, 3].map((i) => ({ id: id(i), name: `Item ${i}`, category: 'c', price: 5, stock: 10 }));
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin)).errors).toBeUndefined();
    // Two other shoppers link item 0 with item 1, and item 2 with item 3.
    const others = [uniqueId('other'), uniqueId('other')];
    const history = [0, 1, 2, 3].map((i) => ({ id: uniqueId('e'), type: 'VIEW', userId: others[i >> 1], productId: id(i) }));
    expect((await t.gql(RECORD, { events: history }, service)).data.recordEvents.accepted).toBe(4);

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
});
