// Catalog rules: what a valid product is, batch limits, pagination.
import { z } from 'zod';
import type { InventoryStore } from '../store/inventory';
import { topics } from '../store/keys';
import type { PubSub } from '../store/pubsub';
import { isCachedProduct } from '../store/product-cache';
import type { Product, ProductStore } from '../store/products';
import type { StockChange } from '../domain/stock-rules';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../store/pagination';
import { parseBatch, rejectDuplicateKeys } from './validation';

export const MAX_UPSERT_BATCH = 1000;

/** Product and other external ids: what a shop's SKUs and user ids look like, nothing that needs escaping. */
export const externalId = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9_.:/-]+$/, 'may hold only letters, digits and - _ . : /');

const productInput = z.object({
  id: externalId,
  name: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  category: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  price: z
    .number()
    .finite()
    .min(0, 'must not be negative')
    .max(1e9, 'must be below 1,000,000,000')
    .refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'must have at most two decimals'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD')
    .nullish()
    .transform((v) => v ?? null),
  stock: z.number().int().min(0, 'must not be negative').max(1e9).nullish().transform((v) => v ?? null),
  lowStockThreshold: z.number().int().min(0, 'must not be negative').max(1e9).nullish().transform((v) => v ?? null),
});

export class CatalogService {
  constructor(
    private readonly products: ProductStore,
    private readonly inventory: InventoryStore,
    private readonly pubsub?: PubSub,
  ) {}

  /** Whether a product's stock fields may be behind Postgres: it came from an API instance's ProductCache. */
  stockMayBeBehind(product: Product): boolean {
    return isCachedProduct(product);
  }

  /** Creates or updates products; stock and thresholds go through the inventory ledger in the same transaction. */
  async upsertProducts(actor: string, input: readonly unknown[]): Promise<{ products: Product[]; created: number; updated: number }> {
    const items = parseBatch(productInput, input, 'products', { max: MAX_UPSERT_BATCH });
    rejectDuplicateKeys(items, (p) => p.id, 'products');
    const result = await this.inventory.transaction(async (tx) => {
      const upserted = new Map((await this.products.upsertMany(items, tx)).map((r) => [r.id, r.created]));
      const changes: StockChange[] = items.flatMap((i): StockChange[] => {
        const created = upserted.get(i.id)!;
        const out: StockChange[] = [];
        if (i.lowStockThreshold !== null) out.push({ kind: 'THRESHOLD', productId: i.id, threshold: i.lowStockThreshold, actor });
        if (i.stock !== null && (i.stock > 0 || !created)) {
          out.push(created ? { kind: 'INITIAL', productId: i.id, stock: i.stock, actor, reason: 'created by upsertProducts' } : { kind: 'SET', productId: i.id, stock: i.stock, actor, reason: 'upsertProducts' });
        }
        return out;
      });
      if (changes.length) await this.inventory.applyChanges(tx, changes);
      const rows = new Map((await this.products.findByIds(items.map((i) => i.id), tx)).map((p) => [p.id, p]));
      const ordered = items.map((i) => rows.get(i.id)!);
      const created = items.filter((i) => upserted.get(i.id)).length;
      return { products: ordered, created, updated: ordered.length - created };
    });
    // API instances drop their cached rows of these products (ProductCache); a lost message costs them at most
    // the cache's time to live.
    await this.pubsub?.publish(topics.catalog(), JSON.stringify(items.map((i) => i.id))).catch(() => undefined);
    return result;
  }

  async listProducts(args: PageArgs & { category?: string | null }): Promise<Page<Product>> {
    const size = pageSize(args.first);
    const afterId = args.after ? decodeCursor(args.after, 'product', externalId) : undefined;
    const rows = await this.products.list({ limit: size + 1, afterId, category: args.category ?? undefined });
    return toPage(rows, size, 'product', (p) => p.id);
  }

  /** Batch function for the per-request product DataLoader: results in the order of `ids`, null when unknown. */
  async productsByIds(ids: readonly string[]): Promise<Array<Product | null>> {
    const found = new Map((await this.products.findByIds(ids)).map((p) => [p.id, p]));
    return ids.map((id) => found.get(id) ?? null);
  }
}
