// Processor of job `rollup-kpis` (jobs/rollup-kpis.ts), on a schedule: recomputes the per-minute KPI and sales rollups in Postgres from the events
// recorded since the last run, then tells live sales dashboards. Recomputing (not adding) makes reruns harmless.
import type { KpiStore } from '../store/kpis';
import { topics } from '../store/keys';

export async function rollupKpis(deps: { kpis: KpiStore; publish: (messages: Array<[string, string]>) => Promise<void> }): Promise<number> {
  const { scopes, minutes } = await deps.kpis.rollup();
  const messages: Array<[string, string]> = scopes.map((s) => (s === 'sales' ? [topics.sales(), 'rollup'] : [topics.campaign(s.slice('campaign:'.length)), 'rollup']));
  await deps.publish(messages);
  return minutes;
}
