// An API instance's near cache of the feature store's shared reads: each product's top neighbours and the
// store's most popular products. A live list is recomputed on every event of its shopper and reads the
// neighbours of up to 8 seeds (and what follows 3 of them) each time; across shoppers the same products' lists are read over and
// over, and in Redis that read was most of a push's cost. Entries are served for `ttlMs` (LIVE_FEATURE_CACHE_MS),
// so a live list may miss co-occurrence that other shoppers' events added within that time; the shopper's own
// state (recent items, cart, exclusions) is never cached. Queries and each subscription's first list read Redis.
import { neighbourList, type FeatureStore, type NeighbourFamily, type NeighbourList } from './feature-store';

interface Entry<T> {
  value: T;
  at: number;
}

const FAMILIES: readonly NeighbourFamily[] = ['coOccurrence', 'sequential'];

/** Most products whose neighbour lists (of each family) are kept; the oldest entries go first. */
const MAX_PRODUCTS = 20_000;

export class FeatureCache {
  private readonly lists: Record<NeighbourFamily, Map<string, Entry<NeighbourList>>> = { coOccurrence: new Map(), sequential: new Map() };
  private popularList?: Entry<Promise<Map<string, number>>>;

  constructor(
    private readonly features: FeatureStore,
    private readonly ttlMs: number,
    private readonly neighboursPerProduct: number,
    private readonly popularCount: number,
    /** The clock entries age by (tests drive their own). @default Date.now */
    private readonly now: () => number = Date.now,
  ) {}

  /** Each product's top neighbours, with one Redis round trip for those not fresh here. */
  async neighbours(productIds: string[]): Promise<Map<string, NeighbourList>> {
    return (await this.read({ coOccurrence: productIds, sequential: [] })).coOccurrence;
  }

  /**
   * Each product's top neighbours of each family (co-occurrence; what is touched after it), with one Redis round
   * trip for all those not fresh here.
   */
  async read(asked: Record<NeighbourFamily, string[]>): Promise<Record<NeighbourFamily, Map<string, NeighbourList>>> {
    const now = this.now();
    const out: Record<NeighbourFamily, Map<string, NeighbourList>> = { coOccurrence: new Map(), sequential: new Map() };
    const missing: Array<{ productId: string; family: NeighbourFamily }> = [];
    for (const family of FAMILIES) {
      for (const productId of asked[family]) {
        const hit = this.lists[family].get(productId);
        if (hit && now - hit.at < this.ttlMs) out[family].set(productId, hit.value);
        else missing.push({ productId, family });
      }
    }
    if (missing.length) {
      const lists = await this.features.neighbourLists(missing, this.neighboursPerProduct);
      missing.forEach(({ productId, family }, i) => {
        const list = neighbourList(lists[i]!);
        out[family].set(productId, list);
        if (this.ttlMs <= 0) return;
        // Re-inserted at the end, so that the first entry is always the oldest.
        const cached = this.lists[family];
        cached.delete(productId);
        cached.set(productId, { value: list, at: now });
        if (cached.size > MAX_PRODUCTS) cached.delete(cached.keys().next().value!);
      });
    }
    return out;
  }

  /** The most popular products (→ decayed popularity), read once per `ttlMs` whoever asks. */
  popular(): Promise<Map<string, number>> {
    const now = this.now();
    if (!this.popularList || now - this.popularList.at >= this.ttlMs) {
      const value = this.features.popular(this.popularCount);
      this.popularList = { value, at: now };
      value.catch(() => (this.popularList = undefined));
    }
    return this.popularList.value;
  }
}
