// Session-aware lists over the real API, on a planted session structure: in other shoppers' sessions, C comes
// before A more often than B comes after it, so co-occurrence alone puts C first after a click on A; what is
// touched *after* A (sequential rules) must put B first. And with `excludeInteracted: false`, the items the
// shopper just touched come back, the last one first; what was bought never does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;
const RECOMMEND = `query($u: ID!, $x: Boolean) { recommendations(userId: $u, limit: 10, excludeInteracted: $x) { items { product { id } reason } } }`;
const LIVE = `subscription($u: ID!) { recommendationsUpdated(userId: $u, limit: 10, excludeInteracted: false) { items { product { id } reason } } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

/** A catalog of `names`, each `${prefix}-${name}`. */
async function catalog(prefix: string, names: string[]): Promise<(name: string) => string> {
  const id = (name: string) => `${prefix}-${name}`;
  const products = names.map((n) => ({ id: id(n), name: `Item ${n}`, category: 'c', price: 5, stock: 100 }));
  const res = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
  expect(res.errors).toBeUndefined();
  return id;
}

/** Sessions of other shoppers, as views one second apart an hour ago, plus `extra` events: one batch, so that
 * the worker applies them together (no list can see half of them). */
function sessions(prefix: string, plan: string[][], id: (n: string) => string) {
  const start = Date.now() - 3600_000;
  return plan.flatMap((items, s) =>
    items.map((n, i) => ({
      id: uniqueId('e'),
      type: 'VIEW',
      userId: `${prefix}-other-${s}`,
      sessionId: `${prefix}-s-${s}`,
      productId: id(n),
      occurredAt: new Date(start + s * 60_000 + i * 1000).toISOString(),
    })),
  );
}

const ids = (r: any) => r.items.map((i: any) => i.product.id);

describe('session-aware recommendations', () => {
  it('rank what is touched after the last click above what merely shares sessions with it', async () => {
    const prefix = uniqueId('seq');
    const id = await catalog(prefix, ['a', 'b', 'c']);
    const plan = [...Array.from({ length: 6 }, () => ['c', 'a', 'b']), ...Array.from({ length: 4 }, () => ['c', 'a'])];
    const shopper = uniqueId('shopper');
    const click = { id: uniqueId('e'), type: 'CLICK', userId: shopper, sessionId: uniqueId('visit'), productId: id('a') };
    expect((await t.gql(RECORD, { events: [...sessions(prefix, plan, id), click] }, await t.token('service'))).data.recordEvents.accepted).toBe(27);

    const service = await t.token('service');
    const list = await eventually(async () => {
      const r = (await t.gql(RECOMMEND, { u: shopper, x: true }, service)).data?.recommendations;
      return r && ids(r).length >= 2 && r;
    }, 10_000, 'a list from the applied events');
    // Co-occurrence alone: c 10/10, b 6/10. With what follows a: b 6/10 + 6/6.
    expect(ids(list).slice(0, 2)).toEqual([id('b'), id('c')]);
    expect(ids(list)).not.toContain(id('a'));

    // The same through a live list (the API's caches rather than one Redis script), with repeats: a leads.
    const sub = collect(t.ws(service), LIVE, { u: shopper });
    const [first] = await sub.until((rs) => rs.length >= 1);
    expect(ids(first!.data!.recommendationsUpdated).slice(0, 3)).toEqual([id('a'), id('b'), id('c')]);
    // A push after the first: the shopper now views b, which leads; a comes back second (a repeat, further back).
    await t.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: shopper, sessionId: click.sessionId, productId: id('b') }] }, service);
    const pushed = await sub.until((rs) => ids(rs.at(-1)!.data!.recommendationsUpdated)[0] === id('b'));
    const items = pushed.at(-1)!.data!.recommendationsUpdated.items;
    expect(items[0].reason).toBe('You looked at this recently');
    expect(ids({ items })).toContain(id('a'));
    sub.unsubscribe();
  });

  it('list the items just touched with excludeInteracted: false, the last first, never a bought one', async () => {
    const prefix = uniqueId('rep');
    const id = await catalog(prefix, ['x', 'y', 'z', 'w']);
    const shopper = uniqueId('shopper');
    const visit = uniqueId('visit');
    const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000).toISOString();
    const events = [
      ...sessions(prefix, [['x', 'w'], ['y', 'w']], id),
      { id: uniqueId('e'), type: 'VIEW', userId: shopper, sessionId: visit, productId: id('x'), occurredAt: at(0) },
      { id: uniqueId('e'), type: 'PURCHASE', userId: shopper, sessionId: visit, productId: id('z'), occurredAt: at(1) },
      { id: uniqueId('e'), type: 'VIEW', userId: shopper, sessionId: visit, productId: id('y'), occurredAt: at(2) },
    ];
    const service = await t.token('service');
    expect((await t.gql(RECORD, { events }, service)).data.recordEvents.accepted).toBe(7);
    const repeats = await eventually(async () => {
      const r = (await t.gql(RECOMMEND, { u: shopper, x: false }, service)).data?.recommendations;
      return r && ids(r)[0] === id('y') && r;
    }, 10_000, 'the last item first');
    expect(repeats.items[0].reason).toBe('You looked at this recently');
    expect(ids(repeats)).toContain(id('x'));
    expect(ids(repeats)).toContain(id('w'));
    expect(ids(repeats)).not.toContain(id('z'));
    // The default leaves out everything touched, as before.
    const fresh = (await t.gql(RECOMMEND, { u: shopper, x: true }, service)).data.recommendations;
    expect(ids(fresh)[0]).toBe(id('w'));
    for (const n of ['x', 'y', 'z']) expect(ids(fresh)).not.toContain(id(n));
  });
});
