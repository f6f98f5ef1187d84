// Job `publish-inventory-changes`: announces committed inventory alerts to live subscribers, and stock-outs
// and restocks to every live recommendation list. The alerts themselves are already stored in Postgres.
import { z } from 'zod';
import { topics, type RedisKeys } from '../store/keys';
import type { Redis } from '../store/redis';
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

const PUBLISHED_MARKER_TTL_SECONDS = 7 * 24 * 3600;

export async function publishInventoryChanges(
  deps: { redis: Redis; keys: RedisKeys; publish: (messages: Array<[string, string]>) => Promise<void> },
  jobId: string,
  payload: z.output<typeof publishInventoryChangesJob.schema>,
): Promise<boolean> {
  // A redelivered job (its worker died after publishing) is skipped, so subscribers see each alert once.
  // Only a crash between publishing and setting the marker can repeat it; clients can dedupe by alert id.
  const marker = deps.keys.publishedJob(jobId);
  if (await deps.redis.exists(marker)) return false;
  await deps.publish([
    ...payload.alerts.map((a): [string, string] => [topics.inventoryAlerts(), JSON.stringify(a)]),
    ...payload.availability.map((a): [string, string] => [topics.allUsers(), JSON.stringify(a)]),
  ]);
  await deps.redis.set(marker, '1', 'EX', PUBLISHED_MARKER_TTL_SECONDS);
  return true;
}
