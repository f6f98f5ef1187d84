import { describe, expect, it } from 'vitest';
import { demoCatalog, seededRandom, ShopperSimulator, Zipf } from '../src/simulator/shoppers';
import { chooseFromList, clickProbabilities } from '../src/simulator/tastes';

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
    // A shopper looks at a list once: the storefront shows each user a list again once the last one was seen.
    const events = Array.from({ length: 20_000 }, () => {
      for (let u = 0; u < 10; u++) if (!sim.recommended.has(`sim-user-${u}`)) sim.recommended.set(`sim-user-${u}`, { listId: `list-${u}`, productIds: ids.slice(30 + (u % 5), 35 + (u % 5)) });
      return sim.next();
    });
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

describe('shopper tastes and choices', () => {
  const catalog = demoCatalog(200);
  const ids = catalog.map((p) => p.id);
  const categories = catalog.map((p) => p.category);
  const categoryOf = new Map(catalog.map((p) => [p.id, p.category]));
  /** A shopper's favourite category, read from their hidden tastes. */
  const favourite = (sim: ShopperSimulator, user: number) => {
    const t = sim.tastesOf(user).categoryTaste;
    const best = t.indexOf(Math.max(...t));
    return categories[sim.catalog.members[best]![0]!]!;
  };

  it('clicks nothing more often on a list of indifferent products, and more the better liked the products', () => {
    const p = (a: number) => clickProbabilities([a, a, a, a, a]).reduce((s, x) => s + x, 0);
    expect(p(-2)).toBeLessThan(0.05);
    expect(p(0)).toBeGreaterThan(0.05);
    expect(p(0)).toBeLessThan(p(1));
    expect(p(1)).toBeLessThan(p(2));
    expect(p(4)).toBeLessThan(1);
    // Of two equally liked products the one shown first gets more attention; a liked one beats a disliked one first.
    const [first, second] = clickProbabilities([1, 1]);
    expect(first).toBeGreaterThan(second!);
    const [disliked, liked] = clickProbabilities([-1, 2]);
    expect(liked).toBeGreaterThan(disliked! * 10);
  });

  it('picks products of its favourite category from a shown list far more often than the others', () => {
    const sim = new ShopperSimulator({ users: 50, productIds: ids, categories, seed: 5 });
    const rand = seededRandom(9);
    let favouritePicks = 0;
    let otherPicks = 0;
    for (let u = 0; u < 50; u++) {
      const fav = favourite(sim, u);
      const mine = ids.filter((id) => categoryOf.get(id) === fav);
      const others = ids.filter((id) => categoryOf.get(id) !== fav);
      for (let round = 0; round < 40; round++) {
        // One product of the favourite category among four others, in a random position.
        const list = [0, 1, 2, 3].map(() => others[Math.floor(rand() * others.length)]!);
        list.splice(Math.floor(rand() * 5), 0, mine[Math.floor(rand() * mine.length)]!);
        const k = chooseFromList(list.map((id) => sim.affinity(`sim-user-${u}`, id)!), rand);
        if (k < 0) continue;
        if (categoryOf.get(list[k]!) === fav) favouritePicks++;
        else otherPicks++;
      }
    }
    // Per product shown, the favourite category's is picked far more often than one of the four others.
    expect(favouritePicks).toBeGreaterThan(otherPicks / 4 * 3);
    expect(favouritePicks + otherPicks).toBeGreaterThan(400);
  });

  it('clicks and buys from a list of products it likes far more often than from a list of products it dislikes, through the event stream', () => {
    const sim = new ShopperSimulator({ users: 40, productIds: ids, categories, seed: 8 });
    const ranked = new Map<string, string[]>();
    const served = { liked: 0, disliked: 0 };
    const clicks = { liked: 0, disliked: 0 };
    const purchases = { liked: 0, disliked: 0 };
    for (let i = 0; i < 20_000; i++) {
      for (const userId of sim.activeUsers()) {
        if (sim.recommended.has(userId)) continue;
        // Even users are shown the five products they like best, odd users the five they like least.
        const kind = Number(userId.slice('sim-user-'.length)) % 2 ? 'disliked' : 'liked';
        let best = ranked.get(userId);
        if (!best) ranked.set(userId, (best = [...ids].sort((a, b) => sim.affinity(userId, b)! - sim.affinity(userId, a)!)));
        served[kind]++;
        sim.recommended.set(userId, { listId: `${kind}-${i}`, productIds: kind === 'liked' ? best.slice(0, 5) : best.slice(-5) });
      }
      const e = sim.next();
      const kind = e.recommendationId?.split('-')[0] as 'liked' | 'disliked' | undefined;
      if (kind && e.type === 'CLICK') clicks[kind]++;
      if (kind && e.type === 'PURCHASE') purchases[kind]++;
    }
    expect(served.liked).toBeGreaterThan(300);
    expect(served.disliked).toBeGreaterThan(300);
    const rate = { liked: clicks.liked / served.liked, disliked: clicks.disliked / served.disliked };
    expect(rate.liked).toBeGreaterThan(0.4);
    expect(rate.liked).toBeGreaterThan(rate.disliked * 5);
    // Fewer buy than click, and what they like they buy far more often.
    expect(purchases.liked).toBeLessThan(clicks.liked);
    expect(purchases.liked / served.liked).toBeGreaterThan(0.2);
    expect(purchases.liked / served.liked).toBeGreaterThan((10 * purchases.disliked) / served.disliked);
  });

  it('browses by taste: a shopper\'s history leans to its favourite category, so a model has a taste to learn', () => {
    const sim = new ShopperSimulator({ users: 30, productIds: ids, categories, seed: 13 });
    const events = Array.from({ length: 30_000 }, () => sim.next()).filter((e) => e.productId && e.type !== 'IMPRESSION');
    const inFavourite = events.filter((e) => categoryOf.get(e.productId!) === favourite(sim, Number(e.userId.slice('sim-user-'.length))));
    // Ten categories: without tastes a tenth of the history would be in any one of them.
    expect(inFavourite.length / events.length).toBeGreaterThan(0.35);
    // Carts are choosier than views.
    const share = (type: string) => {
      const of = events.filter((e) => e.type === type);
      return of.filter((e) => inFavourite.includes(e)).length / of.length;
    };
    expect(share('ADD_TO_CART')).toBeGreaterThan(share('VIEW'));
  });

  it('gives every shopper the same tastes in every session and every run, and shoppers different tastes', () => {
    const a = new ShopperSimulator({ users: 10, productIds: ids, categories, seed: 1 });
    const b = new ShopperSimulator({ users: 10, productIds: ids, categories, seed: 2 });
    Array.from({ length: 500 }, () => a.next());
    for (const p of [ids[0]!, ids[17]!, ids[199]!]) expect(a.affinity('sim-user-3', p)).toBe(b.affinity('sim-user-3', p));
    expect(a.catalog.style).toEqual(b.catalog.style);
    const tastes = (u: number) => ids.map((p) => a.affinity(`sim-user-${u}`, p));
    expect(tastes(3)).not.toEqual(tastes(4));
    expect(a.affinity('someone-else', ids[0]!)).toBeNull();
    expect(a.affinity('sim-user-3', 'not-in-the-catalog')).toBeNull();
  });
});
