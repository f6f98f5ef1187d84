// Processor of job `rollup-kpis` (jobs/rollup-kpis.ts), on a schedule: recomputes the per-minute KPI and sales
// rollups in Postgres from the events recorded since the last run, then tells live sales dashboards. Recomputing
// (not adding) makes reruns harmless.
import type { Job } from 'bullmq';
import { checkJob } from '../jobs/job';
import { rollupKpisJob } from '../jobs/rollup-kpis';
import type { KpiStore } from '../store/kpis';
import { topics } from '../store/keys';
import type { PubSub } from '../store/pubsub';

export async function rollupKpis(deps: { kpis: KpiStore; pubsub: PubSub }): Promise<number> {
  const { scopes, minutes } = await deps.kpis.rollup();
  const messages: Array<[string, string]> = scopes.map((s) => (s === 'sales' ? [topics.sales(), 'rollup'] : [topics.campaign(s.slice('campaign:'.length)), 'rollup']));
  await deps.pubsub.publishMany(messages);
  return minutes;
}

/** The BullMQ processor. */
export function rollupKpisProcessor(deps: { kpis: KpiStore; pubsub: PubSub }): (job: Job) => Promise<void> {
  return async (job) => {
    checkJob(rollupKpisJob, job);
    await rollupKpis(deps);
  };
}
