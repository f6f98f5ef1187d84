// The repeatable jobs of a deployment (BullMQ job schedulers): the KPI and sales rollup and scheduled training.
// They live in Redis, so a Redis that lost its data lost them too: workers put them back at start, whenever their
// connection comes back and when they notice the loss (services/feature-repair.ts). Upsert by id is idempotent,
// so however many workers do it there is one schedule of each.
import type { Config } from '../config';
import type { Queues } from '../store/queues';
import { rollupKpisJob } from '../jobs/rollup-kpis';
import { scheduleTrainingJob } from '../jobs/train-model';

export async function ensureSchedules(queues: Queues, config: Pick<Config, 'KPI_ROLLUP_INTERVAL_MS' | 'TRAIN_INTERVAL_MS'>): Promise<void> {
  await queues
    .queue(rollupKpisJob.queue)
    .upsertJobScheduler('kpi-rollup', { every: config.KPI_ROLLUP_INTERVAL_MS }, { name: rollupKpisJob.name, data: {}, opts: rollupKpisJob.options });
  if (config.TRAIN_INTERVAL_MS > 0) {
    await queues
      .queue(scheduleTrainingJob.queue)
      .upsertJobScheduler('training', { every: config.TRAIN_INTERVAL_MS }, { name: scheduleTrainingJob.name, data: {}, opts: scheduleTrainingJob.options });
  }
}
