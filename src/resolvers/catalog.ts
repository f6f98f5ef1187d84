import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import type { PageArgs } from '../store/pagination';
import type { Product } from '../store/products';

/** A field that moves with stock: read from Postgres when the product came from an API instance's cache. */
function stockField<K extends 'stock' | 'lowStockThreshold' | 'updatedAt'>(field: K) {
  return async (product: Product, _: unknown, ctx: Context): Promise<Product[K]> => {
    if (!ctx.services.catalog.stockMayBeBehind(product)) return product[field];
    return ((await ctx.loaders.currentProduct.load(product.id)) ?? product)[field];
  };
}

export const catalogResolvers = {
  Product: {
    stock: stockField('stock'),
    lowStockThreshold: stockField('lowStockThreshold'),
    updatedAt: stockField('updatedAt'),
  },
  Query: {
    product: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.product.load(id),
    products: (_: unknown, args: PageArgs & { category?: string | null }, ctx: Context) => ctx.services.catalog.listProducts(args),
  },
  Mutation: {
    upsertProducts: async (_: unknown, { products }: { products: unknown[] }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      const result = await ctx.services.catalog.upsertProducts(ctx.viewer.sub, products);
      for (const p of result.products) ctx.loaders.product.clear(p.id).prime(p.id, p);
      return result;
    },
  },
};
