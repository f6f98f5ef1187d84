// Hidden tastes of simulated shoppers, and the choices they make with them. Pure: ids and seeds in, numbers out.
//
// A product has a category, a few latent "style" attributes and a broad appeal (some products please almost
// everyone); a shopper has a liking per category and a style vector. Their affinity is a utility on a logit scale:
//
//   affinity(u, i) = categoryTaste[u][category(i)] + style[u] · style[i] + appeal[i]
//
// Shoppers browse by it (views, clicks and carts drawn from what they like, plus some noise), so their history
// carries the taste a model can learn; and from a recommendation list they click what they like among what they
// are shown (a multinomial logit with an outside option: sometimes nothing), so a list that fits the shopper's
// taste gets more clicks than one that does not. The simulator never reads a model: what it shows comes from
// the platform.
import { Rng } from '../recommender/random';


/** Latent style attributes per product and shopper. */
export const STYLE_FACTORS = 4;

/** The knobs of taste and choice; the defaults are what the demo runs with. */
export interface TasteParams {
  /** Spread of a shopper's liking of a category that is not a favourite (normal, logit scale). @default 0.6 */
  categorySpread: number;
  /** Liking of a shopper's favourite category, and of the second one that 60 % of shoppers have. @default [2.2, 1.4] */
  favourites: readonly [number, number];
  /** Spread of a shopper's style vector; a product's style is standard normal per factor. @default 0.7 */
  styleSpread: number;
  /** Appeal of the most popular product (productIds come most popular first); the k-th has top/(1 + k/10). @default 1.5 */
  topAppeal: number;
  /**
   * Utility of clicking nothing on a list of recommendations. A list of five products the shopper scores at 0
   * (indifferent) is clicked 12 % of the time; at 2 (a liked category), 50 %. @default 3.3
   */
  noClick: number;
  /** Attention paid to the k-th item of a list: 1/(1 + positionDecay·k). @default 0.2 */
  positionDecay: number;
}

export const DEFAULT_TASTES: TasteParams = {
  categorySpread: 0.6,
  favourites: [2.2, 1.4],
  styleSpread: 0.7,
  topAppeal: 1.5,
  noClick: 3.3,
  positionDecay: 0.2,
};

/** A standard normal from a uniform source (Box–Muller; one value per call keeps the stream simple to replay). */
export function normal(rand: () => number): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** FNV-1a over a string: a product's attributes (and a shopper's tastes) depend on its id only, the same in every run. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mulberry32: small, fast, seeded; good enough for traffic shapes and tastes. */
export function seededRandom(seed: number): () => number {
  const rng = Rng.fromState(seed);
  return () => rng.next();
}

/** What shoppers can like about the catalog's products. */
export class CatalogTraits {
  readonly size: number;
  /** Category number of each product. */
  readonly category: Int32Array;
  readonly categoryCount: number;
  /** STYLE_FACTORS per product. */
  readonly style: Float64Array;
  readonly appeal: Float64Array;
  /** Product numbers of each category. */
  readonly members: Int32Array[];

  /**
   * @param categories each product's category, parallel to productIds; by default ten groups by position
   *   (i mod 10), which is how demoCatalog lays its categories out.
   */
  constructor(
    readonly productIds: readonly string[],
    categories?: readonly string[],
    readonly params: TasteParams = DEFAULT_TASTES,
  ) {
    const n = productIds.length;
    this.size = n;
    this.category = new Int32Array(n);
    const numbers = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = categories?.[i] ?? `group-${i % 10}`;
      let c = numbers.get(name);
      if (c === undefined) numbers.set(name, (c = numbers.size));
      this.category[i] = c;
    }
    this.categoryCount = numbers.size;
    const members: number[][] = Array.from({ length: this.categoryCount }, () => []);
    for (let i = 0; i < n; i++) members[this.category[i]!]!.push(i);
    this.members = members.map((m) => Int32Array.from(m));
    this.style = new Float64Array(n * STYLE_FACTORS);
    this.appeal = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const rand = seededRandom(hashString(productIds[i]!));
      for (let f = 0; f < STYLE_FACTORS; f++) this.style[i * STYLE_FACTORS + f] = normal(rand);
      this.appeal[i] = params.topAppeal / (1 + i / 10);
    }
  }
}

/** One shopper's hidden tastes: the same for every session of theirs within a run. */
export class ShopperTastes {
  /** Liking per category number. */
  readonly categoryTaste: Float64Array;
  readonly style: Float64Array;

  constructor(
    readonly catalog: CatalogTraits,
    rand: () => number,
  ) {
    const p = catalog.params;
    this.categoryTaste = new Float64Array(catalog.categoryCount);
    for (let c = 0; c < catalog.categoryCount; c++) this.categoryTaste[c] = p.categorySpread * normal(rand) - 0.5;
    const first = Math.floor(rand() * catalog.categoryCount);
    this.categoryTaste[first] = p.favourites[0];
    if (catalog.categoryCount > 1 && rand() < 0.6) {
      const second = (first + 1 + Math.floor(rand() * (catalog.categoryCount - 1))) % catalog.categoryCount;
      this.categoryTaste[second] = p.favourites[1];
    }
    this.style = Float64Array.from({ length: STYLE_FACTORS }, () => p.styleSpread * normal(rand));
  }

  /** How much this shopper likes product number i (logit scale; 0 is indifferent). */
  affinity(i: number): number {
    const c = this.catalog;
    let dot = 0;
    for (let f = 0; f < STYLE_FACTORS; f++) dot += this.style[f]! * c.style[i * STYLE_FACTORS + f]!;
    return this.categoryTaste[c.category[i]!]! + dot + c.appeal[i]!;
  }

  /** The category a visit is about: drawn in proportion to exp(liking), so mostly a favourite. */
  mission(rand: () => number): number {
    let total = 0;
    for (const t of this.categoryTaste) total += Math.exp(t);
    let u = rand() * total;
    for (let c = 0; c < this.categoryTaste.length; c++) {
      u -= Math.exp(this.categoryTaste[c]!);
      if (u < 0) return c;
    }
    return this.categoryTaste.length - 1;
  }
}

/**
 * Where a visit's attention goes: products in proportion to exp(affinity), three times more within the visit's
 * category (so a session hangs together, as real ones do, and co-occurrence has structure to find).
 */
export class BrowsingPlan {
  private readonly cdf: Float64Array;

  constructor(
    readonly tastes: ShopperTastes,
    mission: number,
  ) {
    const n = tastes.catalog.size;
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const boost = tastes.catalog.category[i] === mission ? 3 : 1;
      this.cdf[i] = sum += boost * Math.exp(tastes.affinity(i));
    }
    for (let i = 0; i < n; i++) this.cdf[i]! /= sum;
  }

  /** A product by taste. */
  sample(rand: () => number): number {
    return drawFromCdf(this.cdf, rand);
  }

  /** The best liked of `k` products drawn by taste: stronger actions (clicks, carts) are choosier than views. */
  choosy(rand: () => number, k: number): number {
    let best = this.sample(rand);
    for (let j = 1; j < k; j++) {
      const other = this.sample(rand);
      if (this.tastes.affinity(other) > this.tastes.affinity(best)) best = other;
    }
    return best;
  }
}

/**
 * Probabilities of clicking each item of a list shown in this order, from the shopper's affinities for them
 * (a multinomial logit with an outside option, items weighted by the attention their position gets). The
 * chance of clicking nothing is 1 − their sum.
 */
export function clickProbabilities(affinities: readonly number[], params: TasteParams = DEFAULT_TASTES): number[] {
  const weights = affinities.map((a, k) => Math.exp(a) / (1 + params.positionDecay * k));
  const total = Math.exp(params.noClick) + weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

/** Which item of a shown list the shopper clicks, or -1 for none. */
export function chooseFromList(affinities: readonly number[], rand: () => number, params: TasteParams = DEFAULT_TASTES): number {
  const p = clickProbabilities(affinities, params);
  let u = rand();
  for (let k = 0; k < p.length; k++) {
    u -= p[k]!;
    if (u < 0) return k;
  }
  return -1;
}

/** Chance that a clicked product goes into the cart: 45 % at affinity 0 (indifferent), 79 % at 2, 11 % at -2. */
export function cartProbability(affinity: number): number {
  return 0.9 / (1 + Math.exp(-affinity));
}

/**
 * Chance that a cart item is bought when the visit ends at the checkout: 34 % at affinity 0, 51 % at 2 (carts
 * are mostly liked already: what the shopper likes less is what stays behind).
 */
export function checkoutProbability(affinity: number): number {
  return 0.25 + 0.35 / (1 + Math.exp(-(affinity - 1)));
}

/** An index drawn from a cumulative distribution (ascending, ending at 1): the first entry at or above a uniform draw. */
export function drawFromCdf(cdf: Float64Array, rand: () => number): number {
  const u = rand();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
