// Processor of the `training` queue (jobs/train-model.ts): `schedule-training` asks for a training (joining one still
// waiting); `train-model` runs one queued training (job id = run id), fitting on a worker thread.
import type { Job } from 'bullmq';
import { checkJob, checkPayload } from '../jobs/job';
import { scheduleTrainingJob, trainModelJob } from '../jobs/train-model';
import type { Logger } from '../logger';
import type { ModelService } from '../services/models';
import type { TrainingService } from '../services/training';

export function trainModelProcessor(deps: { training: TrainingService; models: ModelService; log: Logger }): (job: Job) => Promise<void> {
  const { training, models, log } = deps;
  return async (job) => {
    if (job.name === scheduleTrainingJob.name) {
      checkPayload(scheduleTrainingJob, job.data);
      await training.retrain('scheduler', null, 'SCHEDULE');
      return;
    }
    const { runId } = checkJob(trainModelJob, job);
    const version = await training.train(runId);
    if (version) log.info({ runId, version: version.id, status: version.status, metrics: version.metrics }, 'training finished');
    else {
      // Skipped or failed for want of data (the reason is on the run), or already taken by another worker.
      const run = await models.run(runId);
      log.info({ runId, run: run?.status, reason: run?.error }, 'training ended without a model');
    }
  };
}
