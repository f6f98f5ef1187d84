// Issue 23: what the platform holds about one shopper, as one JSON document streamed over HTTP to an admin: events
// in the order recorded (over several pages), cart, the stock their purchase took, the campaigns they touched and
// the purchase credited by last click, what the feature store keeps of them. Nobody but an admin may read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE } from '../src/store/user-data';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted } }`;

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

const exportOf = (userId: string, token?: string) => fetch(`${t.url}/export/users/${encodeURIComponent(userId)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('shopper data export', () => {
  it('holds every event (across pages), the cart, stock taken, campaigns and features of the shopper, and nobody else’s', async () => {
    const admin = await t.token('admin');
    const service = await t.token('service');
    const [a, b] = [uniqueId('exp'), uniqueId('exp')];
    expect((await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, {
      p: [a, b].map((id) => ({ id, name: id, category: 'shoes', price: 20, stock: 10 })),
    }, admin)).errors).toBeUndefined();
    const created = await t.gql(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, {
      input: { name: uniqueId('Sale'), startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), budget: 100 },
    }, admin);
    const campaignId = created.data.createCampaign.id as string;
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
