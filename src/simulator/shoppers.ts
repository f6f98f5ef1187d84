// Realistic shopper behaviour for demos and benchmarks: sessions of shoppers with hidden tastes (tastes.ts) that
// browse, click, cart and buy what they like, and pick from the recommendations they are shown. Pure: a seeded
// random source in, events out.
import {
  BrowsingPlan,
  CatalogTraits,
  cartProbability,
  checkoutProbability,
  chooseFromList,
  DEFAULT_TASTES,
  drawFromCdf,
  hashString,
  seededRandom,
  ShopperTastes,
  type TasteParams,
} from './tastes';

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

// The simulator's seeded generator lives with the tastes it also draws; benches import it from here.
export { seededRandom };

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
    return drawFromCdf(this.cdf, rand);
  }
}

interface Session {
  userId: string;
  sessionId: string;
  tastes: ShopperTastes;
  /** Where this visit's attention goes: mostly one category the shopper likes. */
  plan: BrowsingPlan;
  /** Products in the cart, with the recommendation list they were picked from (credited on purchase). */
  cart: Array<{ productId: string; listId?: string }>;
  /** A recommendation the session just clicked: shoppers often put it in the cart next. */
  clickedRecommendation?: { productId: string; listId: string };
  left: number;
  /** The ad campaign the session came from, if any: its first action is a click on the ad. */
  campaign?: string;
  clickedAd: boolean;
  /** At the end of the visit: the cart items still to be bought, one event each. */
  checkout?: Array<{ productId: string; listId?: string }>;
}

export interface ShopperOptions {
  users: number;
  /** The catalog, most popular first (the first products have the broadest appeal). */
  productIds: string[];
  /** Each product's category, parallel to productIds. @default ten groups by position, as demoCatalog lays them out */
  categories?: string[];
  seed?: number;
  /** Concurrent sessions. @default 50 */
  sessions?: number;
  /** Campaigns whose ads are shown (impressions) and clicked. */
  campaignIds?: string[];
  /** How tastes are spread and how choosy shoppers are. @default DEFAULT_TASTES */
  tastes?: Partial<TasteParams>;
}

/** A recommendation list the storefront showed a shopper: its id is sent back with what is picked from it. */
export interface ShownList {
  listId: string;
  productIds: string[];
}

/**
 * An endless stream of plausible events from many concurrent sessions of shoppers with hidden tastes: they browse
 * what they like (plus some noise), and click and buy what they like among the recommendations they are shown.
 */
export class ShopperSimulator {
  private readonly rand: () => number;
  private readonly zipf: Zipf;
  private readonly sessions: Session[] = [];
  private counter = 0;
  private readonly runId: string;
  readonly catalog: CatalogTraits;
  private readonly productNumber: Map<string, number>;
  private readonly tasteCache = new Map<number, ShopperTastes>();
  /**
   * Recommendation lists the storefront fetched and showed, by user, not yet looked at: the user's session
   * looks at its list once, when it next browses (clicks one item or nothing), and the list is gone. One look
   * per list served is what makes clicks per list served a measure of how well the list fits the shopper.
   */
  readonly recommended = new Map<string, ShownList>();

  constructor(private readonly opts: ShopperOptions) {
    this.rand = seededRandom(opts.seed ?? Date.now());
    this.zipf = new Zipf(opts.productIds.length);
    this.runId = Math.floor(this.rand() * 2 ** 32).toString(36);
    this.catalog = new CatalogTraits(opts.productIds, opts.categories, { ...DEFAULT_TASTES, ...opts.tastes });
    this.productNumber = new Map(opts.productIds.map((id, i) => [id, i]));
  }

  /**
   * A shopper's hidden tastes, drawn from the user's id alone: every session agrees, and so does every run (a
   * second `npm run demo` on the same database continues with the shoppers the model learnt, not strangers
   * under old names). The run's seed decides what they do.
   */
  tastesOf(user: number): ShopperTastes {
    let t = this.tasteCache.get(user);
    if (!t) this.tasteCache.set(user, (t = new ShopperTastes(this.catalog, seededRandom(hashString(`sim-user-${user}`)))));
    return t;
  }

  /** How much a user (`sim-user-N`) likes a product; null for a product or user the simulator does not know. */
  affinity(userId: string, productId: string): number | null {
    const user = /^sim-user-(\d+)$/.exec(userId)?.[1];
    const i = this.productNumber.get(productId);
    return user === undefined || i === undefined ? null : this.tastesOf(Number(user)).affinity(i);
  }

  private id(i: number): string {
    return this.opts.productIds[i]!;
  }

  /** A product by the session's taste; one in ten is anything at all (a link, a search that went astray). */
  private product(s: Session, choosiness = 1): string {
    if (this.rand() < 0.1) return this.id(Math.floor(this.rand() * this.opts.productIds.length));
    return this.id(s.plan.choosy(this.rand, choosiness));
  }

  private newSession(): Session {
    const u = Math.floor(this.rand() * this.opts.users);
    const tastes = this.tastesOf(u);
    return {
      userId: `sim-user-${u}`,
      sessionId: `sim-${this.runId}-s${this.counter++}`,
      tastes,
      plan: new BrowsingPlan(tastes, tastes.mission(this.rand)),
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

  private liking(s: Session, productId: string): number {
    const i = this.productNumber.get(productId);
    return i === undefined ? 0 : s.tastes.affinity(i);
  }

  private purchase(item: { productId: string; listId?: string }) {
    return { type: 'PURCHASE' as const, productId: item.productId, ...(item.listId ? { recommendationId: item.listId } : {}) };
  }

  private leastLikedInCart(s: Session): number {
    let worst = 0;
    for (let k = 1; k < s.cart.length; k++) if (this.liking(s, s.cart[k]!.productId) < this.liking(s, s.cart[worst]!.productId)) worst = k;
    return worst;
  }

  /** Users whose sessions are open now (the driver fetches their recommendations). */
  activeUsers(): string[] {
    return this.sessions.map((s) => s.userId);
  }

  /** The session looks at the list it was shown: a click on what it likes, or null (nothing appealed). */
  private lookAt(s: Session, list: ShownList): string | null {
    this.recommended.delete(s.userId);
    const known = list.productIds.filter((p) => this.productNumber.has(p));
    if (!known.length) return null;
    const k = chooseFromList(known.map((p) => this.liking(s, p)), this.rand, this.catalog.params);
    return k < 0 ? null : known[k]!;
  }

  next(): SimEvent {
    while (this.sessions.length < (this.opts.sessions ?? 50)) this.sessions.push(this.newSession());
    const index = Math.floor(this.rand() * this.sessions.length);
    const s = this.sessions[index]!;
    const base = { id: `sim-${this.runId}-${this.counter++}`, userId: s.userId, sessionId: s.sessionId };
    s.left--;
    if (s.left <= 0 && !s.checkout) {
      // The visit ends at the checkout: each cart item is bought or left by how much the shopper likes it.
      s.checkout = s.cart.filter((item) => this.rand() < checkoutProbability(this.liking(s, item.productId)));
    }
    if (s.checkout) {
      const item = s.checkout.shift();
      if (!s.checkout.length) this.sessions.splice(index, 1);
      if (item) return { ...base, ...this.purchase(item), quantity: 1 + Math.floor(this.rand() * 2) };
    }
    if (s.campaign && !s.clickedAd) {
      s.clickedAd = true;
      return { ...base, type: 'CLICK', productId: this.product(s), campaignId: s.campaign };
    }
    // Ads shown on the pages shoppers browse: a few percent of them get clicked (the sessions above).
    if (this.opts.campaignIds?.length && this.rand() < 0.3) {
      return { ...base, type: 'IMPRESSION', productId: this.id(this.zipf.sample(this.rand)), campaignId: this.pick(this.opts.campaignIds) };
    }
    const clicked = s.clickedRecommendation;
    s.clickedRecommendation = undefined;
    if (clicked && this.rand() < cartProbability(this.liking(s, clicked.productId))) {
      // Storefronts carry the list id from the click through the cart to the purchase (A/B credit).
      s.cart.push(clicked);
      return { ...base, type: 'ADD_TO_CART', productId: clicked.productId, recommendationId: clicked.listId };
    }
    const shown = this.recommended.get(s.userId);
    const picked = shown ? this.lookAt(s, shown) : null;
    if (shown && picked) {
      s.clickedRecommendation = { productId: picked, listId: shown.listId };
      return { ...base, type: 'CLICK', productId: picked, recommendationId: shown.listId };
    }
    // Browsing: views, clicks and carts by taste, the stronger the action the choosier.
    const r = this.rand();
    if (r < 0.6) return { ...base, type: 'VIEW', productId: this.product(s) };
    if (r < 0.8) return { ...base, type: 'CLICK', productId: this.product(s, 2) };
    if (r < 0.93) {
      const productId = this.product(s, 3);
      s.cart.push({ productId });
      // Storefronts tag cart additions made in a session that came from an ad.
      return { ...base, type: 'ADD_TO_CART', productId, ...(s.campaign ? { campaignId: s.campaign } : {}) };
    }
    if (r < 0.96 && s.cart.length) return { ...base, type: 'REMOVE_FROM_CART', productId: s.cart.splice(this.leastLikedInCart(s), 1)[0]!.productId };
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
