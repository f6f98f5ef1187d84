// An API instance's in-process view of the catalog for live recommendation lists, which are recomputed on every
// event of their shopper and would otherwise read the same product rows from Postgres each time:
// - which products are out of stock: loaded from Postgres, kept current by the stock-out and restock messages
//   that every live list already listens to (topics.allUsers), and reloaded every `refreshMs` and whenever the
//   pub/sub connection comes back, so that a lost message costs at most that long;
// - product rows (name, category, price, currency) by id, loaded on a miss and dropped on a catalog message
//   (topics.catalog) or after `ttlMs` (at most 50,000, the oldest loads dropped first). Their stock and threshold are those of the load: the Product type's
//   stock fields read Postgres for a cached product (see isCachedProduct), so no client sees a stale count.
import { FEATURES_REBUILT, topics } from './keys';
import type { Product, ProductStore } from './products';
import type { PubSub, Unsubscribe } from './pubsub';

const CACHED = Symbol('cachedProduct');
/** Most product rows kept; the oldest loads go first. */
const MAX_ROWS = 50_000;

/** Whether a product object came from the cache (its stock fields may be behind Postgres). */
export function isCachedProduct(p: Product): boolean {
  return CACHED in p;
}

export interface ProductCacheOptions {
  /** How long a product row is served before it is read again. @default 60 s */
  ttlMs?: number;
  /** How often the out-of-stock set is reloaded in full. @default 10 s */
  refreshMs?: number;
}

export class ProductCache {
  private readonly rows = new Map<string, { product: Product; loadedAt: number }>();
  private outOfStock = new Set<string>();
  /** Availability messages received while a reload was in flight, applied again on top of its result. */
  private duringReload: Array<{ productId: string; inStock: boolean }> | null = null;
  private started?: Promise<void>;
  private unsubscribe: Unsubscribe[] = [];
  private timer?: NodeJS.Timeout;
  private readonly ttlMs: number;
  private readonly refreshMs: number;

  constructor(
    private readonly products: ProductStore,
    private readonly pubsub: PubSub,
    opts: ProductCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.refreshMs = opts.refreshMs ?? 10_000;
  }

  /** Loads the out-of-stock set and starts listening, once; later calls wait for the same start. */
  ready(): Promise<void> {
    this.started ??= this.start().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  private async start(): Promise<void> {
    // Subscribed before the load, so that no change between the two is missed (reload() replays them); once, also
    // when an earlier start subscribed and then failed to load. Started by the first live list, before its LiveQuery
    // subscribes (RecommendationService.live), so this listener is among the first two of topics.allUsers: a message
    // for more listeners than FAN_OUT_CHUNK is handed out over several turns of the loop (pubsub.ts), and the lists
    // the first chunk sets recomputing must find the stock change applied here already.
    if (!this.unsubscribe.length) {
      this.unsubscribe.push(
        await this.pubsub.subscribe(topics.allUsers(), (message) => {
          if (message === FEATURES_REBUILT) return; // features only: stock lives in Postgres
          const change = JSON.parse(message) as { productId: string; inStock: boolean };
          this.duringReload?.push(change);
          this.applyAvailability(change);
        }),
        await this.pubsub.subscribe(topics.catalog(), (message) => {
          for (const id of JSON.parse(message) as string[]) this.rows.delete(id);
        }),
      );
      this.pubsub.onReconnect?.(() => {
        if (this.timer) void this.reload().catch(() => undefined);
      });
    }
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  private applyAvailability(change: { productId: string; inStock: boolean }): void {
    if (change.inStock) this.outOfStock.delete(change.productId);
    else this.outOfStock.add(change.productId);
  }

  /** Reloads the out-of-stock set from Postgres. */
  async reload(): Promise<void> {
    const pending: Array<{ productId: string; inStock: boolean }> = [];
    this.duringReload = pending;
    try {
      this.outOfStock = new Set(await this.products.outOfStockIds());
      for (const change of pending) this.applyAvailability(change);
    } finally {
      if (this.duringReload === pending) this.duringReload = null;
    }
  }

  inStock(productId: string): boolean {
    return !this.outOfStock.has(productId);
  }

  /** The products among `ids` that exist: from memory, with one Postgres query for the missing or expired ones. */
  async get(ids: Iterable<string>): Promise<Map<string, Product>> {
    const out = new Map<string, Product>();
    const missing = new Set<string>();
    const now = Date.now();
    for (const id of ids) {
      if (out.has(id)) continue;
      const hit = this.rows.get(id);
      if (hit && now - hit.loadedAt < this.ttlMs) out.set(id, hit.product);
      else missing.add(id);
    }
    if (missing.size) {
      for (const p of await this.products.findByIds([...missing])) {
        const product = Object.assign(p, { [CACHED]: true });
        // Re-inserted at the end, so that the first entry is always the oldest load.
        this.rows.delete(p.id);
        this.rows.set(p.id, { product, loadedAt: now });
        if (this.rows.size > MAX_ROWS) this.rows.delete(this.rows.keys().next().value!);
        out.set(p.id, product);
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const subs = this.unsubscribe.splice(0);
    await Promise.all(subs.map((u) => u()));
    this.started = undefined;
  }
}
