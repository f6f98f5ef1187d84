// Rebuilds the Redis feature store from the events in Postgres: Redis is a cache of derived state.
// Replay goes job by job with the workers' own applied-job markers, so it may run while the platform runs:
// each job is applied exactly once, by the replay or by a worker, whichever comes first.
import type { Logger } from '../logger';
import type { EventStore } from '../store/events';
import { FeatureGenerationStore } from '../store/feature-generation';
import { FeatureGenerationError, type FeatureStore } from '../store/feature-store';
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
  for await (const groups of deps.events.scanByOutbox()) {
    let written = 0;
    const result = await deps.features.applyJobs(
      deps.writer,
      groups.map((g) => ({ jobId: outboxJobId(g.outboxId), events: g.events })),
      // Campaign counters live beside the features and are replayed with them, under the same markers.
      (fresh, tx) => {
        written = fresh.length;
        deps.kpis.write(fresh, tx).forEach((c) => campaigns.add(c));
      },
      // Only into this generation: if Redis loses its data again meanwhile, this replay stops (and the next check
      // starts another).
      { generation: replaying },
    );
    jobs += groups.length;
    applied += result.applied;
    if (result.applied) replayedEvents += written;
    events += groups.reduce((s, g) => s + g.events.length, 0);
  }
  if (!(await deps.generations.finish(generation, { replayedJobs: applied, events }))) throw new FeatureGenerationError(null);
  return { generation, jobs, applied, events, replayedEvents, deletedKeys, campaigns: [...campaigns] };
}
