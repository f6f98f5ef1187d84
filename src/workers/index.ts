// The worker role: BullMQ workers for each job type, wired to their stores.
import { Worker } from 'bullmq';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { EventStore, StoredEvent } from '../store/events';
import type { FeatureStore, JobEvents } from '../store/feature-store';
import type { KpiStore } from '../store/kpis';
import type { Queues } from '../store/queues';
import type { ModelService } from '../services/models';
import type { RedisKeys } from '../store/keys';
import type { RedisPubSub } from '../store/pubsub';
import { createRedis } from '../store/redis';
import { applyEventBatch, applyEventsJob } from './apply-events';
import { checkPayload } from './job';
import { MicroBatcher } from './micro-batcher';
import { recoveryOptions } from './recovery';
import { publishInventoryChanges, publishInventoryChangesJob } from './publish-inventory-changes';
import { rollupKpis, rollupKpisJob } from './rollup-kpis';
import { scheduleTrainingJob, trainModelJob } from './train-model';

export interface RunningWorkers {
  /** Takes no new job and lets the running ones finish until `deadline` (ms since the epoch). */
  stop(deadline: number): Promise<void>;
}

/** An apply-events job as the worker got it: its events, or the outbox message whose events to read. */
type EventsJob = { jobId: string; events: StoredEvent[] } | { jobId: string; outboxId: string };

/**
 * The jobs of a micro-batch with their events: those named by outbox id read from Postgres in one query. An
 * outbox message always has events (the statement that writes it writes them); a job that finds none is left
 * out and reported in `missing`.
 */
async function resolveEvents(store: EventStore, batch: EventsJob[]): Promise<{ jobs: JobEvents[]; missing: string[] }> {
  const named = batch.flatMap((j) => ('outboxId' in j ? [j.outboxId] : []));
  const read = named.length ? await store.byOutbox(named) : new Map<string, StoredEvent[]>();
  const jobs: JobEvents[] = [];
  const missing: string[] = [];
  for (const j of batch) {
    const events = 'outboxId' in j ? read.get(j.outboxId) : j.events;
    if (events?.length) jobs.push({ jobId: j.jobId, events });
    else missing.push('outboxId' in j ? j.outboxId : j.jobId);
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
  const writer = createRedis(config.REDIS_URL, 'flywheel-feature-writer', { maxRetriesPerRequest: null });
  for (const c of [workerConnection, writer]) c.on('error', (err) => log.debug({ err: err.message }, 'worker redis error'));

  const batcher = new MicroBatcher<EventsJob>(
    async (batch) => {
      const { jobs, missing } = await resolveEvents(deps.events, batch);
      const { applied, events: written } = jobs.length
        ? await applyEventBatch(
            { features: deps.features, kpis: deps.kpis, writer, publish: (m) => deps.pubsub.publishMany(m), channel: (t) => keys.channel(t) },
            jobs,
          )
        : { applied: 0, events: [] };
      observeApplied(deps.metrics, written);
      if (config.TRAIN_AFTER_EVENTS > 0 && applied > 0) {
        const events = jobs.reduce((s, j) => s + j.events.length, 0);
        const since = await writer.incrby(keys.eventsSinceTraining(), events);
        if (since >= config.TRAIN_AFTER_EVENTS) {
          await writer.set(keys.eventsSinceTraining(), '0');
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
      const payload = checkPayload(applyEventsJob, job.data);
      await batcher.add('events' in payload ? { jobId: job.id!, events: payload.events } : { jobId: job.id!, outboxId: payload.outboxId });
    },
    {
      connection: workerConnection,
      prefix: keys.bullPrefix,
      concurrency: config.WORKER_CONCURRENCY,
      ...recoveryOptions(config, { idempotent: true }),
    },
  );

  const inventory = new Worker(
    publishInventoryChangesJob.queue,
    async (job) => {
      if (job.name !== publishInventoryChangesJob.name) throw new Error(`unknown job ${job.name} on queue ${publishInventoryChangesJob.queue}`);
      const payload = checkPayload(publishInventoryChangesJob, job.data);
      await publishInventoryChanges({ redis: writer, keys, publish: (m) => deps.pubsub.publishMany(m) }, job.id!, payload);
    },
    // One at a time keeps alerts in the order they were committed.
    { connection: workerConnection, prefix: keys.bullPrefix, concurrency: 1, ...recoveryOptions(config, { idempotent: true }) },
  );

  const rollups = new Worker(
    rollupKpisJob.queue,
    async (job) => {
      checkPayload(rollupKpisJob, job.data);
      await rollupKpis({ kpis: deps.kpis, publish: (m) => deps.pubsub.publishMany(m) });
    },
    { connection: workerConnection, prefix: keys.bullPrefix, concurrency: 1, ...recoveryOptions(config) },
  );
  // One schedule per deployment however many workers start: upsert by id is idempotent.
  deps.queues
    .queue(rollupKpisJob.queue)
    .upsertJobScheduler('kpi-rollup', { every: config.KPI_ROLLUP_INTERVAL_MS }, { name: rollupKpisJob.name, data: {}, opts: rollupKpisJob.options })
    .catch((err) => log.warn({ err: (err as Error).message }, 'could not schedule the KPI rollup'));

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
    { connection: workerConnection, prefix: keys.bullPrefix, concurrency: 1, ...recoveryOptions(config, { lockMs: Math.max(config.WORKER_LOCK_MS, 300_000) }) },
  );
  if (config.TRAIN_INTERVAL_MS > 0) {
    deps.queues
      .queue(scheduleTrainingJob.queue)
      .upsertJobScheduler('training', { every: config.TRAIN_INTERVAL_MS }, { name: scheduleTrainingJob.name, data: {}, opts: scheduleTrainingJob.options })
      .catch((err) => log.warn({ err: (err as Error).message }, 'could not schedule training'));
  }

  for (const w of [events, inventory, rollups, training]) {
    w.on('failed', (job, err) => log.warn({ job: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  }

  return {
    async stop(deadline) {
      // close() takes no new job and waits for the active ones (their micro-batches are flushed first). A job still
      // running at the deadline (a long training, a Postgres that does not answer) is left active: its lock is not
      // renewed any more, and after WORKER_LOCK_MS another worker takes it (jobs are idempotent).
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all([events.close(), inventory.close(), rollups.close(), training.close()]).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      if (!finished) {
        log.warn({ lockMs: config.WORKER_LOCK_MS }, 'jobs still running at the shutdown deadline: left to another worker once their locks expire');
        for (const c of [workerConnection, writer]) c.disconnect();
        return;
      }
      await Promise.all([workerConnection.quit(), writer.quit()].map((p) => p.catch(() => undefined)));
    },
  };
}
