// Processor of job `apply-events` (jobs/apply-events.ts): one outbox message of recorded events, applied to the Redis
// feature store.
// Jobs are gathered into micro-batches, so that a hot product costs one Redis write per batch.
import type { StoredEvent } from '../domain/events';
import type { FeatureStore, JobEvents } from '../store/feature-store';
import type { KpiStore } from '../store/kpis';
import { topics } from '../store/keys';
import type { Redis } from '../store/redis';

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
