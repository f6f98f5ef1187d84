// Product rows in Postgres. The only place that reads or writes the products table.
import { Prisma, type PrismaClient } from './prisma';

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

interface ProductRow {
  id: string;
  name: string;
  category: string;
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

export class ProductStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Creates or updates every product in one statement, so the batch is atomic and costs one round trip.
   * Omitted optional fields keep their current value on update and take the column default on insert.
   */
  async upsertMany(products: ProductWrite[]): Promise<Array<Product & { created: boolean }>> {
    const col = <K extends keyof ProductWrite>(k: K) => products.map((p) => p[k]);
    const rows = await this.prisma.$queryRaw<Array<ProductRow & { created: boolean }>>`
      -- Batch upsert of catalog products; xmax = 0 marks rows this statement inserted. The input CTE is read
      -- again on conflict because EXCLUDED holds the defaulted values, not whether a field was given.
      WITH input AS (
        SELECT * FROM unnest(${col('id')}::text[], ${col('name')}::text[], ${col('category')}::text[],
                             ${col('price')}::numeric[], ${col('currency')}::text[], ${col('stock')}::int[],
                             ${col('lowStockThreshold')}::int[])
          AS i(id, name, category, price, currency, stock, threshold)
      )
      INSERT INTO products AS p (id, name, category, price, currency, stock, low_stock_threshold, updated_at)
      SELECT id, name, category, price, COALESCE(currency, 'USD'), COALESCE(stock, 0), COALESCE(threshold, 10), now()
      FROM input
      ON CONFLICT (id) DO UPDATE SET
        name = EXCLUDED.name,
        category = EXCLUDED.category,
        price = EXCLUDED.price,
        currency = COALESCE((SELECT currency FROM input WHERE input.id = EXCLUDED.id), p.currency),
        stock = COALESCE((SELECT stock FROM input WHERE input.id = EXCLUDED.id), p.stock),
        low_stock_threshold = COALESCE((SELECT threshold FROM input WHERE input.id = EXCLUDED.id), p.low_stock_threshold),
        updated_at = now()
      RETURNING p.*, (xmax = 0) AS created`;
    return rows.map((r) => ({ ...toProduct(r), created: r.created }));
  }

  async findByIds(ids: readonly string[]): Promise<Product[]> {
    const rows = await this.prisma.$queryRaw<ProductRow[]>`SELECT * FROM products WHERE id = ANY(${[...ids]}::text[])`;
    return rows.map(toProduct);
  }

  /** Keyset page ordered by id; fetches `limit` rows after `afterId`. */
  async list(opts: { limit: number; afterId?: string; category?: string }): Promise<Product[]> {
    const rows = await this.prisma.$queryRaw<ProductRow[]>`
      SELECT * FROM products
      WHERE (${opts.afterId ?? null}::text IS NULL OR id > ${opts.afterId ?? null}::text)
        AND (${opts.category ?? null}::text IS NULL OR category = ${opts.category ?? null}::text)
      ORDER BY id
      LIMIT ${opts.limit}`;
    return rows.map(toProduct);
  }
}
