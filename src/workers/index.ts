// The worker role: wires one BullMQ worker per queue to its processor (one file per job: apply-events.ts,
// publish-inventory-changes.ts, rollup-kpis.ts, train-model.ts), with the connections they need, the feature
// store's repair, and an orderly stop.
import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import type { Config } from '../config';
import { applyEventsJob } from '../jobs/apply-events';
import type { JobDefinition } from '../jobs/job';
import { publishInventoryChangesJob } from '../jobs/publish-inventory-changes';
import { rollupKpisJob } from '../jobs/rollup-kpis';
import { trainModelJob } from '../jobs/train-model';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { FeatureRepair } from '../services/feature-repair';
import type { ModelService } from '../services/models';
import type { TrainingService } from '../services/training';
import type { EventStore } from '../store/events';
import { FeatureGenerationStore } from '../store/feature-generation';
import type { FeatureStore } from '../store/feature-store';
import type { RedisKeys } from '../store/keys';
import type { KpiStore } from '../store/kpis';
import { PublishedJobs } from '../store/published-jobs';
import type { PubSub } from '../store/pubsub';
import type { Queues } from '../store/queues';
import { createRedis } from '../store/redis';
import { TrainingTrigger } from '../store/training-trigger';
import { ApplyEvents } from './apply-events';
import { publishInventoryChangesProcessor } from './publish-inventory-changes';
import { recoveryOptions } from './recovery';
import { rollupKpisProcessor } from './rollup-kpis';
import { ensureSchedules } from './schedules';
import { trainModelProcessor } from './train-model';

export interface RunningWorkers {
  /** Takes no new job and lets the running ones finish until `deadline` (ms since the epoch). */
  stop(deadline: number): Promise<void>;
}

export function startWorkers(deps: {
  config: Config;
  keys: RedisKeys;
  events: EventStore;
  features: FeatureStore;
  kpis: KpiStore;
  models: ModelService;
  training: TrainingService;
  queues: Queues;
  pubsub: PubSub;
  metrics: Metrics;
  log: Logger;
}): RunningWorkers {
  const { config, keys, log } = deps;
  // BullMQ workers block on Redis; they need their own connections that retry forever.
  const workerConnection = createRedis(config.REDIS_URL, 'flywheel-worker', { maxRetriesPerRequest: null });
  // No offline queue and no resending for the feature writers: a transaction whose connection dropped after its
  // WATCH would otherwise be sent again, unwatched, to a Redis that may have come back empty and be under repair.
  // A write that fails that way is tried again from its WATCH once the connection is back (ApplyEvents).
  const unqueued = { maxRetriesPerRequest: null, enableOfflineQueue: false, autoResendUnfulfilledCommands: false };
  const writer = createRedis(config.REDIS_URL, 'flywheel-feature-writer', unqueued);
  // The repair's own: its checks (failing soon while Redis is away) and its 'ready', which tells that Redis came
  // back; and the writer a rebuild WATCHes on (unqueued, as above).
  const repairConnection = createRedis(config.REDIS_URL, 'flywheel-feature-repair', { maxRetriesPerRequest: 1 });
  const rebuildWriter = createRedis(config.REDIS_URL, 'flywheel-feature-rebuild', unqueued);
  const connections = [workerConnection, writer, repairConnection, rebuildWriter];
  for (const c of connections) c.on('error', (err) => log.debug({ err: err.message }, 'worker redis error'));
  const repair = new FeatureRepair({
    events: deps.events,
    features: deps.features,
    kpis: deps.kpis,
    generations: new FeatureGenerationStore(repairConnection, keys),
    writer: rebuildWriter,
    log,
    metrics: deps.metrics,
    pubsub: deps.pubsub,
    putBack: async () => {
      await ensureSchedules(deps.queues, config);
      // In the background: it reads Postgres, and the feature store check that calls this must not wait on Postgres
      // (a worker whose Postgres hangs would never finish its first check, nor take a job). A failure is retried at
      // the next loss or reconnection, or by the next retrainModel joining the run.
      deps.training.requeueWaiting().catch((err) => log.warn({ err: (err as Error).message }, 'could not put waiting trainings back on the queue'));
    },
    trainingTrigger: config.TRAIN_AFTER_EVENTS > 0 ? new TrainingTrigger(rebuildWriter, keys) : undefined,
  });
  // Jobs are taken once a first check went through: a Redis found empty is rebuilt before anything is applied to it.
  const firstCheck = repair.start(repairConnection, config.FEATURE_STORE_CHECK_MS);

  const applyEvents = new ApplyEvents({
    config,
    keys,
    events: deps.events,
    kpis: deps.kpis,
    writer,
    repair,
    trainingTrigger: new TrainingTrigger(writer, keys),
    training: deps.training,
    pubsub: deps.pubsub,
    metrics: deps.metrics,
    log,
  });
  const worker = (def: JobDefinition, processor: Processor, options: Partial<WorkerOptions>) =>
    new Worker(def.queue, processor, { connection: workerConnection, prefix: keys.bullPrefix, autorun: false, ...options });
  const workers = [
    worker(applyEventsJob, applyEvents.process, { concurrency: config.WORKER_CONCURRENCY, ...recoveryOptions(config, { idempotent: true }) }),
    // One at a time keeps alerts in the order they were committed.
    worker(publishInventoryChangesJob, publishInventoryChangesProcessor({ published: new PublishedJobs(writer, keys), pubsub: deps.pubsub }), {
      concurrency: 1,
      ...recoveryOptions(config, { idempotent: true }),
    }),
    worker(rollupKpisJob, rollupKpisProcessor({ kpis: deps.kpis, pubsub: deps.pubsub }), { concurrency: 1, ...recoveryOptions(config) }),
    // Training takes minutes on big stores: a long lock so it is not thought dead; one at a time.
    worker(trainModelJob, trainModelProcessor({ training: deps.training, models: deps.models, log }), {
      concurrency: 1,
      ...recoveryOptions(config, { lockMs: Math.max(config.WORKER_LOCK_MS, 300_000) }),
    }),
  ];
  // One schedule of each per deployment however many workers start (see schedules.ts); put back after a loss.
  void repair.putSchedulesBack();

  let stopping = false;
  for (const w of workers) {
    w.on('failed', (job, err) => log.warn({ job: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  }
  void firstCheck.then(() => {
    if (stopping) return;
    for (const w of workers) void w.run().catch((err) => log.warn({ err: (err as Error).message }, 'worker stopped'));
  });

  return {
    async stop(deadline) {
      // close() takes no new job and waits for the active ones (their micro-batches are flushed first). A job still
      // running at the deadline (a long training, a Postgres that does not answer) is left active: its lock is not
      // renewed any more, and after WORKER_LOCK_MS another worker takes it (jobs are idempotent).
      stopping = true;
      applyEvents.stop();
      await repair.stop();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(workers.map((w) => w.close())).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      if (!finished) {
        log.warn({ lockMs: config.WORKER_LOCK_MS }, 'jobs still running at the shutdown deadline: left to another worker once their locks expire');
        for (const c of connections) c.disconnect();
        return;
      }
      // A connection that cannot send QUIT (reconnecting, and queueing nothing) is closed from this side.
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
