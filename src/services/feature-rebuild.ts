// Rebuilds the Redis feature store from the events in Postgres: Redis is a cache of derived state.
// Replay goes job by job with the workers' own applied-job markers, so it may run while the platform runs:
// each job is applied exactly once, by the replay or by a worker, whichever comes first.
import type { Logger } from '../logger';
import type { EventStore } from '../store/events';
import type { FeatureStore } from '../store/feature-store';
import type { KpiStore } from '../store/kpis';
import type { Queues } from '../store/queues';
import type { Redis } from '../store/redis';
import { applyEventsJob } from '../workers/apply-events';
import { outboxJobId } from '../workers/job';

export async function rebuildFeatures(deps: {
  events: EventStore;
  features: FeatureStore;
  kpis: KpiStore;
  queues: Queues;
  writer: Redis;
  log?: Logger;
}): Promise<{ jobs: number; applied: number; events: number; deletedKeys: number }> {
  const queue = deps.queues.queue(applyEventsJob.queue);
  // Clearing is not atomic; with workers paused no job can land half in the old and half in the new state.
  await queue.pause();
  let deletedKeys: number;
  try {
    for (let i = 0; (await queue.getActiveCount()) > 0; i++) {
      if (i > 600) throw new Error('workers did not finish their active jobs within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    deletedKeys = await deps.features.clear();
  } finally {
    await queue.resume();
  }
  deps.log?.info({ deletedKeys }, 'feature store cleared; replaying events');
  let jobs = 0;
  let applied = 0;
  let events = 0;
  for await (const groups of deps.events.scanByOutbox()) {
    const result = await deps.features.applyJobs(
      deps.writer,
      groups.map((g) => ({ jobId: outboxJobId(g.outboxId), events: g.events })),
      // Campaign counters live beside the features and are replayed with them, under the same markers.
      (events, tx) => void deps.kpis.write(events, tx),
    );
    jobs += groups.length;
    applied += result.applied;
    events += groups.reduce((s, g) => s + g.events.length, 0);
  }
  return { jobs, applied, events, deletedKeys };
}
