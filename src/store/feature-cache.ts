// An API instance's near cache of the feature store's shared reads: each product's top neighbours and the
// store's most popular products. A live list is recomputed on every event of its shopper and reads the
// neighbours of up to 8 seeds (and what follows 3 of them) each time; across shoppers the same products' lists are read over and
// over, and in Redis that read was most of a push's cost. Entries are served for `ttlMs` (LIVE_FEATURE_CACHE_MS),
// so a live list may miss co-occurrence that other shoppers' events added within that time; the shopper's own
// state (recent items, cart, exclusions) is never cached. Queries and each subscription's first list read Redis.
//
// Refresh ahead: an entry past half its time to live is still served, and read again in the background (once,
// whoever asks meanwhile); only an entry past its whole time to live, or absent, makes a push wait for Redis. A
// product asked for at least every ttl/2 is never waited for, and no entry served is older than ttlMs.
import { neighbourList, type NeighbourFamily, type NeighbourList } from '../domain/neighbours';
import type { FeatureStore } from './feature-store';

interface Entry<T> {
  value: T;
  at: number;
  /** A background read of this entry is in flight. */
  refreshing?: boolean;
}

const FAMILIES: readonly NeighbourFamily[] = ['coOccurrence', 'sequential'];

interface Wanted {
  productId: string;
  family: NeighbourFamily;
}

/** Most products whose neighbour lists (of each family) are kept; the oldest entries go first. */
const MAX_PRODUCTS = 20_000;

export class FeatureCache {
  private readonly lists: Record<NeighbourFamily, Map<string, Entry<NeighbourList>>> = { coOccurrence: new Map(), sequential: new Map() };
  private popularList?: Entry<Promise<Map<string, number>>>;
  /** Background reads in flight (see refreshed()). */
  private readonly background = new Set<Promise<unknown>>();

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
   * trip for all those not cached or past their time to live; those past half of it are served and read again in
   * the background.
   */
  async read(asked: Record<NeighbourFamily, string[]>): Promise<Record<NeighbourFamily, Map<string, NeighbourList>>> {
    const now = this.now();
    const out: Record<NeighbourFamily, Map<string, NeighbourList>> = { coOccurrence: new Map(), sequential: new Map() };
    const missing: Wanted[] = [];
    const ageing: Wanted[] = [];
    for (const family of FAMILIES) {
      for (const productId of asked[family]) {
        const hit = this.lists[family].get(productId);
        const age = hit ? now - hit.at : Infinity;
        if (age >= this.ttlMs) {
          missing.push({ productId, family });
          continue;
        }
        out[family].set(productId, hit!.value);
        if (age >= this.ttlMs / 2 && !hit!.refreshing) {
          hit!.refreshing = true;
          ageing.push({ productId, family });
        }
      }
    }
    if (ageing.length) {
      const done = this.load(ageing, now).then(
        () => undefined,
        // Left to a later push (or to expiry, when a push waits for Redis itself).
        () => {
          for (const { productId, family } of ageing) {
            const entry = this.lists[family].get(productId);
            if (entry) entry.refreshing = false;
          }
        },
      );
      this.track(done);
    }
    if (missing.length) {
      const lists = await this.load(missing, now);
      missing.forEach(({ productId, family }, i) => out[family].set(productId, lists[i]!));
    }
    return out;
  }

  /** Reads `wanted` from Redis in one round trip and keeps them as read at `at` (the moment they were asked for). */
  private async load(wanted: Wanted[], at: number): Promise<NeighbourList[]> {
    const lists = (await this.features.neighbourLists(wanted, this.neighboursPerProduct)).map((l) => neighbourList(l));
    if (this.ttlMs > 0) {
      wanted.forEach(({ productId, family }, i) => {
        // Re-inserted at the end, so that the first entry is always the oldest.
        const cached = this.lists[family];
        cached.delete(productId);
        cached.set(productId, { value: lists[i]!, at });
        if (cached.size > MAX_PRODUCTS) cached.delete(cached.keys().next().value!);
      });
    }
    return lists;
  }

  /** The most popular products (→ decayed popularity), read once per `ttlMs` whoever asks, again in the background
   * past half of it. */
  popular(): Promise<Map<string, number>> {
    const now = this.now();
    const current = this.popularList;
    const age = current ? now - current.at : Infinity;
    if (!current || age >= this.ttlMs) {
      const value = this.features.popular(this.popularCount);
      this.popularList = { value, at: now };
      value.catch(() => this.popularList?.value === value && (this.popularList = undefined));
      return value;
    }
    if (age >= this.ttlMs / 2 && !current.refreshing) {
      current.refreshing = true;
      const value = this.features.popular(this.popularCount);
      const done = value.then(
        () => void (this.popularList === current && (this.popularList = { value, at: now })),
        () => void (current.refreshing = false),
      );
      this.track(done);
    }
    return current.value;
  }

  private track(read: Promise<void>): void {
    this.background.add(read);
    void read.finally(() => this.background.delete(read));
  }

  /** Resolves once the background reads started so far have landed (or failed). */
  async refreshed(): Promise<void> {
    await Promise.all([...this.background]);
  }
}
