// Inventory rules around the store: validation of warehouse updates, purchases from events, listings, live alerts.
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors';
import { EventStream } from '../realtime/event-stream';
import type { InventoryStore, StoredAlert, StoredMovement } from '../store/inventory';
import { topics } from '../store/keys';
import { decodeCursor, pageSize, rowIdKey, toPage, type Page, type PageArgs } from '../store/pagination';
import type { Product, ProductStore } from '../store/products';
import type { PubSub } from '../store/pubsub';
import { externalId } from './catalog';
import { StockRuleError, type InventoryAlertKind, type StockChange } from '../domain/stock-rules';
import { parseBatch, parseInput, rejectDuplicateKeys } from './validation';

export const MAX_INVENTORY_BATCH = 1000;

export interface InventoryAlert extends StoredAlert {
  product: Product;
  /** When the product's stock rose above the alert's threshold again; null while it has not (and for a live alert,
   * which was just raised). */
  resolvedAt?: Date | null;
}

const stockLevel = z.number().int().min(0, 'must not be negative').max(1e9, 'must be at most 1,000,000,000');
const inventoryItem = z.object({ productId: externalId, stock: stockLevel });

/** Turns a refusal of the stock rules into the caller's field. */
function asValidation(err: unknown, field: (index: number) => string): never {
  if (err instanceof StockRuleError) {
    throw new ValidationError([{ field: field(err.index), index: err.index, message: err.message }]);
  }
  throw err;
}

export class InventoryService {
  constructor(
    private readonly inventory: InventoryStore,
    private readonly products: ProductStore,
    private readonly pubsub: PubSub,
  ) {}

  private async requireProducts(ids: string[], field: (i: number) => string): Promise<void> {
    const found = new Set((await this.products.findByIds(ids)).map((p) => p.id));
    const problems = ids.flatMap((id, index) => (found.has(id) ? [] : [{ field: field(index), index, message: `names no catalog product (${id})` }]));
    if (problems.length === 1 && ids.length === 1) throw new NotFoundError('Product', ids[0]!);
    if (problems.length) throw new ValidationError(problems);
  }

  private async apply(changes: StockChange[], field: (i: number) => string): Promise<Product[]> {
    await this.requireProducts(changes.map((c) => c.productId), field);
    await this.inventory
      .transaction((tx) => this.inventory.applyChanges(tx, changes))
      .catch((err) => asValidation(err, field));
    const fresh = new Map((await this.products.findByIds(changes.map((c) => c.productId))).map((p) => [p.id, p]));
    return changes.map((c) => fresh.get(c.productId)!);
  }

  async setStock(actor: string, productId: string, stock: number): Promise<Product> {
    const args = parseInput(z.object({ productId: externalId, stock: stockLevel }), { productId, stock }, 'setStock');
    const [product] = await this.apply([{ kind: 'SET', ...args, actor, reason: 'setStock' }], () => 'productId');
    return product!;
  }

  async adjustStock(actor: string, productId: string, delta: number, reason: string): Promise<Product> {
    const args = parseInput(
      z.object({
        productId: externalId,
        delta: z.number().int().min(-1e9).max(1e9).refine((d) => d !== 0, 'must not be 0'),
        reason: z.string().trim().min(1, 'must not be empty').max(500),
      }),
      { productId, delta, reason },
      'adjustStock',
    );
    const [product] = await this.apply([{ kind: 'ADJUST', ...args, actor }], () => 'delta');
    return product!;
  }

  async updateInventory(actor: string, items: readonly unknown[]): Promise<Product[]> {
    const parsed = parseBatch(inventoryItem, items, 'items', { max: MAX_INVENTORY_BATCH });
    rejectDuplicateKeys(parsed, (i) => i.productId, 'items');
    return this.apply(
      parsed.map((i) => ({ kind: 'SET' as const, productId: i.productId, stock: i.stock, actor, reason: 'updateInventory' })),
      (i) => `items.${i}.productId`,
    );
  }

  async setLowStockThreshold(actor: string, productId: string, threshold: number): Promise<Product> {
    const args = parseInput(z.object({ productId: externalId, threshold: stockLevel }), { productId, threshold }, 'setLowStockThreshold');
    const [product] = await this.apply([{ kind: 'THRESHOLD', ...args, actor }], () => 'productId');
    return product!;
  }

  async alerts(args: PageArgs & { kind?: InventoryAlertKind | null }): Promise<Page<InventoryAlert>> {
    const size = pageSize(args.first);
    const rows = await this.inventory.alerts({ limit: size + 1, beforeId: args.after ? decodeCursor(args.after, 'alert', rowIdKey) : undefined, kind: args.kind ?? undefined });
    const [alerts, resolved] = await Promise.all([this.withProducts(rows), this.inventory.resolutions(rows.map((r) => r.id))]);
    return toPage(alerts.map((a) => ({ ...a, resolvedAt: resolved.get(a.id) ?? null })), size, 'alert', (a) => a.id);
  }

  async lowStockProducts(args: PageArgs): Promise<Page<Product>> {
    const size = pageSize(args.first);
    const rows = await this.products.list({ limit: size + 1, afterId: args.after ? decodeCursor(args.after, 'product', externalId) : undefined, lowStockOnly: true });
    return toPage(rows, size, 'product', (p) => p.id);
  }

  async movements(productId: string, args: PageArgs): Promise<Page<StoredMovement>> {
    const size = pageSize(args.first);
    const rows = await this.inventory.movements(productId, { limit: size + 1, beforeId: args.after ? decodeCursor(args.after, 'movement', rowIdKey) : undefined });
    return toPage(rows, size, 'movement', (m) => m.id);
  }

  /** Live alerts, newest as they happen, optionally only for some products or one category. */
  liveAlerts(filter: { productIds?: string[] | null; category?: string | null }): EventStream<InventoryAlert> {
    const ids = filter.productIds?.length ? new Set(filter.productIds) : undefined;
    return new EventStream({
      pubsub: this.pubsub,
      topic: topics.inventoryAlerts(),
      map: async (message) => {
        const alert = JSON.parse(message) as Omit<StoredAlert, 'createdAt'> & { createdAt: number };
        if (ids && !ids.has(alert.productId)) return undefined;
        const [withProduct] = await this.withProducts([{ ...alert, createdAt: new Date(alert.createdAt) }]);
        if (!withProduct || (filter.category && withProduct.product.category !== filter.category)) return undefined;
        return withProduct;
      },
    });
  }

  private async withProducts(alerts: StoredAlert[]): Promise<InventoryAlert[]> {
    const products = new Map((await this.products.findByIds([...new Set(alerts.map((a) => a.productId))])).map((p) => [p.id, p]));
    return alerts.flatMap((a) => {
      const product = products.get(a.productId);
      return product ? [{ ...a, product }] : [];
    });
  }
}
