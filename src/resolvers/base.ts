import type { Context } from '../graphql/context';
import { DateTime } from '../graphql/scalars';

export const baseResolvers = {
  DateTime,
  Query: {
    viewer: (_: unknown, __: unknown, { viewer }: Context) =>
      viewer.role === 'anonymous' ? null : { id: viewer.sub, role: viewer.role },
  },
  Mutation: {
    ping: () => true,
  },
};
