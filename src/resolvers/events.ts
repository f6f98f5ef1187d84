import { requireMayRecord } from '../auth/guards';
import type { Context } from '../graphql/context';

async function record(events: unknown[], ctx: Context) {
  requireMayRecord(ctx.viewer, events);
  const { accepted, duplicates } = await ctx.services.ingest.recordEvents(events);
  return { accepted, duplicates };
}

export const eventResolvers = {
  Mutation: {
    recordEvents: (_: unknown, { events }: { events: unknown[] }, ctx: Context) => record(events, ctx),
    recordEvent: (_: unknown, { event }: { event: unknown }, ctx: Context) => record([event], ctx),
  },
};
