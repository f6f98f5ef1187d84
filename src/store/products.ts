// Product rows in Postgres. The only place that reads or writes the products table (statements through `pg`:
// catalog lookups run on the event path, see db.ts).
import type { Prisma } from './prisma';
import { prepare, query, sql, type Database, type Sql } from './db';

export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  stock: number;
  lowStockThreshold: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductWrite {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string | null;
  stock: number | null;
  lowStockThreshold: number | null;
}

export interface ProductRow {
  id: string;
  name: string;
  category: string;
  /** numeric: a string from `pg`. */
  price: Prisma.Decimal | string | number;
  currency: string;
  stock: number;
  low_stock_threshold: number;
  created_at: Date;
  updated_at: Date;
}

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    price: Number(row.price),
    currency: row.currency,
    stock: row.stock,
    lowStockThreshold: row.low_stock_threshold,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A product row selected for speed where many rows are read per request (see EventStore.recommendable). */
export interface LeanProductRow {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  stock: number;
  low_stock_threshold: number;
  created_ms: number;
  updated_ms: number;
}

export function fromLeanRow(row: LeanProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    price: row.price,
    currency: row.currency,
    stock: row.stock,
    lowStockThreshold: row.low_stock_threshold,
    createdAt: new Date(row.created_ms),
    updatedAt: new Date(row.updated_ms),
  };
}

export class ProductStore {
  private readonly pool: Sql;
  constructor(db: Database) {
    this.pool = db.pool;
  }

  /**
   * Creates or updates every product in one statement (one round trip). Stock and threshold are NOT written
   * here: new rows start at stock 0 with the default threshold, and the caller moves them through the
   * inventory ledger, so that every stock level has its movement and every crossing its alert.
   * Omitted optional fields keep their current value on update.
   */
  async upsertMany(products: ProductWrite[], db: Sql = this.pool): Promise<Array<Product & { created: boolean }>> {
    const col = <K extends keyof ProductWrite>(k: K) => products.map((p) => p[k]);
    const rows = await query<ProductRow & { created: boolean }>(db, sql`
      -- Batch upsert of catalog products; xmax = 0 marks rows this statement inserted. The input CTE is read
      -- again on conflict because EXCLUDED holds the defaulted values, not whether a field was given.
      WITH input AS (
        SELECT * FROM unnest(${col('id')}::text[], ${col('name')}::text[], ${col('category')}::text[],
                             ${col('price')}::numeric[], ${col('currency')}::text[])
          AS i(id, name, category, price, currency)
      )
      INSERT INTO products AS p (id, name, category, price, currency, updated_at)
      SELECT id, name, category, price, COALESCE(currency, 'USD'), now()
      FROM input
      ON CONFLICT (id) DO UPDATE SET
        name = EXCLUDED.name,
        category = EXCLUDED.category,
        price = EXCLUDED.price,
        currency = COALESCE((SELECT currency FROM input WHERE input.id = EXCLUDED.id), p.currency),
        updated_at = now()
      RETURNING p.*, (xmax = 0) AS created`);
    return rows.map((r) => ({ ...toProduct(r), created: r.created }));
  }

  async findByIds(ids: readonly string[], db: Sql = this.pool): Promise<Product[]> {
    if (!ids.length) return [];
    // Columns named: a prepared `SELECT *` fails once a migration adds a column while this process runs.
    const rows = await query<ProductRow>(db, prepare(sql`
      SELECT id, name, category, price, currency, stock, low_stock_threshold, created_at, updated_at
      FROM products WHERE id = ANY(${[...ids]}::text[])`));
    return rows.map(toProduct);
  }

  /** Every product with no stock. */
  async outOfStockIds(): Promise<string[]> {
    // Out of stock is low stock too (thresholds are never negative): the partial index on low stock serves it.
    const rows = await query<{ id: string }>(this.pool, prepare(sql`
      SELECT id FROM products WHERE stock <= low_stock_threshold AND stock <= 0`));
    return rows.map((r) => r.id);
  }

  /** Keyset page ordered by id; fetches `limit` rows after `afterId`. */
  async list(opts: { limit: number; afterId?: string; category?: string; lowStockOnly?: boolean }): Promise<Product[]> {
    const rows = await query<ProductRow>(this.pool, sql`
      SELECT * FROM products
      WHERE (${opts.afterId ?? null}::text IS NULL OR id > ${opts.afterId ?? null}::text)
        AND (${opts.category ?? null}::text IS NULL OR category = ${opts.category ?? null}::text)
        AND (NOT ${opts.lowStockOnly ?? false} OR stock <= low_stock_threshold)
      ORDER BY id
      LIMIT ${opts.limit}`);
    return rows.map(toProduct);
  }
}
