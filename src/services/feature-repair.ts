// Notices a Redis that lost its data and rebuilds the feature store (features and live campaign KPIs) from
// Postgres, with no human action (issue 20). Redis is a cache, but a cache that comes back empty (a restart
// without persistence, a failover to an empty replica, a flush) is not noticed by anything else: the counters
// would stay short of the events until someone ran `npm run features:rebuild`.
//
// The sign is the feature store's generation (keys.featureGeneration): a rebuild sets it, nothing else removes
// it, so a Redis without it lost its data. Every worker checks at start, whenever its connection comes back, and
// every FEATURE_STORE_CHECK_MS; one of them (a lock in Redis) rebuilds while the others keep applying jobs, which
// wait only while the store is being cleared. The replay and the workers apply each job once between them (the
// applied-job markers, see feature-rebuild.ts). What else lived only in the lost Redis, the repeatable schedules
// and the jobs of trainings still waiting (their runs are QUEUED in Postgres), is put back by every worker that
// notices.
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { EventStore } from '../store/events';
import type { FeatureGenerationStore } from '../store/feature-generation';
import type { FeatureStore } from '../store/feature-store';
import { FEATURES_REBUILT, topics } from '../store/keys';
import type { KpiStore } from '../store/kpis';
import type { PubSub } from '../store/pubsub';
import { unlessClosed, type Redis } from '../store/redis';
import type { TrainingTrigger } from '../store/training-trigger';
import { rebuildFeatures, type RebuildResult } from './feature-rebuild';

/** What made a worker look: its start, its connection coming back, the periodic check, a write refused. */
export type RepairTrigger = 'start' | 'reconnect' | 'periodic' | 'write';

/** Why a store was rebuilt: no generation (lost; `initial` when Postgres had no events either), a rebuild whose
 * worker stopped before the end (`unfinished`), or someone asked (`manual`, npm run features:rebuild). */
export type RepairCause = 'lost' | 'initial' | 'unfinished' | 'manual';

/** The rebuild lock lapses this long after its holder stopped renewing it (a dead worker). */
const LOCK_MS = 15_000;
const RENEW_MS = 5_000;

export interface FeatureRepairDeps {
  events: EventStore;
  features: FeatureStore;
  kpis: KpiStore;
  generations: FeatureGenerationStore;
  /** A connection of the repair's own (a rebuild WATCHes on it). */
  writer: Redis;
  log: Logger;
  metrics?: Metrics;
  /** Tells live KPI subscribers that counters changed. @default nobody */
  pubsub?: PubSub;
  /** Puts back what lived only in Redis (idempotent): the repeatable schedules, the waiting trainings' jobs. */
  putBack?: () => Promise<void>;
  /** Counts the events a rebuild applied towards an early training, like those workers apply (the count was lost
   * too). @default not counted */
  trainingTrigger?: TrainingTrigger;
}

export class FeatureRepair {
  private checking?: Promise<boolean>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private onReady?: () => void;
  private readyConnection?: Redis;
  /** False after putting the schedules back failed (Redis not ready for the producer yet): the next check tries again. */
  private schedulesOk = true;

  constructor(private readonly deps: FeatureRepairDeps) {}

  /**
   * Checks now, every `checkMs`, and whenever `connection` (re)connects. Resolves once a check went through (Redis
   * answered, and the store was complete or has been rebuilt), trying again every half second until then.
   */
  start(connection: Redis, checkMs: number): Promise<void> {
    const first = (async () => {
      while (!this.stopped && !(await this.check('start'))) await new Promise((r) => setTimeout(r, 500));
    })();
    this.timer = setInterval(() => void this.check('periodic'), checkMs);
    this.timer.unref();
    let connectedBefore = connection.status === 'ready';
    this.onReady = () => {
      // The first 'ready' is the start, checked above; each later one is a connection that came back.
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      void this.putSchedulesBack();
      void this.check('reconnect');
    };
    this.readyConnection = connection;
    connection.on('ready', this.onReady);
    return first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.onReady) this.readyConnection?.off('ready', this.onReady);
    // A check may be waiting for Redis (the schedules' queue waits for its connection): not for long. A rebuild left
    // unfinished is taken over by another worker once its lock lapses (cause `unfinished`).
    await Promise.race([this.checking, new Promise((r) => setTimeout(r, 3000).unref())]);
  }

  /**
   * Looks at the store's generation and repairs it when needed; one check at a time (a second call joins it).
   * False when the check failed.
   */
  check(trigger: RepairTrigger): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.checking ??= this.checkOnce(trigger)
      .then(() => true)
      .catch((err) => {
        // While Redis is away every check fails: that is the dependencies' news, not this one's.
        this.deps.log[this.readyConnection?.status === 'ready' ? 'warn' : 'debug']({ err: (err as Error).message, trigger }, 'feature store check failed');
        return false;
      })
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * Waits until the store has a complete generation again (a write was refused without one), starting a check at
   * once; false after `timeoutMs` or when stopped.
   */
  async waitForGeneration(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && Date.now() < deadline) {
      void this.check('write');
      const state = await this.deps.generations.state().catch(() => null);
      if (state?.generation && !state.replaying) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  /** Puts the repeatable schedules and the waiting trainings' jobs back (idempotent); on failure the next check
   * tries again. */
  async putSchedulesBack(): Promise<void> {
    if (!this.deps.putBack || this.stopped) return;
    try {
      await this.deps.putBack();
      this.schedulesOk = true;
    } catch (err) {
      this.schedulesOk = false;
      this.deps.log.warn({ err: (err as Error).message }, 'could not put the repeatable schedules and waiting trainings back; trying again at the next check');
    }
  }

  private async checkOnce(trigger: RepairTrigger): Promise<void> {
    const state = await this.deps.generations.state();
    if (!this.schedulesOk) await this.putSchedulesBack();
    let cause: 'lost' | 'unfinished';
    if (!state.generation) cause = 'lost';
    else if (state.replaying && !state.locked) cause = 'unfinished';
    else return;
    // Whoever rebuilds, the schedules went with the data: every worker that notices puts them back.
    await this.putSchedulesBack();
    if (state.locked) return; // another worker is clearing the store; its generation comes next
    const reason =
      cause === 'lost'
        ? `Redis lost its data: no feature store generation (found at worker ${trigger === 'start' ? 'start' : trigger === 'reconnect' ? 'reconnection' : trigger === 'write' ? 'write' : 'check'})`
        : 'a rebuild stopped before its end (its worker stopped)';
    await this.rebuild(reason, cause);
  }

  /**
   * Rebuilds under the lock; null when another process holds it. `cause` labels the metric (`initial` when there
   * was nothing to replay).
   */
  async rebuild(reason: string, cause: RepairCause = 'lost'): Promise<RebuildResult | null> {
    const { generations, log, writer } = this.deps;
    // The writer may still be connecting (at start), and queues nothing meanwhile.
    for (let i = 0; writer.status !== 'ready' && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
    const token = await generations.lock(LOCK_MS);
    if (!token) return null;
    const renewal = setInterval(() => void generations.renew(token, LOCK_MS).catch(() => undefined), RENEW_MS);
    const started = Date.now();
    try {
      log.info({ reason }, 'rebuilding the feature store from Postgres');
      const result = await unlessClosed(writer, rebuildFeatures({ ...this.deps, reason, log }));
      const durationMs = Date.now() - started;
      const labelled: RepairCause = result.events === 0 && cause === 'lost' ? 'initial' : cause;
      this.deps.metrics?.featureRepairs.inc({ cause: labelled });
      this.deps.metrics?.featureLastRepair.set(Date.now() / 1000);
      const details = { reason, generation: result.generation, replayedJobs: result.applied, jobs: result.jobs, events: result.events, durationMs };
      // A first start with no events is no news; anything else means counters were wrong until now.
      if (labelled === 'initial') log.info(details, 'feature store initialised');
      else log.warn(details, 'feature store rebuilt from Postgres');
      await this.putSchedulesBack();
      if (result.replayedEvents > 0) await this.deps.trainingTrigger?.add(result.replayedEvents).catch(() => undefined);
      // Live KPI subscribers read the counters again (they were short until now), and live lists their users' state
      // (computed meanwhile from a store being replayed); a first start with nothing replayed is no news.
      const notices: Array<[string, string]> = [...result.campaigns.map((c): [string, string] => [topics.campaign(c), 'rebuilt']), [topics.sales(), 'rebuilt']];
      if (labelled !== 'initial') notices.push([topics.allUsers(), FEATURES_REBUILT]);
      await this.deps.pubsub?.publishMany(notices).catch(() => undefined);
      return result;
    } finally {
      clearInterval(renewal);
      await generations.unlock(token).catch(() => undefined);
    }
  }
}
