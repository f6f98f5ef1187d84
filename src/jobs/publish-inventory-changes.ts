// Job `publish-inventory-changes`: committed inventory alerts and stock-outs/restocks to announce (the processor is
// workers/publish-inventory-changes.ts).
import { z } from 'zod';
import { defineJob } from './job';

export const publishInventoryChangesJob = defineJob({
  queue: 'inventory',
  name: 'publish-inventory-changes',
  schema: z.object({
    alerts: z.array(
      z.object({
        id: z.string(),
        productId: z.string(),
        kind: z.enum(['LOW_STOCK', 'OUT_OF_STOCK', 'BACK_IN_STOCK']),
        stock: z.number().int(),
        threshold: z.number().int(),
        shortfall: z.number().int(),
        createdAt: z.number(),
      }),
    ),
    availability: z.array(z.object({ productId: z.string(), inStock: z.boolean() })),
  }),
  options: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 200 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
});

export type InventoryChanges = z.output<typeof publishInventoryChangesJob.schema>;
