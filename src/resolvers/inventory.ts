import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import type { InventoryAlert } from '../services/inventory';
import type { InventoryAlertKind } from '../domain/stock-rules';
import type { PageArgs } from '../store/pagination';
import type { Product } from '../store/products';

export const inventoryResolvers = {
  Product: {
    stockMovements: (product: Product, args: PageArgs, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.movements(product.id, args);
    },
  },
  Query: {
    inventoryAlerts: (_: unknown, args: PageArgs & { kind?: InventoryAlertKind | null }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.alerts(args);
    },
    lowStockProducts: (_: unknown, args: PageArgs, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.lowStockProducts(args);
    },
  },
  Mutation: {
    setStock: (_: unknown, a: { productId: string; stock: number }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.setStock(ctx.viewer.sub, a.productId, a.stock);
    },
    adjustStock: (_: unknown, a: { productId: string; delta: number; reason: string }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.adjustStock(ctx.viewer.sub, a.productId, a.delta, a.reason);
    },
    updateInventory: (_: unknown, a: { items: unknown[] }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.updateInventory(ctx.viewer.sub, a.items);
    },
    setLowStockThreshold: (_: unknown, a: { productId: string; threshold: number }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.inventory.setLowStockThreshold(ctx.viewer.sub, a.productId, a.threshold);
    },
  },
  Subscription: {
    lowStockAlert: {
      subscribe: async (_: unknown, args: { productIds?: string[] | null; category?: string | null }, ctx: Context) => {
        requireRole(ctx.viewer, 'admin');
        const stream = ctx.services.inventory.liveAlerts(args);
        // Subscribed before graphql-ws acknowledges, so no alert raised after this point is missed.
        await stream.ready();
        return stream;
      },
      resolve: (alert: InventoryAlert) => alert,
    },
  },
};
