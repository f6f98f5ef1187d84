import { describe, expect, it } from 'vitest';
import { demoCatalog, seededRandom, ShopperSimulator, Zipf } from '../src/simulator/shoppers';

describe('shopper simulator', () => {
  it('samples a skewed popularity: the first product far more often than the hundredth', () => {
    const rand = seededRandom(1);
    const zipf = new Zipf(200);
    const counts = new Array(200).fill(0);
    for (let i = 0; i < 50_000; i++) counts[zipf.sample(rand)]++;
    expect(counts[0]).toBeGreaterThan(counts[99] * 20);
  });

  it('produces valid, reproducible sessions with every kind of event', () => {
    const ids = demoCatalog(50).map((p) => p.id);
    const run = (seed: number) => {
      const sim = new ShopperSimulator({ users: 20, productIds: ids, seed });
      return Array.from({ length: 3000 }, () => sim.next());
    };
    const events = run(42);
    expect(run(42)).toEqual(events);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['VIEW', 'CLICK', 'ADD_TO_CART', 'PURCHASE']) expect(types.has(t as never)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) if (e.type !== 'IMPRESSION') expect(ids).toContain(e.productId);
  });
});

describe('shopper simulator with campaigns', () => {
  it('shows ads (impressions) and sends some sessions in through an ad click', () => {
    const ids = demoCatalog(30).map((p) => p.id);
    const sim = new ShopperSimulator({ users: 50, productIds: ids, seed: 3, campaignIds: ['c1', 'c2'] });
    const events = Array.from({ length: 5000 }, () => sim.next());
    const impressions = events.filter((e) => e.type === 'IMPRESSION' && e.campaignId);
    const adClicks = events.filter((e) => e.type === 'CLICK' && e.campaignId);
    expect(impressions.length).toBeGreaterThan(1000);
    expect(adClicks.length).toBeGreaterThan(20);
    expect(adClicks.length).toBeLessThan(impressions.length / 5);
    expect(new Set(impressions.map((e) => e.campaignId))).toEqual(new Set(['c1', 'c2']));
  });
});

describe('shopper simulator with recommendations', () => {
  it('clicks recommended products and credits the carts and purchases that follow to the list that showed them', () => {
    const ids = demoCatalog(40).map((p) => p.id);
    const sim = new ShopperSimulator({ users: 10, productIds: ids, seed: 11 });
    for (let u = 0; u < 10; u++) sim.recommended.set(`sim-user-${u}`, { listId: `list-${u}`, productIds: ids.slice(30 + (u % 5), 35 + (u % 5)) });
    const events = Array.from({ length: 20_000 }, () => sim.next());
    const clicks = events.filter((e) => e.type === 'CLICK' && e.recommendationId);
    const clicked = new Set(clicks.map((e) => `${e.userId} ${e.recommendationId} ${e.productId}`));
    const credited = events.filter((e) => (e.type === 'ADD_TO_CART' || e.type === 'PURCHASE') && e.recommendationId);
    expect(clicks.length).toBeGreaterThan(200);
    expect(credited.filter((e) => e.type === 'PURCHASE').length).toBeGreaterThan(10);
    // A list gets credit only for what its own user clicked on it.
    for (const e of credited) expect(clicked.has(`${e.userId} ${e.recommendationId} ${e.productId}`)).toBe(true);
    for (const e of credited) expect(e.recommendationId).toBe(`list-${e.userId.slice('sim-user-'.length)}`);
  });
});
