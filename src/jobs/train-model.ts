// Jobs on the `training` queue: `train-model` runs one queued training (job id = run id), and
// `schedule-training`, fired every TRAIN_INTERVAL_MS (the first right away), asks for one (joining one
// still waiting). Each worker takes one job of the queue at a time: a run queued behind a running one waits for it,
// or is taken by another worker.
import { z } from 'zod';
import { defineJob } from './job';

export const trainModelJob = defineJob({
  queue: 'training',
  name: 'train-model',
  schema: z.object({ runId: z.string().min(1) }),
  options: { attempts: 2, backoff: { type: 'fixed', delay: 5000 }, removeOnComplete: { count: 200 }, removeOnFail: { count: 1000 } },
});

export const scheduleTrainingJob = defineJob({
  queue: 'training',
  name: 'schedule-training',
  schema: z.object({}),
  options: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } },
});
