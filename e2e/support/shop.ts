// A small shop for the browser tests, through the public API: a demo catalog, an active campaign, a few
// low-stock products, shopper history with a known co-occurrence, and an A/B experiment.
import { expect } from 'vitest';
import { demoCatalog } from '../../src/simulator/shoppers';
import { uniqueId, type TestPlatform } from '../../test/support/platform';

export const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;

export interface Shop {
  campaignId: string;
  campaignName: string;
  /** Popular products: a new shopper's list starts with them. */
  popular: string[];
  /** Viewed together by several shoppers: clicking `pair[0]` brings `pair[1]` and `pair[2]` to the top. */
  pair: string[];
  /** One product per viewport with stock just above its threshold. */
  lowStock: Record<string, { id: string; name: string; stock: number; threshold: number }>;
  /** Products with plenty of stock for purchases that must not raise alerts. */
  plenty: string[];
}

export async function seedShop(t: TestPlatform, admin: string, service: string, viewports: string[]): Promise<Shop> {
  const catalog = demoCatalog(40).map((p) => ({ ...p, stock: 500 }));
  const lowStock = Object.fromEntries(
    viewports.map((v, i) => [v, { id: `low-${v}`, name: `Limited ${v} edition ${i}`, stock: 12, threshold: 10 }]),
  );
  const products = [
    ...catalog,
    ...Object.values(lowStock).map((l) => ({ id: l.id, name: l.name, category: 'limited', price: 49, stock: l.stock, lowStockThreshold: l.threshold })),
  ];
  const up = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin);
  expect(up.errors).toBeUndefined();

  const popular = ['sku-0000', 'sku-0001', 'sku-0002'];
  const pair = ['sku-0005', 'sku-0006', 'sku-0007'];
  const events: Array<Record<string, unknown>> = [];
  const at = (k: number) => new Date(Date.now() - 60_000 + k).toISOString();
  // Many shoppers look at the popular products alone; three look at the pair together.
  for (let u = 0; u < 12; u++) popular.forEach((p, k) => events.push({ id: uniqueId('seed'), type: 'VIEW', userId: `seed-pop-${u}`, productId: p, occurredAt: at(k) }));
  for (let u = 0; u < 3; u++) pair.forEach((p, k) => events.push({ id: uniqueId('seed'), type: 'VIEW', userId: `seed-pair-${u}`, productId: p, occurredAt: at(k) }));
  const rec = await t.gql(RECORD, { e: events }, service);
  expect(rec.data?.recordEvents.accepted).toBe(events.length);

  const campaignName = 'Spring shoes';
  const created = await t.gql(
    `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`,
    { i: { name: campaignName, startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), budget: 2500, productIds: catalog.slice(0, 10).map((p) => p.id) } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  const campaignId = created.data.createCampaign.id as string;
  await t.gql(`mutation($id: ID!) { setCampaignStatus(id: $id, status: ACTIVE) { id } }`, { id: campaignId }, admin);
  const experiment = await t.gql(
    `mutation($v: [VariantInput!]!) { configureExperiment(variants: $v) { id } }`,
    { v: [{ name: 'model', weight: 1, model: 'active' }, { name: 'popularity', weight: 1, model: 'popularity' }] },
    admin,
  );
  expect(experiment.errors).toBeUndefined();
  return { campaignId, campaignName, popular, pair, lowStock, plenty: catalog.slice(20, 30).map((p) => p.id) };
}
