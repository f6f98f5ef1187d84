// Group commit: concurrent recordEvents calls share one statement, and each still gets what it would have got
// alone — the combining mechanism by itself, then recordGroup against the real Postgres, then the service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/services/group-commit';
import { attributionApart } from '../src/services/ingest';
import { connectDatabase, type Database } from '../src/store/db';
import { EventStore } from '../src/store/events';
import { EVENTS_RECORDED_TOPIC } from '../src/store/outbox';
import { type StoredEvent } from '../src/domain/events';
import { ProductStore } from '../src/store/products';
import { planStockChanges, type StockChange, type StockLevel } from '../src/domain/stock-rules';
import { settled } from './support/clock';
import { fileDatabaseUrl, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, then everything that arrived meanwhile as one group, within the weight limit', async () => {
    const groups: number[][] = [];
    const gate = deferred();
    const writer = new GroupCommit<number, string>(
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate.promise;
        return items.map((i) => `done ${i}`);
      },
      { maxWeight: 5, weight: (i) => i },
    );
    const first = writer.submit(1);
    const rest = [2, 2, 1, 4].map((i) => writer.submit(i));
    expect(groups).toEqual([[1]]); // the others wait for the write in flight
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual(['done 1', 'done 2', 'done 2', 'done 1', 'done 4']);
    expect(groups).toEqual([[1], [2, 2, 1], [4]]);
  });

  it('starts a new group where an item does not fit', async () => {
    const groups: string[][] = [];
    const gate = deferred();
    const writer = new GroupCommit<string, number>(
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate.promise;
        return items.map(() => 0);
      },
      { maxWeight: 100, weight: () => 1, fits: (group, item) => !(item === 'b' && group.includes('a')) },
    );
    const all = ['x', 'a', 'c', 'b', 'd'].map((i) => writer.submit(i));
    gate.resolve();
    await Promise.all(all);
    expect(groups).toEqual([['x'], ['a', 'c'], ['b', 'd']]);
  });

  it('keeps up to `concurrency` writes in flight, and holds an item back while a write it does not fit is in flight', async () => {
    const events: string[] = [];
    const gates = new Map([['x', deferred()], ['y', deferred()]]);
    const writer = new GroupCommit<string, number>(
      async (items) => {
        events.push(`start ${items.join('+')}`);
        await gates.get(items[0]!)?.promise;
        events.push(`end ${items.join('+')}`);
        return items.map(() => 0);
      },
      { maxWeight: 100, weight: () => 1, concurrency: 2, fits: (group, item) => !(item === 'b' && group.includes('x')) },
    );
    const all = ['x', 'y', 'b', 'z'].map((i) => writer.submit(i));
    expect(events).toEqual(['start x', 'start y']);
    gates.get('y')!.resolve();
    await all[1];
    // Everything y's end could set going has run (the writer waits on promises only), and b is still held back.
    await settled();
    expect(events).toEqual(['start x', 'start y', 'end y']); // b waits for x; z waits behind b
    gates.get('x')!.resolve();
    await Promise.all(all);
    expect(events).toEqual(['start x', 'start y', 'end y', 'end x', 'start b+z', 'end b+z']);
  });

  it('writes a group next to one in flight only when it weighs at least `concurrentWeight`; lighter ones wait and grow', async () => {
    const events: string[] = [];
    const gates = new Map([['first', deferred()]]);
    const writer = new GroupCommit<{ name: string; weight: number }, number>(
      async (items) => {
        const names = items.map((i) => i.name).join('+');
        events.push(`start ${names}`);
        await gates.get(items[0]!.name)?.promise;
        events.push(`end ${names}`);
        return items.map(() => 0);
      },
      { maxWeight: 1000, weight: (i) => i.weight, concurrency: 2, concurrentWeight: 100 },
    );
    const first = writer.submit({ name: 'first', weight: 1 });
    const small = [writer.submit({ name: 'a', weight: 40 }), writer.submit({ name: 'b', weight: 40 })];
    await settled();
    expect(events).toEqual(['start first']); // 80 < 100: waits for the write in flight
    const heavy = writer.submit({ name: 'c', weight: 30 });
    // a+b+c weigh 110: worth a second write in flight, as one group.
    await Promise.all([...small, heavy]);
    expect(events).toEqual(['start first', 'start a+b+c', 'end a+b+c']);
    gates.get('first')!.resolve();
    await first;
    // With nothing in flight, a light group goes at once.
    await writer.submit({ name: 'd', weight: 1 });
    expect(events).toEqual(['start first', 'start a+b+c', 'end a+b+c', 'end first', 'start d', 'end d']);
  });

  it('writes each item alone when a group fails, so that only the bad one fails', async () => {
    const groups: string[][] = [];
    const gate = deferred();
    const writer = new GroupCommit<string, string>(
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate.promise;
        if (items.includes('bad')) throw new Error('bad item');
        return items;
      },
      { maxWeight: 100, weight: () => 1 },
    );
    const results = ['first', 'good', 'bad', 'fine'].map((i) => writer.submit(i).catch((err: Error) => err.message));
    gate.resolve();
    expect(await Promise.all(results)).toEqual(['first', 'good', 'bad item', 'fine']);
    expect(groups).toEqual([['first'], ['good', 'bad', 'fine'], ['good'], ['bad'], ['fine']]);
  });
});

describe('attributionApart', () => {
  const event = (type: StoredEvent['type'], userId: string, campaignId: string | null = null): StoredEvent => ({
    id: uniqueId('e'), type, userId, sessionId: null, productId: 'p', category: null, campaignId, attributedCampaignId: null,
    recommendationId: null, quantity: 1, unitPrice: null, occurredAt: Date.now(),
  });

  it("keeps a purchase to attribute out of a group holding its user's campaign click", () => {
    const clicked = [event('CLICK', 'u1', 'c1')];
    expect(attributionApart([clicked], [event('PURCHASE', 'u1')])).toBe(false);
    expect(attributionApart([clicked], [event('PURCHASE', 'u1', 'c2')])).toBe(true); // has its own campaign
    expect(attributionApart([clicked], [event('PURCHASE', 'u2')])).toBe(true);
    expect(attributionApart([[event('CLICK', 'u1')]], [event('PURCHASE', 'u1')])).toBe(true); // no campaign
  });
});

describe('EventStore.recordGroup', () => {
  let db: Database;
  let events: EventStore;
  const prefix = uniqueId('grp');
  const product = (i: number) => `${prefix}-p${i}`;
  beforeAll(async () => {
    db = connectDatabase(await fileDatabaseUrl());
    events = new EventStore(db);
    await new ProductStore(db).upsertMany(
      [0, 1].map((i) => ({ id: product(i), name: `P${i}`, category: `cat-${i}`, price: 10 + i, currency: null, stock: null, lowStockThreshold: null })),
    );
  });
  afterAll(() => db.close());

  const event = (type: StoredEvent['type'], userId: string, productId: string | null, extra: Partial<StoredEvent> = {}): StoredEvent => ({
    id: uniqueId('e'), type, userId, sessionId: null, productId, category: null, campaignId: null, attributedCampaignId: null,
    recommendationId: null, quantity: 1, unitPrice: null, occurredAt: Date.now(), ...extra,
  });
  const cart = async (userId: string) =>
    (await db.pool.query('SELECT product_id, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id', [userId])).rows;
  const stored = async (ids: string[]) => Number((await db.pool.query('SELECT count(*) FROM events WHERE id = ANY($1)', [ids])).rows[0].count);

  it('writes each batch all or nothing: a batch naming an unknown product or campaign is skipped and reported', async () => {
    const u = uniqueId('u');
    const good = [event('VIEW', u, product(0)), event('VIEW', u, product(1))];
    const bad = [event('VIEW', u, product(0)), event('CLICK', u, 'no-such-product'), event('IMPRESSION', u, null, { campaignId: 'no-such-campaign' })];
    const alsoGood = [event('IMPRESSION', u, null)];
    const result = await events.recordGroup([good, bad, alsoGood]);
    expect(result.batches.map((b) => b.fresh.size)).toEqual([2, 0, 1]);
    expect(result.batches[1]!.unknown).toEqual([
      { index: 1, field: 'productId', ref: 'no-such-product' },
      { index: 2, field: 'campaignId', ref: 'no-such-campaign' },
    ]);
    expect(await stored([...good, ...bad, ...alsoGood].map((e) => e.id))).toBe(3);
    // The outbox message names the new events (with the catalog's category and price), in batch order.
    const named = (await events.byOutbox([result.outbox[0]!.id])).get(result.outbox[0]!.id)!;
    expect(named.map((e) => [e.id, e.category, e.unitPrice])).toEqual([
      [good[0]!.id, 'cat-0', 10],
      [good[1]!.id, 'cat-1', 11],
      [alsoGood[0]!.id, null, null],
    ]);
    const row = await db.pool.query('SELECT topic, sent_at FROM outbox WHERE id = $1', [result.outbox[0]!.id]);
    expect(row.rows[0]).toMatchObject({ topic: 'events.recorded', sent_at: null });
  });

  it('stores the events once: the outbox message names them, and they are read back by outbox id', async () => {
    const u = uniqueId('u');
    const batches = [
      [event('VIEW', u, product(0)), event('ADD_TO_CART', u, product(1), { quantity: 2 })],
      [event('VIEW', u, product(1), { unitPrice: 7.5, sessionId: 's1' })],
    ];
    batches[1]!.push(batches[0]![0]!); // a duplicate is not part of the message
    const before = Date.now();
    const result = await events.recordGroup(batches);
    const after = Date.now();
    const message = result.outbox[0]!;
    expect(message).toMatchObject({ topic: EVENTS_RECORDED_TOPIC, payload: null });
    const row = await db.pool.query('SELECT payload FROM outbox WHERE id = $1', [message.id]);
    expect(row.rows[0].payload).toBeNull();
    // What a worker applies: the new events in record order, with the catalog's category and price.
    const read = await events.byOutbox([message.id]);
    const [a, b, c] = [batches[0]![0]!, batches[0]![1]!, batches[1]![0]!];
    // With when Postgres recorded them (the feature lag metric): during the call, by the same machine's clock.
    const recordedAt = expect.any(Number);
    expect(read.get(message.id)).toEqual([
      { ...a, category: 'cat-0', unitPrice: 10, recordedAt },
      { ...b, category: 'cat-1', unitPrice: 11, recordedAt },
      { ...c, category: 'cat-1', unitPrice: 7.5, recordedAt },
    ]);
    for (const e of read.get(message.id)!) {
      expect(e.recordedAt).toBeGreaterThanOrEqual(before - 1);
      expect(e.recordedAt).toBeLessThanOrEqual(after + 1);
    }
  });

  it('answers as if the batches came one by one: repeated ids are duplicates where they repeat', async () => {
    const u = uniqueId('u');
    const a = event('VIEW', u, product(0));
    const b = event('CLICK', u, product(1));
    const result = await events.recordGroup([[a, b, a], [b, event('VIEW', u, product(1))]]);
    expect(result.batches.map((x) => x.fresh.size)).toEqual([2, 1]);
    expect([...result.batches[0]!.fresh]).toEqual([a.id, b.id]);
    expect((await events.byOutbox([result.outbox[0]!.id])).get(result.outbox[0]!.id)).toHaveLength(3);
    const again = await events.recordGroup([[a]]);
    expect(again.batches[0]!.fresh.size).toBe(0);
    expect(again.outbox).toEqual([]);
  });

  it('clamps carts at 0 batch by batch, as recording the batches one by one would', async () => {
    const apart = uniqueId('u');
    const together = uniqueId('u');
    const p = product(0);
    // Removing from an empty cart, then adding: 1 when recorded one by one, 0 within one batch (it nets out).
    await events.recordGroup([[event('REMOVE_FROM_CART', apart, p, { quantity: 2 })], [event('ADD_TO_CART', apart, p)]]);
    await events.recordGroup([[event('REMOVE_FROM_CART', together, p, { quantity: 2 }), event('ADD_TO_CART', together, p)]]);
    expect(await cart(apart)).toEqual([{ product_id: p, quantity: 1 }]);
    expect(await cart(together)).toEqual([{ product_id: p, quantity: 0 }]);
    // 1, then 4, then max(0, 4 - 5) = 0, then 1; a plain sum of the changes would say 0.
    await events.recordGroup([
      [event('ADD_TO_CART', apart, p, { quantity: 3 })],
      [event('REMOVE_FROM_CART', apart, p, { quantity: 5 })],
      [event('ADD_TO_CART', apart, p)],
    ]);
    expect(await cart(apart)).toEqual([{ product_id: p, quantity: 1 }]);
  });

  it('credits a purchase to the last campaign click at or before it that is inside its own window', async () => {
    const [wide, narrow] = [uniqueId('cw'), uniqueId('cn')];
    await db.pool.query(
      `INSERT INTO campaigns (id, name, starts_at, ends_at, budget, attribution_window_hours, product_ids, updated_at)
       SELECT id, id, now() - interval '1 day', now() + interval '1 day', 100, hours, '{}', now()
       FROM unnest($1::text[], $2::int[]) AS c(id, hours)`,
      [[wide, narrow], [24, 1]],
    );
    const now = Date.now();
    const at = (minutes: number) => now + minutes * 60_000;
    const click = (user: string, campaignId: string, minutes: number) => event('CLICK', user, product(0), { campaignId, occurredAt: at(minutes) });
    const buy = (user: string, extra: Partial<StoredEvent> = {}) => event('PURCHASE', user, product(1), { occurredAt: at(0), ...extra });
    const u = Array.from({ length: 6 }, () => uniqueId('u'));
    // Clicks recorded before.
    await events.recordGroup([[click(u[0]!, wide, -180), click(u[0]!, narrow, -120), click(u[1]!, wide, -120), click(u[2]!, wide, -120)]]);
    const purchases = [
      buy(u[0]!), // the later click (narrow) is outside its 1-hour window: the earlier one (wide) counts
      buy(u[1]!), // a click of the same batch, later than the recorded one and not after the purchase, wins
      buy(u[2]!), // a click of the same batch after the purchase does not count
      buy(u[3]!, { campaignId: wide }), // a purchase naming its campaign is not attributed
      buy(u[4]!), // no click
      buy(u[5]!), // a click at the purchase's own time counts
    ];
    await events.recordGroup([[click(u[1]!, narrow, -30), ...purchases, click(u[2]!, narrow, 1), click(u[5]!, narrow, 0)]]);
    const rows = await db.pool.query('SELECT id, attributed_campaign_id FROM events WHERE id = ANY($1)', [purchases.map((p) => p.id)]);
    const credited = new Map(rows.rows.map((r) => [r.id, r.attributed_campaign_id]));
    expect(purchases.map((p) => credited.get(p.id))).toEqual([wide, narrow, wide, null, null, narrow]);
  });

  it('takes stock for purchases as the stock rules plan it: levels, ledger, alerts and their announcement', async () => {
    // Products with little stock, so that random purchase groups cross thresholds, run out and over-sell.
    const ids = [0, 1, 2, 3].map((i) => `${prefix}-s${i}`);
    await new ProductStore(db).upsertMany(ids.map((id) => ({ id, name: id, category: 'cat', price: 5, currency: null, stock: null, lowStockThreshold: null })));
    const start = [[6, 2], [14, 10], [0, 3], [40, 5]] as const;
    await db.pool.query(
      'UPDATE products p SET stock = s.stock, low_stock_threshold = s.t FROM unnest($1::text[], $2::int[], $3::int[]) s(id, stock, t) WHERE p.id = s.id',
      [ids, start.map((x) => x[0]), start.map((x) => x[1])],
    );
    let levels = new Map<string, StockLevel>(ids.map((id, i) => [id, { productId: id, stock: start[i]![0], threshold: start[i]![1] }]));
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 16807) % 2147483647) % n);
    const u = uniqueId('u');
    for (let round = 0; round < 6; round++) {
      const batches = Array.from({ length: 1 + random(3) }, () =>
        Array.from({ length: 1 + random(4) }, () =>
          random(4) ? event('PURCHASE', u, ids[random(4)]!, { quantity: 1 + random(8) }) : event('VIEW', u, ids[random(4)]!),
        ),
      );
      batches[0]!.push({ ...batches[0]![0]! }); // a repeated id takes nothing the second time
      const purchases: StockChange[] = [];
      const seen = new Set<string>();
      for (const e of batches.flat()) {
        if (e.type === 'PURCHASE' && !seen.has(e.id)) purchases.push({ kind: 'PURCHASE', productId: e.productId!, quantity: e.quantity, actor: u, eventId: e.id });
        seen.add(e.id);
      }
      const plan = planStockChanges(levels, purchases);
      const before = Number((await db.pool.query('SELECT coalesce(max(id), 0) AS id FROM inventory_alerts')).rows[0].id);
      const result = await events.recordGroup(batches);

      const stock = await db.pool.query('SELECT id, stock, low_stock_threshold AS threshold FROM products WHERE id = ANY($1) ORDER BY id', [ids]);
      expect(stock.rows.map((r) => [r.id, r.stock, r.threshold])).toEqual([...plan.levels.values()].map((l) => [l.productId, l.stock, l.threshold]));
      const ledger = await db.pool.query(
        'SELECT product_id, kind::text, delta, resulting_stock, reason, actor, event_id FROM stock_movements WHERE event_id = ANY($1) ORDER BY id',
        [purchases.map((p) => p.kind === 'PURCHASE' && p.eventId)],
      );
      expect(ledger.rows.map((r) => ({ productId: r.product_id, kind: r.kind, delta: r.delta, resultingStock: r.resulting_stock, reason: r.reason, actor: r.actor, eventId: r.event_id })))
        .toEqual(plan.movements);
      const alerts = await db.pool.query(
        'SELECT id::text, product_id, kind::text, stock, threshold, shortfall, created_at FROM inventory_alerts WHERE id > $1 AND product_id = ANY($2) ORDER BY id',
        [before, ids],
      );
      expect(alerts.rows.map((r) => ({ productId: r.product_id, kind: r.kind, stock: r.stock, threshold: r.threshold, shortfall: r.shortfall }))).toEqual(plan.alerts);
      // The alerts and the products that ran out are announced in a message of their own, after the events'.
      const announced = result.outbox.filter((m) => m.topic === 'inventory.changed');
      if (plan.alerts.length || plan.availability.length) {
        expect(announced).toHaveLength(1);
        expect(announced[0]!.payload).toEqual({
          alerts: alerts.rows.map((r) => ({ id: r.id, productId: r.product_id, kind: r.kind, stock: r.stock, threshold: r.threshold, shortfall: r.shortfall, createdAt: r.created_at.getTime() })),
          availability: plan.availability,
        });
        expect(BigInt(announced[0]!.id)).toBeGreaterThan(BigInt(result.outbox[0]!.id));
      } else {
        expect(announced).toEqual([]);
      }
      levels = plan.levels;
    }
    // The rounds did cross thresholds and run products out (the comparison above was not vacuous).
    const kinds = await db.pool.query('SELECT DISTINCT kind::text FROM inventory_alerts WHERE product_id = ANY($1) ORDER BY 1', [ids]);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['LOW_STOCK', 'OUT_OF_STOCK']);
  });
});

describe('recordEvents under concurrency', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ ROLE: 'api' });
  });
  afterAll(() => t.stop());

  it('gives every concurrent call its own counts, and one event id to exactly one of them', async () => {
    const prefix = uniqueId('cc');
    const admin = await t.token('admin');
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: `${prefix}-p`, name: 'P', category: 'c', price: 5, stock: 100 }] }, admin);
    const shared = `${prefix}-shared`;
    const { ingest } = t.platform.services;
    const calls = Array.from({ length: 20 }, (_, k) =>
      ingest.recordEvents([
        { id: shared, type: 'VIEW', userId: `${prefix}-u`, productId: `${prefix}-p` },
        ...Array.from({ length: k }, (_, i) => ({ id: `${prefix}-${k}-${i}`, type: 'VIEW', userId: `${prefix}-u${k}`, productId: `${prefix}-p` })),
      ]),
    );
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.duplicates === 1).length).toBe(19);
    results.forEach((r, k) => expect(r.accepted + r.duplicates).toBe(k + 1));
    expect(results.reduce((s, r) => s + r.accepted, 0)).toBe(1 + (19 * 20) / 2);
  });

  it("credits a purchase to a campaign clicked in another call of the same moment, once that click is recorded", async () => {
    const prefix = uniqueId('att');
    const admin = await t.token('admin');
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: `${prefix}-p`, name: 'P', category: 'c', price: 5, stock: 100 }] }, admin);
    const created = await t.gql(
      `mutation($c: CreateCampaignInput!) { createCampaign(input: $c) { id } }`,
      { c: { name: 'Spring', startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), budget: 100, attributionWindowHours: 24 } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const campaignId = created.data.createCampaign.id;
    const user = `${prefix}-u`;
    const { ingest } = t.platform.services;
    const at = Date.now() - 1000;
    // A first call keeps the writer busy, so that the click and the purchase queue up together behind it.
    const busy = ingest.recordEvents([{ id: `${prefix}-x`, type: 'VIEW', userId: `${prefix}-other`, productId: `${prefix}-p` }]);
    const click = ingest.recordEvents([{ id: `${prefix}-click`, type: 'CLICK', userId: user, productId: `${prefix}-p`, campaignId, occurredAt: new Date(at) }]);
    const purchase = ingest.recordEvents([{ id: `${prefix}-buy`, type: 'PURCHASE', userId: user, productId: `${prefix}-p`, occurredAt: new Date(at + 500) }]);
    await Promise.all([busy, click, purchase]);
    const { rows } = await t.platform.db.pool.query('SELECT attributed_campaign_id FROM events WHERE id = $1', [`${prefix}-buy`]);
    expect(rows[0].attributed_campaign_id).toBe(campaignId);
  });
});
