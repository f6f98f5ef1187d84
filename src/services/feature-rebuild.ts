// Rebuilds the Redis feature store from the events in Postgres: Redis is a cache of derived state.
// Replay goes job by job with the workers' own applied-job markers, so it may run while the platform runs:
// each job is applied exactly once, by the replay or by a worker, whichever comes first.
import type { Logger } from '../logger';
import type { EventStore } from '../store/events';
import { EventUnitOfWork } from '../store/event-unit-of-work';
import { FeatureGenerationError, FeatureGenerationStore } from '../store/feature-generation';
import type { FeatureStore } from '../store/feature-store';
import { FeatureWrites } from '../store/feature-writes';
import type { KpiStore } from '../store/kpis';
import type { Redis } from '../store/redis';
import { outboxJobId } from '../jobs/job';

export interface RebuildResult {
  generation: string;
  jobs: number;
  applied: number;
  events: number;
  /** Events of the jobs the replay applied. */
  replayedEvents: number;
  deletedKeys: number;
  /** Campaigns whose counters the replay wrote (their live KPIs changed). */
  campaigns: string[];
}

export async function rebuildFeatures(deps: {
  events: EventStore;
  features: FeatureStore;
  kpis: KpiStore;
  generations: FeatureGenerationStore;
  /** A connection of the rebuild's own (its WATCHes must not mix with another writer's). */
  writer: Redis;
  /** Why, recorded with the new generation (systemStatus shows it). */
  reason: string;
  log?: Logger;
}): Promise<RebuildResult> {
  // Clearing is not atomic. Without a complete generation no worker writes (each write WATCHes and reads it), and a
  // write that read the old one fails at EXEC: nothing can land half in the old and half in the new state.
  await deps.generations.drop();
  const deletedKeys = await deps.features.clear();
  const generation = FeatureGenerationStore.newId();
  // Workers wait until the replay ends (see REPLAYING); jobs they hold meanwhile are applied after it, or found
  // replayed by their markers.
  const replaying = await deps.generations.begin(generation, deps.reason);
  deps.log?.info({ deletedKeys, generation }, 'feature store cleared; replaying events');
  let jobs = 0;
  let applied = 0;
  let events = 0;
  let replayedEvents = 0;
  const campaigns = new Set<string>();
  // Campaign counters live beside the features and are replayed with them, under the same markers; nobody is
  // announced to (live lists read the rebuilt state on their next event).
  const unit = new EventUnitOfWork(deps.features.keys, { features: new FeatureWrites(deps.features.keys), kpis: deps.kpis });
  for await (const groups of deps.events.scanByOutbox()) {
    const result = await unit.apply(
      deps.writer,
      groups.map((g) => ({ jobId: outboxJobId(g.outboxId), events: g.events })),
      // Only into this generation: if Redis loses its data again meanwhile, this replay stops (and the next check
      // starts another).
      { generation: replaying },
    );
    result.campaigns.forEach((c) => campaigns.add(c));
    jobs += groups.length;
    applied += result.applied;
    replayedEvents += result.events.length;
    events += groups.reduce((s, g) => s + g.events.length, 0);
  }
  if (!(await deps.generations.finish(generation, { replayedJobs: applied, events }))) throw new FeatureGenerationError(null);
  return { generation, jobs, applied, events, replayedEvents, deletedKeys, campaigns: [...campaigns] };
}
