import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import type { PageArgs } from '../store/pagination';

export const catalogResolvers = {
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
