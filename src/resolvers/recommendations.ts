import { requireActingFor } from '../auth/guards';
import type { Context } from '../graphql/context';
import type { RecommendArgs, RecommendationList } from '../services/recommendations';

export const recommendationResolvers = {
  Query: {
    recommendations: (_: unknown, args: RecommendArgs, ctx: Context) => {
      requireActingFor(ctx.viewer, args.userId);
      return ctx.services.recommendations.recommend(args);
    },
    similarProducts: (_: unknown, args: { productId: string; limit: number }, ctx: Context) =>
      ctx.services.recommendations.similarProducts(args.productId, args.limit),
  },
  Subscription: {
    recommendationsUpdated: {
      subscribe: (_: unknown, args: RecommendArgs, ctx: Context) => {
        requireActingFor(ctx.viewer, args.userId);
        return ctx.services.recommendations.live(args, (err) => ctx.log.warn({ err }, 'recommendation refresh failed'));
      },
      resolve: (list: RecommendationList) => list,
    },
  },
};
