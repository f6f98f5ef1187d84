import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';

export const privacyResolvers = {
  Mutation: {
    eraseUser: (_: unknown, args: { userId: string; reason: string }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.userErasure.erase(args, ctx.viewer.sub);
    },
  },
};
