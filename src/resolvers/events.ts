import { requireActingFor, requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import { IngestService } from '../services/ingest';

async function record(events: unknown[], ctx: Context) {
  requireRole(ctx.viewer, 'shopper', 'service', 'admin');
  for (const userId of IngestService.userIdsOf(events)) requireActingFor(ctx.viewer, userId);
  const { accepted, duplicates } = await ctx.services.ingest.recordEvents(events);
  return { accepted, duplicates };
}

export const eventResolvers = {
  Mutation: {
    recordEvents: (_: unknown, { events }: { events: unknown[] }, ctx: Context) => record(events, ctx),
    recordEvent: (_: unknown, { event }: { event: unknown }, ctx: Context) => record([event], ctx),
  },
};
