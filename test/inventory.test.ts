import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, startTestPlatform, uniqueId, whenSubscribed, type TestPlatform } from './support/platform';

let t: TestPlatform;
let admin: string;
let service: string;
let db: pg.Pool;
beforeAll(async () => {
  t = await startTestPlatform();
  admin = await t.token('admin', 'ops-1');
  service = await t.token('service');
  db = new pg.Pool({ connectionString: t.env.DATABASE_URL });
});
afterAll(async () => {
  await t.stop();
  await db.end();
});

const ALERTS = `subscription($ids: [ID!], $category: String) {
  lowStockAlert(productIds: $ids, category: $category) { id kind stock threshold shortfall product { id stock } }
}`;
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;

async function product(extra: Record<string, unknown> = {}): Promise<string> {
  const id = uniqueId('inv');
  const res = await t.gql(
    `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`,
    { p: [{ id, name: `Product ${id}`, category: 'inv-cat', price: 10, ...extra }] },
    admin,
  );
  expect(res.errors).toBeUndefined();
  return id;
}

describe('stock under concurrent purchases', () => {
  it('200 purchases against stock 150 leave 0, with exactly one LOW_STOCK and one OUT_OF_STOCK alert', async () => {
    const id = await product({ stock: 150, lowStockThreshold: 10 });
    // An alert feed pushes nothing at first: the platform's count of started subscriptions says when it listens.
    const sub = await whenSubscribed(t, () => collect(t.ws(admin), ALERTS, { ids: [id] }));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.gql(RECORD, { e: [{ id: `${id}-buy-${i}`, type: 'PURCHASE', userId: `buyer-${i}`, productId: id }] }, service),
      ),
    );
    expect(results.every((r) => r.data?.recordEvents.accepted === 1)).toBe(true);
    const alerts = await sub.until((r) => r.length >= 2, 10_000);
    expect(alerts[0]!.data.lowStockAlert).toMatchObject({ kind: 'LOW_STOCK', stock: 10, threshold: 10, shortfall: 0 });
    // The 150th purchase took the last unit: nothing went uncovered.
    expect(alerts[1]!.data.lowStockAlert).toMatchObject({ kind: 'OUT_OF_STOCK', stock: 0, shortfall: 0 });

    const stock = await db.query('SELECT stock FROM products WHERE id = $1', [id]);
    expect(stock.rows[0].stock).toBe(0);
    const ledger = await db.query(
      `SELECT count(*)::int AS n, sum(delta)::int AS total FROM stock_movements WHERE product_id = $1 AND kind = 'PURCHASE'`,
      [id],
    );
    const events = await db.query(`SELECT count(*)::int AS n FROM events WHERE product_id = $1 AND type = 'PURCHASE'`, [id]);
    expect(ledger.rows[0]).toEqual({ n: 200, total: -150 });
    expect(events.rows[0].n).toBe(200);
    const stored = await t.gql(`{ inventoryAlerts(first: 10) { edges { node { kind product { id } } } } }`, {}, admin);
    expect(stored.data.inventoryAlerts.edges.filter((e: any) => e.node.product.id === id).map((e: any) => e.node.kind)).toEqual([
      'OUT_OF_STOCK',
      'LOW_STOCK',
    ]);

    // A sentinel: a restock, committed after every purchase was answered, so its alert is handed to the relay,
    // enqueued, published (one job at a time) and pushed after any alert the purchases raised. Once it is here,
    // every push of the purchases' alerts is too: exactly the two above.
    expect((await t.gql(`mutation($id: ID!) { setStock(productId: $id, stock: 50) { stock } }`, { id }, admin)).errors).toBeUndefined();
    await sub.until((r) => r.some((x) => x.data?.lowStockAlert.kind === 'BACK_IN_STOCK'), 10_000);
    expect(sub.results.map((r) => r.data.lowStockAlert.kind)).toEqual(['LOW_STOCK', 'OUT_OF_STOCK', 'BACK_IN_STOCK']);
    sub.unsubscribe();
  });
});

describe('restocking', () => {
  it('sends BACK_IN_STOCK, returns the product to recommendations, and alerts again on the next drop', async () => {
    const prefix = uniqueId('rs');
    const ids = [`${prefix}-a`, `${prefix}-b`];
    await t.gql(
      `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`,
      { p: ids.map((id) => ({ id, name: id, category: prefix, price: 5, stock: 3, lowStockThreshold: 1 })) },
      admin,
    );
    // Another shopper links a and b; our shopper viewed a.
    await t.gql(RECORD, { e: ids.map((p, i) => ({ id: `${prefix}-o${i}`, type: 'VIEW', userId: `${prefix}-other`, productId: p })) }, service);
    const user = `${prefix}-me`;
    await t.gql(RECORD, { e: [{ id: `${prefix}-me0`, type: 'VIEW', userId: user, productId: ids[0] }] }, service);
    const recs = async () =>
      (await t.gql(`query($u: ID!) { recommendations(userId: $u) { items { product { id } } } }`, { u: user }, service)).data
        .recommendations.items.map((i: any) => i.product.id) as string[];
    await eventually(async () => (await recs()).includes(ids[1]!), 10_000, 'b recommended');

    const alerts = await whenSubscribed(t, () => collect(t.ws(admin), ALERTS, { category: prefix }));
    const live = collect(t.ws(service), `subscription($u: ID!) { recommendationsUpdated(userId: $u) { items { product { id } } } }`, { u: user });
    await live.until((r) => r.length >= 1);
    const shown = (r: any) => r.data.recommendationsUpdated.items.map((i: any) => i.product.id);

    const out = await t.gql(`mutation($id: ID!) { setStock(productId: $id, stock: 0) { stock } }`, { id: ids[1] }, admin);
    expect(out.data.setStock.stock).toBe(0);
    await alerts.until((r) => r.length >= 2);
    expect(alerts.results.map((r) => r.data.lowStockAlert.kind)).toEqual(['LOW_STOCK', 'OUT_OF_STOCK']);
    // Subscribers whose list held b get a list without it.
    await live.until((r) => r.length >= 2 && !shown(r.at(-1)).includes(ids[1]));
    expect(await recs()).not.toContain(ids[1]);

    const back = await t.gql(`mutation($id: ID!) { adjustStock(productId: $id, delta: 5, reason: "delivery") { stock } }`, { id: ids[1] }, admin);
    expect(back.data.adjustStock.stock).toBe(5);
    await alerts.until((r) => r.length >= 3);
    expect(alerts.results[2]!.data.lowStockAlert).toMatchObject({ kind: 'BACK_IN_STOCK', stock: 5 });
    await live.until((r) => shown(r.at(-1)).includes(ids[1]));

    await t.gql(RECORD, { e: [{ id: `${prefix}-buy`, type: 'PURCHASE', userId: `${prefix}-buyer`, productId: ids[1], quantity: 4 }] }, service);
    await alerts.until((r) => r.length >= 4);
    expect(alerts.results[3]!.data.lowStockAlert).toMatchObject({ kind: 'LOW_STOCK', stock: 1 });

    const ledger = await t.gql(
      `query($id: ID!) { product(id: $id) { stockMovements(first: 10) { edges { node { kind delta resultingStock reason actor eventId } } } } }`,
      { id: ids[1] },
      admin,
    );
    expect(ledger.data.product.stockMovements.edges.map((e: any) => e.node)).toEqual([
      { kind: 'PURCHASE', delta: -4, resultingStock: 1, reason: 'purchase of 4', actor: `${prefix}-buyer`, eventId: `${prefix}-buy` },
      { kind: 'ADJUST', delta: 5, resultingStock: 5, reason: 'delivery', actor: 'ops-1', eventId: null },
      { kind: 'SET', delta: -3, resultingStock: 0, reason: 'setStock', actor: 'ops-1', eventId: null },
      { kind: 'INITIAL', delta: 3, resultingStock: 3, reason: 'created by upsertProducts', actor: 'ops-1', eventId: null },
    ]);
    alerts.unsubscribe();
    live.unsubscribe();
  });
});

describe('warehouse updates', () => {
  it('updates a batch of levels atomically and lists low-stock products', async () => {
    const [a, b] = [await product({ stock: 50 }), await product({ stock: 50 })];
    const res = await t.gql(`mutation($i: [InventoryInput!]!) { updateInventory(items: $i) { id stock } }`, { i: [{ productId: a, stock: 2 }, { productId: b, stock: 40 }] }, admin);
    expect(res.data.updateInventory).toEqual([{ id: a, stock: 2 }, { id: b, stock: 40 }]);
    const bad = await t.gql(`mutation($i: [InventoryInput!]!) { updateInventory(items: $i) { id } }`, { i: [{ productId: b, stock: 1 }, { productId: 'nope', stock: 1 }, { productId: a, stock: -1 }] }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.problems.map((p: any) => p.field)).toEqual(['items.2.stock']);
    const bad2 = await t.gql(`mutation($i: [InventoryInput!]!) { updateInventory(items: $i) { id } }`, { i: [{ productId: b, stock: 1 }, { productId: 'nope', stock: 1 }] }, admin);
    expect(bad2.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ field: 'items.1.productId', index: 1 })]);
    expect((await db.query('SELECT stock FROM products WHERE id = $1', [b])).rows[0].stock).toBe(40);

    const low: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await t.gql(`query($after: String) { lowStockProducts(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { after }, admin);
      low.push(...page.data.lowStockProducts.edges.map((e: any) => e.node.id));
      after = page.data.lowStockProducts.pageInfo.hasNextPage ? page.data.lowStockProducts.pageInfo.endCursor : null;
    } while (after);
    expect(low).toContain(a);
    expect(low).not.toContain(b);
  });

  it('rejects bad input: unknown product, negative stock or threshold, adjustments below 0, non-admins', async () => {
    const id = await product({ stock: 3 });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [`mutation($id: ID!) { setStock(productId: $id, stock: -1) { id } }`, { id }, 'BAD_USER_INPUT'],
      [`mutation($id: ID!) { setStock(productId: $id, stock: 1) { id } }`, { id: 'missing' }, 'NOT_FOUND'],
      [`mutation($id: ID!) { setLowStockThreshold(productId: $id, threshold: -2) { id } }`, { id }, 'BAD_USER_INPUT'],
      [`mutation($id: ID!) { adjustStock(productId: $id, delta: -4, reason: "shrinkage") { id } }`, { id }, 'BAD_USER_INPUT'],
      [`mutation($id: ID!) { adjustStock(productId: $id, delta: 1, reason: " ") { id } }`, { id }, 'BAD_USER_INPUT'],
    ];
    for (const [query, vars, code] of cases) {
      const res = await t.gql(query, vars, admin);
      expect(res.errors?.[0]?.extensions?.code, query).toBe(code);
    }
    const below = await t.gql(`mutation($id: ID!) { adjustStock(productId: $id, delta: -4, reason: "x") { id } }`, { id }, admin);
    expect(below.errors?.[0]?.message).toMatch(/delta: would take stock below 0 \(stock 3, delta -4\)/);
    const shopper = await t.gql(`mutation($id: ID!) { setStock(productId: $id, stock: 1) { id } }`, { id }, await t.token('shopper'));
    expect(shopper.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await db.query('SELECT stock FROM products WHERE id = $1', [id])).rows[0].stock).toBe(3);
  });

  it('records a purchase larger than the stock left, clamps at 0 and shows the shortfall', async () => {
    const id = await product({ stock: 2, lowStockThreshold: 0 });
    const sub = await whenSubscribed(t, () => collect(t.ws(admin), ALERTS, { ids: [id] }));
    const res = await t.gql(RECORD, { e: [{ id: `${id}-big`, type: 'PURCHASE', userId: 'bulk-buyer', productId: id, quantity: 5 }] }, service);
    expect(res.data.recordEvents.accepted).toBe(1);
    const alerts = await sub.until((r) => r.length >= 2);
    expect(alerts.map((r) => r.data.lowStockAlert)).toEqual([
      expect.objectContaining({ kind: 'LOW_STOCK', stock: 0 }),
      expect.objectContaining({ kind: 'OUT_OF_STOCK', stock: 0, shortfall: 3 }),
    ]);
    sub.unsubscribe();
  });

  it('marks an alert resolved when a restock lifts the stock above its threshold, and only then', async () => {
    const id = await product({ stock: 12, lowStockThreshold: 10 });
    const mine = async () => {
      const res = await t.gql(`{ inventoryAlerts(first: 50) { edges { node { id kind createdAt resolvedAt product { id } } } } }`, {}, admin);
      expect(res.errors).toBeUndefined();
      return (res.data.inventoryAlerts.edges as Array<{ node: any }>).map((e) => e.node).filter((a) => a.product.id === id);
    };
    const setStock = (stock: number) => t.gql(`mutation($id: ID!, $s: Int!) { setStock(productId: $id, stock: $s) { stock } }`, { id, s: stock }, admin);
    // The purchase takes the stock, and raises the alert, in the statement that records it.
    await t.gql(RECORD, { e: [{ id: `${id}-p1`, type: 'PURCHASE', userId: 'buyer', productId: id, quantity: 3 }] }, service);
    const [raised] = await mine();
    expect(raised).toMatchObject({ kind: 'LOW_STOCK', resolvedAt: null });

    await setStock(10); // at the threshold: still low
    expect((await mine())[0].resolvedAt).toBeNull();
    await setStock(40);
    const [resolved] = await mine();
    expect(resolved.id).toBe(raised.id);
    expect(new Date(resolved.resolvedAt).getTime()).toBeGreaterThanOrEqual(new Date(raised.createdAt).getTime());

    // The next drop is a new alert, open; the first one keeps its resolution.
    await t.gql(RECORD, { e: [{ id: `${id}-p2`, type: 'PURCHASE', userId: 'buyer', productId: id, quantity: 35 }] }, service);
    const [again, first] = await mine();
    expect(again).toMatchObject({ kind: 'LOW_STOCK', resolvedAt: null });
    expect(first).toEqual(resolved);
  });

  it('alerts when a threshold change makes a product low', async () => {
    const id = await product({ stock: 8, lowStockThreshold: 5 });
    const sub = await whenSubscribed(t, () => collect(t.ws(admin), ALERTS, { ids: [id] }));
    await t.gql(`mutation($id: ID!) { setLowStockThreshold(productId: $id, threshold: 8) { lowStockThreshold } }`, { id }, admin);
    const [first] = await sub.until((r) => r.length >= 1);
    expect(first!.data.lowStockAlert).toMatchObject({ kind: 'LOW_STOCK', stock: 8, threshold: 8 });
    sub.unsubscribe();
  });

  it('keeps lowStockAlert for admins', async () => {
    const sub = collect(t.ws(await t.token('service')), ALERTS, {});
    await sub.until((r) => r.length > 0 || Boolean(sub.error), 5000).catch(() => undefined);
    expect(((sub.error as any[]) ?? sub.results[0]?.errors)?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
