// The worker role: BullMQ workers for each job type, wired to their stores.
import { Worker } from 'bullmq';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { EventStore } from '../store/events';
import type { StoredEvent } from '../domain/events';
import { FeatureGenerationStore } from '../store/feature-generation';
import { FeatureGenerationError, type FeatureStore, type JobEvents } from '../store/feature-store';
import type { KpiStore } from '../store/kpis';
import type { Queues } from '../store/queues';
import { FeatureRepair } from '../services/feature-repair';
import type { ModelService } from '../services/models';
import type { RedisKeys } from '../store/keys';
import type { RedisPubSub } from '../store/pubsub';
import { PublishedJobs } from '../store/published-jobs';
import { createRedis, unlessClosed } from '../store/redis';
import { TrainingTrigger } from '../store/training-trigger';
import { applyEventBatch } from './apply-events';
import { applyEventsJob } from '../jobs/apply-events';
import { checkPayload } from '../jobs/job';
import { MicroBatcher } from './micro-batcher';
import { recoveryOptions } from './recovery';
import { publishInventoryChanges } from './publish-inventory-changes';
import { publishInventoryChangesJob } from '../jobs/publish-inventory-changes';
import { rollupKpis } from './rollup-kpis';
import { rollupKpisJob } from '../jobs/rollup-kpis';
import { ensureSchedules } from './schedules';
import { scheduleTrainingJob, trainModelJob } from '../jobs/train-model';

export interface RunningWorkers {
  /** Takes no new job and lets the running ones finish until `deadline` (ms since the epoch). */
  stop(deadline: number): Promise<void>;
}

/** An apply-events job as the worker got it: the outbox message whose events to read. */
type EventsJob = { jobId: string; outboxId: string };

/**
 * The jobs of a micro-batch with their events: those named by outbox id read from Postgres in one query. An
 * outbox message always has events (the statement that writes it writes them); a job that finds none is left
 * out and reported in `missing`.
 */
async function resolveEvents(store: EventStore, batch: EventsJob[]): Promise<{ jobs: JobEvents[]; missing: string[] }> {
  const read = await store.byOutbox(batch.map((j) => j.outboxId));
  const jobs: JobEvents[] = [];
  const missing: string[] = [];
  for (const j of batch) {
    const events = read.get(j.outboxId);
    if (events?.length) jobs.push({ jobId: j.jobId, events });
    else missing.push(j.outboxId);
  }
  return { jobs, missing };
}

/** Counts applied events, and how long each took from its commit to being applied (where its commit time is known). */
function observeApplied(metrics: Metrics, events: StoredEvent[]): void {
  if (!events.length) return;
  metrics.eventsApplied.inc(events.length);
  const now = Date.now();
  for (const e of events) if (e.recordedAt !== undefined) metrics.featureLag.observe(Math.max(0, now - e.recordedAt) / 1000);
}

export function startWorkers(deps: {
  config: Config;
  keys: RedisKeys;
  events: EventStore;
  features: FeatureStore;
  kpis: KpiStore;
  models: ModelService;
  queues: Queues;
  pubsub: RedisPubSub;
  metrics: Metrics;
  log: Logger;
}): RunningWorkers {
  const { config, keys, log } = deps;
  // BullMQ workers block on Redis; they need their own connections that retry forever.
  const workerConnection = createRedis(config.REDIS_URL, 'flywheel-worker', { maxRetriesPerRequest: null });
  // No offline queue and no resending for the feature writers: a transaction whose connection dropped after its
  // WATCH would otherwise be sent again, unwatched, to a Redis that may have come back empty and be under repair.
  // A write that fails that way is tried again from its WATCH once the connection is back (applyWhileRepaired).
  const unqueued = { maxRetriesPerRequest: null, enableOfflineQueue: false, autoResendUnfulfilledCommands: false };
  const writer = createRedis(config.REDIS_URL, 'flywheel-feature-writer', unqueued);
  // The repair's own: its checks (failing soon while Redis is away) and its 'ready', which tells that Redis came
  // back; and the writer a rebuild WATCHes on (unqueued, as above).
  const repairConnection = createRedis(config.REDIS_URL, 'flywheel-feature-repair', { maxRetriesPerRequest: 1 });
  const rebuildWriter = createRedis(config.REDIS_URL, 'flywheel-feature-rebuild', unqueued);
  for (const c of [workerConnection, writer, repairConnection, rebuildWriter]) c.on('error', (err) => log.debug({ err: err.message }, 'worker redis error'));
  const repair = new FeatureRepair({
    events: deps.events,
    features: deps.features,
    kpis: deps.kpis,
    generations: new FeatureGenerationStore(repairConnection, keys),
    writer: rebuildWriter,
    log,
    metrics: deps.metrics,
    publish: (m) => deps.pubsub.publishMany(m),
    ensureSchedules: () => ensureSchedules(deps.queues, config),
    // Events the replay applied count towards an early training like those workers apply (the count was lost too).
    onReplayed: async (events) => {
      if (config.TRAIN_AFTER_EVENTS > 0 && events > 0) await new TrainingTrigger(rebuildWriter, keys).add(events);
    },
  });
  // Jobs are taken once a first check went through: a Redis found empty is rebuilt before anything is applied to it.
  const firstCheck = repair.start(repairConnection, config.FEATURE_STORE_CHECK_MS);

  const trainingTrigger = new TrainingTrigger(writer, keys);
  const published = new PublishedJobs(writer, keys);
  let stopping = false;
  /** Applies a batch, waiting while the store has no complete generation (lost, or a rebuild replays into it); BullMQ
   * keeps renewing the jobs' locks meanwhile. Stopping the worker ends the wait, and fails the jobs for a retry. */
  const applyWhileRepaired = async (jobs: JobEvents[]) => {
    const apply = () =>
      applyEventBatch(
        { features: deps.features, kpis: deps.kpis, writer, publish: (m) => deps.pubsub.publishMany(m), channel: (t) => keys.channel(t) },
        jobs,
      );
    for (;;) {
      try {
        return await unlessClosed(writer, apply());
      } catch (err) {
        if (writer.status !== 'ready' && !stopping) {
          // Redis away: whether the last transaction went through is read again from the markers once it is back.
          // Polled: the connection may pass through several states (and 'ready' events) before this line runs.
          while ((writer.status as string) !== 'ready' && !stopping) await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (!(err instanceof FeatureGenerationError)) throw err;
        log.info({ jobs: jobs.length, err: err.message }, 'holding jobs until the feature store is rebuilt');
        if (!(await repair.waitForGeneration(Number.POSITIVE_INFINITY))) throw err;
      }
    }
  };

  const batcher = new MicroBatcher<EventsJob>(
    async (batch) => {
      const { jobs, missing } = await resolveEvents(deps.events, batch);
      const { applied, events: written } = jobs.length ? await applyWhileRepaired(jobs) : { applied: 0, events: [] };
      observeApplied(deps.metrics, written);
      if (config.TRAIN_AFTER_EVENTS > 0 && applied > 0) {
        const events = jobs.reduce((s, j) => s + j.events.length, 0);
        if (await trainingTrigger.count(events, config.TRAIN_AFTER_EVENTS)) {
          deps.models.retrain('flywheel', null, 'EVENTS').catch((err) => log.warn({ err: (err as Error).message }, 'could not request training'));
        }
      }
      // Fails the batch's jobs, so that BullMQ tries them again: the others were applied and their retry finds them
      // marked; the job without events keeps failing, visibly, until it ends among the failed jobs.
      if (missing.length) throw new Error(`no events recorded with outbox message ${missing.join(', ')}`);
    },
    { maxItems: config.WORKER_BATCH_SIZE, lingerMs: config.WORKER_BATCH_LINGER_MS },
  );

  const events = new Worker(
    applyEventsJob.queue,
    async (job) => {
      if (job.name !== applyEventsJob.name) throw new Error(`unknown job ${job.name} on queue ${applyEventsJob.queue}`);
      const { outboxId } = checkPayload(applyEventsJob, job.data);
      await batcher.add({ jobId: job.id!, outboxId });
    },
    {
      connection: workerConnection,
      prefix: keys.bullPrefix,
      autorun: false,
      concurrency: config.WORKER_CONCURRENCY,
      ...recoveryOptions(config, { idempotent: true }),
    },
  );

  const inventory = new Worker(
    publishInventoryChangesJob.queue,
    async (job) => {
      if (job.name !== publishInventoryChangesJob.name) throw new Error(`unknown job ${job.name} on queue ${publishInventoryChangesJob.queue}`);
      const payload = checkPayload(publishInventoryChangesJob, job.data);
      await publishInventoryChanges({ published, publish: (m) => deps.pubsub.publishMany(m) }, job.id!, payload);
    },
    // One at a time keeps alerts in the order they were committed.
    { connection: workerConnection, prefix: keys.bullPrefix, autorun: false, concurrency: 1, ...recoveryOptions(config, { idempotent: true }) },
  );

  const rollups = new Worker(
    rollupKpisJob.queue,
    async (job) => {
      checkPayload(rollupKpisJob, job.data);
      await rollupKpis({ kpis: deps.kpis, publish: (m) => deps.pubsub.publishMany(m) });
    },
    { connection: workerConnection, prefix: keys.bullPrefix, autorun: false, concurrency: 1, ...recoveryOptions(config) },
  );

  const training = new Worker(
    trainModelJob.queue,
    async (job) => {
      if (job.name === scheduleTrainingJob.name) {
        checkPayload(scheduleTrainingJob, job.data);
        await deps.models.retrain('scheduler', null, 'SCHEDULE');
        return;
      }
      const { runId } = checkPayload(trainModelJob, job.data);
      const version = await deps.models.train(runId);
      if (version) log.info({ runId, version: version.id, status: version.status, metrics: version.metrics }, 'training finished');
      else {
        // Skipped or failed for want of data (the reason is on the run), or already taken by another worker.
        const run = await deps.models.run(runId);
        log.info({ runId, run: run?.status, reason: run?.error }, 'training ended without a model');
      }
    },
    // Training takes minutes on big stores: a long lock so it is not thought dead; one at a time.
    { connection: workerConnection, prefix: keys.bullPrefix, autorun: false, concurrency: 1, ...recoveryOptions(config, { lockMs: Math.max(config.WORKER_LOCK_MS, 300_000) }) },
  );
  // One schedule of each per deployment however many workers start (see schedules.ts); put back after a loss.
  void repair.putSchedulesBack();

  for (const w of [events, inventory, rollups, training]) {
    w.on('failed', (job, err) => log.warn({ job: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  }
  void firstCheck.then(() => {
    if (stopping) return;
    for (const w of [events, inventory, rollups, training]) void w.run().catch((err) => log.warn({ err: (err as Error).message }, 'worker stopped'));
  });

  return {
    async stop(deadline) {
      // close() takes no new job and waits for the active ones (their micro-batches are flushed first). A job still
      // running at the deadline (a long training, a Postgres that does not answer) is left active: its lock is not
      // renewed any more, and after WORKER_LOCK_MS another worker takes it (jobs are idempotent).
      stopping = true;
      await repair.stop();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all([events.close(), inventory.close(), rollups.close(), training.close()]).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      const connections = [workerConnection, writer, repairConnection, rebuildWriter];
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
