import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import { parseInput } from '../services/validation';
import type { Campaign, CampaignStatus } from '../store/campaigns';
import type { Product } from '../store/products';
import type { Bucket } from '../store/kpis';
import type { PageArgs } from '../store/pagination';
import { z } from 'zod';

const windowMinutes = z.number().int().min(1, 'must be between 1 and 1440').max(1440, 'must be between 1 and 1440');

export const campaignResolvers = {
  Campaign: {
    kpis: (c: Campaign, _: unknown, ctx: Context) => ctx.services.campaigns.kpis(c),
    // Through the request's product loader: one catalog read for every campaign of a list.
    products: async (c: Campaign, _: unknown, ctx: Context) =>
      (await ctx.loaders.product.loadMany(c.productIds)).filter((p): p is Product => p !== null && !(p instanceof Error)),
    series: (c: Campaign, args: { from: Date; to: Date; bucket: Bucket }, ctx: Context) => ctx.services.campaigns.series(c.id, args),
  },
  Query: {
    campaign: (_: unknown, { id }: { id: string }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.campaigns.get(id);
    },
    campaigns: (_: unknown, args: PageArgs & { status?: CampaignStatus | null }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.campaigns.list(args);
    },
    salesMetrics: (_: unknown, args: { from: Date; to: Date; bucket: Bucket }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.sales.metrics(args);
    },
  },
  Mutation: {
    createCampaign: (_: unknown, { input }: { input: unknown }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.campaigns.create(input);
    },
    updateCampaign: (_: unknown, { id, input }: { id: string; input: unknown }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.campaigns.update(id, input);
    },
    setCampaignStatus: (_: unknown, { id, status }: { id: string; status: CampaignStatus }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.campaigns.setStatus(id, status);
    },
  },
  Subscription: {
    campaignKpisUpdated: {
      subscribe: (_: unknown, { campaignId }: { campaignId: string }, ctx: Context) => {
        requireRole(ctx.viewer, 'admin');
        return ctx.services.campaigns.live(campaignId);
      },
      resolve: (kpis: unknown) => kpis,
    },
    salesMetricsUpdated: {
      subscribe: (_: unknown, args: { windowMinutes: number }, ctx: Context) => {
        requireRole(ctx.viewer, 'admin');
        return ctx.services.sales.live(parseInput(windowMinutes, args.windowMinutes, 'windowMinutes'));
      },
      resolve: (metrics: unknown) => metrics,
    },
  },
};
