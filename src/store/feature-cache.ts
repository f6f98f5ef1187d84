// An API instance's near cache of the feature store's shared reads: each product's top neighbours and the
// store's most popular products. A live list is recomputed on every event of its shopper and reads the
// neighbours of up to a dozen seeds each time; across shoppers the same products' lists are read over and
// over, and in Redis that read was most of a push's cost. Entries are served for `ttlMs` (LIVE_FEATURE_CACHE_MS),
// so a live list may miss co-occurrence that other shoppers' events added within that time; the shopper's own
// state (recent items, cart, exclusions) is never cached. Queries and each subscription's first list read Redis.
import { neighbourList, type FeatureStore, type NeighbourList } from './feature-store';

interface Entry<T> {
  value: T;
  at: number;
}

/** Most products whose neighbour lists are kept; the oldest entries go first. */
const MAX_PRODUCTS = 20_000;

export class FeatureCache {
  private readonly neighbourLists = new Map<string, Entry<NeighbourList>>();
  private popularList?: Entry<Promise<Map<string, number>>>;

  constructor(
    private readonly features: FeatureStore,
    private readonly ttlMs: number,
    private readonly neighboursPerProduct: number,
    private readonly popularCount: number,
  ) {}

  /** Each product's top neighbours, with one Redis round trip for those not fresh here. */
  async neighbours(productIds: string[]): Promise<Map<string, NeighbourList>> {
    const now = Date.now();
    const out = new Map<string, NeighbourList>();
    const missing: string[] = [];
    for (const p of productIds) {
      const hit = this.neighbourLists.get(p);
      if (hit && now - hit.at < this.ttlMs) out.set(p, hit.value);
      else missing.push(p);
    }
    if (missing.length) {
      for (const [p, map] of await this.features.neighbours(missing, this.neighboursPerProduct)) {
        const list = neighbourList(map);
        out.set(p, list);
        if (this.ttlMs <= 0) continue;
        // Re-inserted at the end, so that the first entry is always the oldest.
        this.neighbourLists.delete(p);
        this.neighbourLists.set(p, { value: list, at: now });
        if (this.neighbourLists.size > MAX_PRODUCTS) this.neighbourLists.delete(this.neighbourLists.keys().next().value!);
      }
    }
    return out;
  }

  /** The most popular products (→ decayed popularity), read once per `ttlMs` whoever asks. */
  popular(): Promise<Map<string, number>> {
    const now = Date.now();
    if (!this.popularList || now - this.popularList.at >= this.ttlMs) {
      const value = this.features.popular(this.popularCount);
      this.popularList = { value, at: now };
      value.catch(() => (this.popularList = undefined));
    }
    return this.popularList.value;
  }
}
