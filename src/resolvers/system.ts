import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';

export const systemResolvers = {
  Query: {
    systemStatus: (_: unknown, __: unknown, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.system.status();
    },
  },
};
