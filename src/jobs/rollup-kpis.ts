// Job `rollup-kpis`, on a schedule: recompute the per-minute KPI and sales rollups (the processor is
// workers/rollup-kpis.ts).
import { z } from 'zod';
import { defineJob } from './job';

export const rollupKpisJob = defineJob({
  queue: 'rollups',
  name: 'rollup-kpis',
  schema: z.object({}),
  options: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
});
