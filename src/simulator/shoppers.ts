// Realistic shopper behaviour for demos and benchmarks: sessions that browse, click, cart and buy, over a
// catalog whose popularity is skewed (Zipf). Pure: a seeded random source in, events out.

export interface SimEvent {
  id: string;
  type: 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'REMOVE_FROM_CART' | 'PURCHASE' | 'IMPRESSION';
  userId: string;
  sessionId: string;
  productId?: string;
  campaignId?: string;
  quantity?: number;
  recommendationId?: string;
}

/** Mulberry32: small, fast, seeded; good enough for traffic shapes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples indexes 0..n-1 with probability ∝ 1/(i+1)^s. */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number, s = 1.1) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = sum += 1 / (i + 1) ** s;
    for (let i = 0; i < n; i++) this.cdf[i]! /= sum;
  }
  sample(rand: () => number): number {
    const u = rand();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface Session {
  userId: string;
  sessionId: string;
  /** Products this session looks at: a few "interests" near each other in the catalog, plus popular ones. */
  focus: number;
  /** Products in the cart, with the recommendation list they were picked from (credited on purchase). */
  cart: Array<{ productId: string; listId?: string }>;
  /** A recommendation the session just clicked: shoppers often put it in the cart next. */
  clickedRecommendation?: { productId: string; listId: string };
  left: number;
  /** The ad campaign the session came from, if any: its first action is a click on the ad. */
  campaign?: string;
  clickedAd: boolean;
}

export interface ShopperOptions {
  users: number;
  productIds: string[];
  seed?: number;
  /** Concurrent sessions. @default 50 */
  sessions?: number;
  /** Campaigns whose ads are shown (impressions) and clicked. */
  campaignIds?: string[];
}

/** An endless stream of plausible events from many concurrent sessions. */
export class ShopperSimulator {
  private readonly rand: () => number;
  private readonly zipf: Zipf;
  private readonly sessions: Session[] = [];
  private counter = 0;
  private readonly runId: string;
  /** Recommendation lists the driver fetched, which sessions may click from. */
  readonly recommended = new Map<string, { listId: string; productIds: string[] }>();

  constructor(private readonly opts: ShopperOptions) {
    this.rand = seededRandom(opts.seed ?? Date.now());
    this.zipf = new Zipf(opts.productIds.length);
    this.runId = Math.floor(this.rand() * 2 ** 32).toString(36);
  }

  private product(s: Session): string {
    const ids = this.opts.productIds;
    // Half the time near the session's interest (so co-occurrence has structure to find), else by popularity.
    const i = this.rand() < 0.5 ? (s.focus + Math.floor(this.rand() * 5)) % ids.length : this.zipf.sample(this.rand);
    return ids[i]!;
  }

  private newSession(): Session {
    const u = Math.floor(this.rand() * this.opts.users);
    return {
      userId: `sim-user-${u}`,
      sessionId: `sim-${this.runId}-s${this.counter++}`,
      focus: this.zipf.sample(this.rand),
      cart: [],
      left: 3 + Math.floor(this.rand() * 12),
      // A fifth of sessions arrive from an ad; their purchases are credited to it by last click.
      campaign: this.opts.campaignIds?.length && this.rand() < 0.2 ? this.pick(this.opts.campaignIds) : undefined,
      clickedAd: false,
    };
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  private purchase(item: { productId: string; listId?: string }) {
    return { type: 'PURCHASE' as const, productId: item.productId, ...(item.listId ? { recommendationId: item.listId } : {}) };
  }

  /** Users whose sessions are open now (the driver fetches their recommendations). */
  activeUsers(): string[] {
    return this.sessions.map((s) => s.userId);
  }

  next(): SimEvent {
    while (this.sessions.length < (this.opts.sessions ?? 50)) this.sessions.push(this.newSession());
    const index = Math.floor(this.rand() * this.sessions.length);
    const s = this.sessions[index]!;
    const base = { id: `sim-${this.runId}-${this.counter++}`, userId: s.userId, sessionId: s.sessionId };
    s.left--;
    if (s.left <= 0) {
      this.sessions.splice(index, 1);
      if (s.cart.length && this.rand() < 0.6) return { ...base, ...this.purchase(s.cart[0]!), quantity: 1 + Math.floor(this.rand() * 2) };
    }
    if (s.campaign && !s.clickedAd) {
      s.clickedAd = true;
      return { ...base, type: 'CLICK', productId: this.product(s), campaignId: s.campaign };
    }
    // Ads shown on the pages shoppers browse: a few percent of them get clicked (the sessions above).
    if (this.opts.campaignIds?.length && this.rand() < 0.3) {
      return { ...base, type: 'IMPRESSION', productId: this.product(s), campaignId: this.pick(this.opts.campaignIds) };
    }
    const clicked = s.clickedRecommendation;
    s.clickedRecommendation = undefined;
    if (clicked && this.rand() < 0.4) {
      // Storefronts carry the list id from the click through the cart to the purchase (A/B credit).
      s.cart.push(clicked);
      return { ...base, type: 'ADD_TO_CART', productId: clicked.productId, recommendationId: clicked.listId };
    }
    const r = this.rand();
    const rec = this.recommended.get(s.userId);
    if (rec && rec.productIds.length && r < 0.12) {
      const productId = rec.productIds[Math.floor(this.rand() * Math.min(5, rec.productIds.length))]!;
      s.clickedRecommendation = { productId, listId: rec.listId };
      return { ...base, type: 'CLICK', productId, recommendationId: rec.listId };
    }
    if (r < 0.6) return { ...base, type: 'VIEW', productId: this.product(s) };
    if (r < 0.8) return { ...base, type: 'CLICK', productId: this.product(s) };
    if (r < 0.93) {
      const productId = this.product(s);
      s.cart.push({ productId });
      // Storefronts tag cart additions made in a session that came from an ad.
      return { ...base, type: 'ADD_TO_CART', productId, ...(s.campaign ? { campaignId: s.campaign } : {}) };
    }
    if (r < 0.96 && s.cart.length) return { ...base, type: 'REMOVE_FROM_CART', productId: s.cart.pop()!.productId };
    if (s.cart.length) return { ...base, ...this.purchase(s.cart.shift()!), quantity: 1 };
    return { ...base, type: 'IMPRESSION' };
  }
}

/** A demo catalog: categories with a handful of products each, prices and stock that look like a shop. */
export function demoCatalog(n: number, seed = 7) {
  const rand = seededRandom(seed);
  const categories = ['shoes', 'jackets', 'bags', 'hats', 'watches', 'shirts', 'trousers', 'socks', 'scarves', 'belts'];
  const singular = ['shoe', 'jacket', 'bag', 'hat', 'watch', 'shirt', 'trousers', 'socks', 'scarf', 'belt'];
  const adjectives = ['Classic', 'Urban', 'Trail', 'Summer', 'Winter', 'Studio', 'Coastal', 'Alpine', 'Vintage', 'Sport'];
  return Array.from({ length: n }, (_, i) => {
    const category = categories[i % categories.length]!;
    return {
      id: `sku-${String(i).padStart(4, '0')}`,
      name: `${adjectives[Math.floor(i / categories.length) % adjectives.length]} ${singular[i % singular.length]} ${i}`,
      category,
      price: Math.round((10 + rand() * 190) * 100) / 100,
      // Modest stock, so that popular products run low within minutes of simulated traffic.
      stock: 20 + Math.floor(rand() * 120),
      lowStockThreshold: 10,
    };
  });
}
