// Job `apply-events`: one outbox message of recorded events, applied to the Redis feature store.
// Jobs are gathered into micro-batches, so that a hot product costs one Redis write per batch.
import { z } from 'zod';
import { EVENT_TYPES, type StoredEvent } from '../store/events';
import type { FeatureStore, JobEvents } from '../store/feature-store';
import type { KpiStore } from '../store/kpis';
import { topics } from '../store/keys';
import type { Redis } from '../store/redis';
import { defineJob } from './job';

const storedEvent = z.object({
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES),
  userId: z.string().min(1),
  sessionId: z.string().nullable(),
  productId: z.string().nullable(),
  category: z.string().nullable(),
  campaignId: z.string().nullable(),
  // Absent from payloads enqueued before attribution existed.
  attributedCampaignId: z.string().nullable().default(null),
  recommendationId: z.string().nullable(),
  quantity: z.number().int().min(1),
  unitPrice: z.number().nullable(),
  occurredAt: z.number().int(),
});

export const applyEventsJob = defineJob({
  queue: 'events',
  name: 'apply-events',
  // The outbox message, by id: its events are the events rows with that outbox_id, read by the worker (a job
  // holds no copy of them, in Redis for as long as BullMQ keeps the job). Jobs enqueued before that carry the
  // events themselves.
  schema: z.union([z.object({ outboxId: z.string().regex(/^\d+$/, 'must be an outbox id') }), z.object({ events: z.array(storedEvent).min(1) })]),
  options: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 200 },
    // Kept an hour so that a relay retry within that time finds the id and adds nothing (dedup by job id);
    // later duplicates are caught by the applied-job markers in the feature store.
    removeOnComplete: { age: 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
});

const CART_TYPES = new Set<string>(['ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE']);

/**
 * Applies a micro-batch of jobs and announces the users whose recommendations may have changed. Returns how
 * many jobs were applied now and their events (jobs applied before, by an earlier delivery, are left out). Throws
 * FeatureGenerationError, writing nothing, while the store has no complete generation (feature-repair.ts).
 */
export async function applyEventBatch(
  deps: {
    features: FeatureStore;
    kpis: KpiStore;
    writer: Redis;
    publish: (messages: Array<[string, string]>) => Promise<void>;
    /** A topic's Redis channel (the PubSub's naming), for announcing users from a script. */
    channel: (topic: string) => string;
  },
  jobs: JobEvents[],
): Promise<{ applied: number; events: StoredEvent[] }> {
  let campaigns: string[] = [];
  // The events of the transaction that went through (the callback runs again when a WATCH makes it retry).
  let written: StoredEvent[] = [];
  const { applied } = await deps.features.applyJobs(deps.writer, jobs, (events, tx) => {
    written = events;
    campaigns = deps.kpis.write(events, tx);
    // Each user's live lists get the user's new state with the news (and read the cart again only when told it
    // may have changed), from the transaction that wrote it.
    const cartUsers = new Set(events.flatMap((e) => (CART_TYPES.has(e.type) ? [e.userId] : [])));
    const users = [...new Set(events.map((e) => e.userId))];
    deps.features.announce(tx, users.map((userId) => ({ userId, cart: cartUsers.has(userId) })), deps.channel);
    // Only into a complete store: not one that lost its data, nor one a rebuild is clearing or replaying into.
  }, { generation: true });
  await deps.publish(campaigns.map((c): [string, string] => [topics.campaign(c), 'events']));
  return { applied, events: applied ? written : [] };
}
