import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
let admin: string;
let service: string;
beforeAll(async () => {
  t = await startTestPlatform({ KPI_ROLLUP_INTERVAL_MS: '500', KPI_THROTTLE_MS: '100' });
  admin = await t.token('admin');
  service = await t.token('service');
});
afterAll(() => t.stop());

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id status attributionWindowHours } }`;
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const KPIS = `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { campaignId impressions clicks ctr addToCarts conversions conversionRate revenue } }`;
const hour = 3600_000;

async function campaign(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.gql(CREATE, { input: { name: uniqueId('Spring sale'), startsAt: new Date(Date.now() - 24 * hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(), budget: 1000, ...extra } }, admin);
  expect(res.errors).toBeUndefined();
  return res.data.createCampaign.id;
}

describe('campaign management', () => {
  it('creates DRAFT campaigns and moves them through their statuses', async () => {
    const id = await campaign();
    const read = await t.gql(`query($id: ID!) { campaign(id: $id) { status attributionWindowHours budget } }`, { id }, admin);
    expect(read.data.campaign).toEqual({ status: 'DRAFT', attributionWindowHours: 24, budget: 1000 });
    const status = (s: string) => t.gql(`mutation($id: ID!, $s: CampaignStatus!) { setCampaignStatus(id: $id, status: $s) { status } }`, { id, s }, admin);
    expect((await status('ACTIVE')).data.setCampaignStatus.status).toBe('ACTIVE');
    expect((await status('PAUSED')).data.setCampaignStatus.status).toBe('PAUSED');
    expect((await status('ENDED')).data.setCampaignStatus.status).toBe('ENDED');
    const again = await status('ACTIVE');
    expect(again.errors?.[0]).toMatchObject({ message: 'status: cannot go from ENDED to ACTIVE', extensions: { code: 'BAD_USER_INPUT' } });
    const updated = await t.gql(`mutation($id: ID!) { updateCampaign(id: $id, input: { name: "Renamed", budget: 5 }) { name budget } }`, { id }, admin);
    expect(updated.data.updateCampaign).toEqual({ name: 'Renamed', budget: 5 });
    const listed = await t.gql(`{ campaigns(first: 100, status: ENDED) { edges { node { id } } } }`, {}, admin);
    expect(listed.data.campaigns.edges.map((e: any) => e.node.id)).toContain(id);
  });

  it('names its products, in the order of productIds, and none when it covers every product', async () => {
    const prefix = uniqueId('cp');
    const products = [
      { id: `${prefix}-a`, name: 'Alpine boot', category: 'shoes', price: 120, stock: 5 },
      { id: `${prefix}-b`, name: 'Beach sandal', category: 'shoes', price: 30, stock: 9 },
    ];
    const up = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin);
    expect(up.data.upsertProducts.created).toBe(2);
    const some = await campaign({ productIds: [`${prefix}-b`, `${prefix}-a`] });
    const every = await campaign();
    const res = await t.gql(`query($a: ID!, $b: ID!) { a: campaign(id: $a) { products { id name stock } } b: campaign(id: $b) { productIds products { id } } }`, { a: some, b: every }, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data.a.products).toEqual([
      { id: `${prefix}-b`, name: 'Beach sandal', stock: 9 },
      { id: `${prefix}-a`, name: 'Alpine boot', stock: 5 },
    ]);
    expect(res.data.b).toEqual({ productIds: [], products: [] });
  });

  it('rejects bad campaigns and unknown ids', async () => {
    const start = new Date().toISOString();
    const bad = await t.gql(CREATE, { input: { name: 'x', startsAt: start, endsAt: new Date(Date.now() - hour).toISOString(), budget: -1 } }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.problems.map((p: any) => p.field).sort()).toEqual(['input.budget', 'input.endsAt']);
    const unknownProduct = await t.gql(CREATE, { input: { name: 'x', startsAt: start, endsAt: new Date(Date.now() + hour).toISOString(), budget: 1, productIds: ['nope'] } }, admin);
    expect(unknownProduct.errors?.[0]?.extensions?.problems[0]?.field).toBe('input.productIds.0');
    const missing = await t.gql(`mutation { setCampaignStatus(id: "cmp_missing", status: ACTIVE) { id } }`, {}, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const notAdmin = await t.gql(CREATE, { input: { name: 'x', startsAt: start, endsAt: new Date(Date.now() + hour).toISOString(), budget: 1 } }, service);
    expect(notAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('campaign KPIs', () => {
  it('reach exactly the values a mix of events implies, with last-click attribution inside the window only', async () => {
    const prefix = uniqueId('kpi');
    const products = [`${prefix}-p1`, `${prefix}-p2`];
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products.map((id) => ({ id, name: id, category: 'k', price: 10, stock: 1000 })) }, admin);
    const a = await campaign({ productIds: products });
    const b = await campaign({ attributionWindowHours: 1 });
    const sub = collect(t.ws(admin), KPIS, { id: a });
    await sub.until((r) => r.length >= 1);
    expect(sub.results[0]!.data.campaignKpisUpdated).toMatchObject({ impressions: 0, clicks: 0, revenue: 0 });

    const e = (type: string, userId: string, extra: Record<string, unknown> = {}) => ({ id: uniqueId('e'), type, userId: `${prefix}-${userId}`, productId: products[0], ...extra });
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const events = [
      ...Array.from({ length: 10 }, (_, i) => e('IMPRESSION', `u${i}`, { campaignId: a, productId: undefined })),
      ...['u1', 'u2', 'u3', 'u4'].map((u) => e('CLICK', u, { campaignId: a, occurredAt: ago(60_000) })),
      e('ADD_TO_CART', 'u2', { campaignId: a }),
      e('ADD_TO_CART', 'u3', { campaignId: a }),
      e('PURCHASE', 'u2', { campaignId: a, quantity: 2 }), // own campaignId: 2 × 10
      e('CLICK', 'u5', { campaignId: b, occurredAt: ago(2 * hour) }),
      e('VIEW', 'u5', {}),
    ];
    expect((await t.gql(RECORD, { e: events }, service)).data.recordEvents.accepted).toBe(events.length);
    // Credited by last click to A (u1 clicked A a minute ago), quantity 3 × 12.5 = 37.5.
    await t.gql(RECORD, { e: [e('PURCHASE', 'u1', { quantity: 3, unitPrice: 12.5 })] }, service);
    // u5 clicked B two hours ago, outside B's one-hour window: credited to nobody.
    await t.gql(RECORD, { e: [e('PURCHASE', 'u5', {})] }, service);
    // An unknown campaign is refused with the whole batch.
    const refused = await t.gql(RECORD, { e: [e('VIEW', 'u9', {}), e('CLICK', 'u9', { campaignId: 'cmp_unknown' })] }, service);
    expect(refused.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ index: 1, field: 'events.1.campaignId' })]);

    const expected = { campaignId: a, impressions: 10, clicks: 4, ctr: 0.4, addToCarts: 2, conversions: 2, conversionRate: 0.5, revenue: 57.5 };
    await sub.until((r) => JSON.stringify(r.at(-1)?.data.campaignKpisUpdated) === JSON.stringify(expected), 10_000);

    const bKpis = await t.gql(`query($id: ID!) { campaign(id: $id) { kpis { clicks conversions revenue } } }`, { id: b }, admin);
    expect(bKpis.data.campaign.kpis).toEqual({ clicks: 1, conversions: 0, revenue: 0 });
    const verify = await t.platform.services.campaigns.verify(a);
    expect(verify.live).toEqual(verify.recount);
    expect(verify.recount).toEqual({ impressions: 10, clicks: 4, addToCarts: 2, conversions: 2, revenueCents: 5750 });

    // The per-minute rollup (every 500 ms here) feeds the chart series.
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const series = await eventually(async () => {
      const res = await t.gql(`query($id: ID!, $from: DateTime!, $to: DateTime!) { campaign(id: $id) { series(from: $from, to: $to, bucket: MINUTE) { at impressions clicks conversions revenue } } }`, { id: a, from, to }, admin);
      const points = res.data.campaign.series as any[];
      const sum = (k: string) => points.reduce((s, p) => s + p[k], 0);
      return sum('impressions') === 10 && sum('clicks') === 4 && sum('conversions') === 2 && Math.abs(sum('revenue') - 57.5) < 1e-9 ? points : null;
    }, 15_000, 'the rollup to include the events');
    expect(series.length).toBeGreaterThanOrEqual(6);
    sub.unsubscribe();
  });

  it('reports store-wide sales per minute with top products, live to admins', async () => {
    const prefix = uniqueId('sales');
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: `${prefix}-x`, name: 'Pricey', category: 's', price: 1000, stock: 100 }] }, admin);
    const live = collect(t.ws(admin), `subscription { salesMetricsUpdated(windowMinutes: 10) { orders revenue topProducts { product { id } units revenue } } }`);
    const [first] = await live.until((r) => r.length >= 1);
    const before = first!.data.salesMetricsUpdated;
    await t.gql(RECORD, { e: [{ id: uniqueId('e'), type: 'PURCHASE', userId: `${prefix}-u`, productId: `${prefix}-x`, quantity: 3 }] }, service);
    // Sales are store-wide and other test files record purchases in the same database meanwhile: wait for this
    // product's own entry, which is exact, and expect the totals to have grown by at least this order.
    const mine = (m: any) => m.topProducts.find((p: any) => p.product.id === `${prefix}-x`);
    const results = await live.until((r) => Boolean(mine(r.at(-1)!.data.salesMetricsUpdated)), 15_000);
    const now = results.at(-1)!.data.salesMetricsUpdated;
    expect(now.orders).toBeGreaterThanOrEqual(before.orders + 1);
    expect(now.revenue).toBeGreaterThanOrEqual(before.revenue + 3000 - 0.005);
    expect(now.topProducts[0]).toEqual({ product: { id: `${prefix}-x` }, units: 3, revenue: 3000 });
    const q = await t.gql(`query($from: DateTime!, $to: DateTime!) { salesMetrics(from: $from, to: $to, bucket: HOUR) { orders units revenue averageOrderValue series { orders } } }`, { from: new Date(Date.now() - 2 * hour).toISOString(), to: new Date(Date.now() + hour).toISOString() }, admin);
    expect(q.data.salesMetrics.orders).toBeGreaterThanOrEqual(1);
    expect(q.data.salesMetrics.averageOrderValue).toBeCloseTo(q.data.salesMetrics.revenue / q.data.salesMetrics.orders, 2);
    const tooLong = await t.gql(`query { salesMetrics(from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", bucket: MINUTE) { orders } }`, {}, admin);
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    live.unsubscribe();
  });
});
