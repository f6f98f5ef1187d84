// Processor of job `apply-events` (jobs/apply-events.ts): the outbox messages of recorded events, applied to Redis.
// Jobs are gathered into micro-batches, so that a hot product costs one Redis write per batch. A batch:
//   1. reads its events from Postgres by outbox id, in one query (a job holds no copy of them);
//   2. applies them in one unit of work (store/event-unit-of-work.ts): features, campaign counters and the
//      announcements to live lists, in one Redis transaction, once per job ever; while the feature store has no
//      complete generation (lost, or being rebuilt), it waits for the repair;
//   3. tells live KPI dashboards which campaigns changed, through the PubSub port;
//   4. counts the events towards an early training (TRAIN_AFTER_EVENTS).
import type { Job } from 'bullmq';
import type { Config } from '../config';
import type { StoredEvent } from '../domain/events';
import { applyEventsJob } from '../jobs/apply-events';
import { checkJob } from '../jobs/job';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { FeatureRepair } from '../services/feature-repair';
import type { TrainingService } from '../services/training';
import { Announcements } from '../store/announcements';
import type { EventStore } from '../store/events';
import { EventUnitOfWork, type AppliedEvents, type JobEvents } from '../store/event-unit-of-work';
import { FeatureGenerationError } from '../store/feature-generation';
import { FeatureWrites } from '../store/feature-writes';
import { topics, type RedisKeys } from '../store/keys';
import type { KpiStore } from '../store/kpis';
import type { PubSub } from '../store/pubsub';
import { unlessClosed, type Redis } from '../store/redis';
import type { TrainingTrigger } from '../store/training-trigger';
import { MicroBatcher } from './micro-batcher';

/** An apply-events job as the worker got it: the outbox message whose events to read. */
interface EventsJob {
  jobId: string;
  outboxId: string;
}

export interface ApplyEventsDeps {
  config: Pick<Config, 'TRAIN_AFTER_EVENTS' | 'WORKER_BATCH_SIZE' | 'WORKER_BATCH_LINGER_MS'>;
  keys: RedisKeys;
  events: EventStore;
  kpis: KpiStore;
  /** The connection the unit of work WATCHes on, used by nobody else (see startWorkers on its options). */
  writer: Redis;
  repair: FeatureRepair;
  trainingTrigger: TrainingTrigger;
  training: TrainingService;
  pubsub: PubSub;
  metrics: Metrics;
  log: Logger;
}

export class ApplyEvents {
  private readonly unit: EventUnitOfWork;
  private readonly batcher: MicroBatcher<EventsJob>;
  private stopping = false;

  constructor(private readonly deps: ApplyEventsDeps) {
    this.unit = new EventUnitOfWork(deps.keys, {
      features: new FeatureWrites(deps.keys),
      kpis: deps.kpis,
      announcements: new Announcements(deps.keys),
    });
    this.batcher = new MicroBatcher((batch) => this.applyBatch(batch), {
      maxItems: deps.config.WORKER_BATCH_SIZE,
      lingerMs: deps.config.WORKER_BATCH_LINGER_MS,
    });
  }

  /** The BullMQ processor: settles once the job's batch is written (at-least-once is kept). */
  readonly process = async (job: Job): Promise<void> => {
    const { outboxId } = checkJob(applyEventsJob, job);
    await this.batcher.add({ jobId: job.id!, outboxId });
  };

  /** Ends the waits for Redis or for a repair: their jobs fail, for a retry by whichever worker takes them. */
  stop(): void {
    this.stopping = true;
  }

  private async applyBatch(batch: EventsJob[]): Promise<void> {
    const { jobs, missing } = await this.readEvents(batch);
    const { applied, events, campaigns } = jobs.length ? await this.applyWhileRepaired(jobs) : { applied: 0, events: [], campaigns: [] };
    this.observeApplied(events);
    await this.deps.pubsub.publishMany(campaigns.map((c): [string, string] => [topics.campaign(c), 'events']));
    const { config, trainingTrigger, training, log } = this.deps;
    if (config.TRAIN_AFTER_EVENTS > 0 && applied > 0) {
      const count = jobs.reduce((s, j) => s + j.events.length, 0);
      if (await trainingTrigger.count(count, config.TRAIN_AFTER_EVENTS)) {
        training.retrain('flywheel', null, 'EVENTS').catch((err) => log.warn({ err: (err as Error).message }, 'could not request training'));
      }
    }
    // Fails the batch's jobs, so that BullMQ tries them again: the others were applied and their retry finds them
    // marked; the job without events keeps failing, visibly, until it ends among the failed jobs.
    if (missing.length) throw new Error(`no events recorded with outbox message ${missing.join(', ')}`);
  }

  /**
   * The jobs of a micro-batch with their events, read from Postgres in one query. An outbox message always has
   * events (the statement that writes it writes them); a job that finds none is left out and reported in `missing`.
   */
  private async readEvents(batch: EventsJob[]): Promise<{ jobs: JobEvents[]; missing: string[] }> {
    const read = await this.deps.events.byOutbox(batch.map((j) => j.outboxId));
    const jobs: JobEvents[] = [];
    const missing: string[] = [];
    for (const j of batch) {
      const events = read.get(j.outboxId);
      if (events?.length) jobs.push({ jobId: j.jobId, events });
      else missing.push(j.outboxId);
    }
    return { jobs, missing };
  }

  /** Applies a batch, waiting while the store has no complete generation (lost, or a rebuild replays into it); BullMQ
   * keeps renewing the jobs' locks meanwhile. Stopping the worker ends the wait, and fails the jobs for a retry. */
  private async applyWhileRepaired(jobs: JobEvents[]): Promise<AppliedEvents> {
    const { writer, repair, log } = this.deps;
    for (;;) {
      try {
        // Only into a complete store: not one that lost its data, nor one a rebuild is clearing or replaying into.
        return await unlessClosed(writer, this.unit.apply(writer, jobs, { generation: true }));
      } catch (err) {
        if (writer.status !== 'ready' && !this.stopping) {
          // Redis away: whether the last transaction went through is read again from the markers once it is back.
          // Polled: the connection may pass through several states (and 'ready' events) before this line runs.
          while ((writer.status as string) !== 'ready' && !this.stopping) await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (!(err instanceof FeatureGenerationError)) throw err;
        log.info({ jobs: jobs.length, err: err.message }, 'holding jobs until the feature store is rebuilt');
        if (!(await repair.waitForGeneration(Number.POSITIVE_INFINITY))) throw err;
      }
    }
  }

  /** Counts applied events, and how long each took from its commit to being applied (where its commit time is known). */
  private observeApplied(events: StoredEvent[]): void {
    const { metrics } = this.deps;
    if (!events.length) return;
    metrics.eventsApplied.inc(events.length);
    const now = Date.now();
    for (const e of events) if (e.recordedAt !== undefined) metrics.featureLag.observe(Math.max(0, now - e.recordedAt) / 1000);
  }
}
