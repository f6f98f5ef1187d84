// Model registry rules: who may train, which run a request joins, promotion by NDCG on the same hold-out,
// experiments, and the events that tell every API instance to switch models.
import { z } from 'zod';
import { NotFoundError } from '../errors';
import { EventStream } from '../realtime/event-stream';
import { loadModel } from '../recommender';
import type { AlgorithmName, RecommenderModel } from '../recommender/types';
import { topics } from '../store/keys';
import type { Experiment, ModelStore, ModelVersion, TrainingRun } from '../store/models';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '../store/pagination';
import type { PubSub } from '../store/pubsub';
import type { ExperimentCounts } from '../store/experiment-counts';
import { assignVariant, parseVariants, twoProportionPValue } from './experiments';
import { HALF_LIFE_OPTIONS, NotEnoughDataError, TRAINING_ALGORITHMS, type TrainingAlgorithm, type TrainingChoice } from './model-training';
import type { TrainingInput, TrainingOutput } from './training-thread';
import { parseInput } from './validation';

/** The model family's own parameters from a stored version (without the training settings kept beside them). */
function modelParams(params: Record<string, unknown>): Record<string, unknown> {
  const { training: _training, ...own } = params;
  return own;
}

/** The training settings stored beside a version's parameters (older versions lack referenceTime). */
export interface TrainingSettings {
  weights?: Record<string, number>;
  /** The half-life the model was fitted with (chosen on the hold-out when there was a choice). */
  halfLifeDays?: number;
  /** Each family and half-life tried, with its hold-out NDCG@10 (versions trained before the choice have none). */
  choices?: TrainingChoice[];
  referenceTime?: string;
}

export function trainingSettings(version: ModelVersion): TrainingSettings {
  return (version.params.training ?? {}) as TrainingSettings;
}

/**
 * Most of a shopper's latest events a model scores from: a heavy MovieLens rater has ~2,000 of them in
 * bench:movielens-api, and reading 5,000 rows by (user_id, occurred_at) is one short index scan.
 */
const MODEL_HISTORY_EVENTS = 5000;

/** A run open this long is assumed lost (its job vanished with Redis, say). */
const STALE_RUN_MS = 2 * 3600_000;
/** A models cursor's key: the version's training time (ms) and id. */
const MODEL_CURSOR_KEY = z.string().regex(/^[0-9]{1,15}\|[A-Za-z0-9_-]{1,128}$/);

/**
 * Triggers that nobody waits on: with too little data their run is SKIPPED (a fresh shop has no events yet, and
 * that is no failure). A MANUAL run FAILS instead, so the admin who asked sees why.
 */
const AUTOMATIC_TRIGGERS = new Set(['SCHEDULE', 'EVENTS']);

export interface TrainingConfig {
  /** The family trained by default, or `auto` (chosen per training, see AUTO_FAMILIES). */
  algorithm: TrainingAlgorithm;
  weights: Record<string, number>;
  /** A half-life in days (0 = no decay), or `auto`: chosen per training among HALF_LIFE_OPTIONS. */
  halfLifeDays: number | 'auto';
  maxUsers: number;
  /** Most users held out for evaluation. */
  evalUsers: number;
  tolerance: number;
}

export interface VariantResult {
  name: string;
  model: string;
  weight: number;
  listsServed: number;
  clicks: number;
  clickThroughRate: number;
  purchases: number;
  revenue: number;
  /** Two-proportion z-test of this variant's click-through against the first variant's. */
  pValue: number | null;
}

export class ModelService {
  constructor(
    private readonly store: ModelStore,
    private readonly pubsub: PubSub,
    private readonly counts: ExperimentCounts,
    private readonly config: TrainingConfig,
    /** Puts a run on the training queue (job id = run id). */
    private readonly enqueue: (runId: string) => Promise<void>,
    /** Fits and evaluates (on a worker thread in the worker role). */
    private readonly fit: (input: TrainingInput) => Promise<TrainingOutput>,
    /** This instance's serving state, switched before a change returns (the others follow the `models` message). */
    private readonly serving?: ModelServing,
  ) {}

  /**
   * Queues a training of what the store holds now: joins a run of the same algorithm that has not started yet
   * (it will read the interactions when it starts, after this call), or queues a new one, also when one is
   * already running (that one read its data before this call). The new run waits for the training queue's next
   * free worker.
   */
  async retrain(actor: string, rawAlgorithm: string | null | undefined, trigger = 'MANUAL'): Promise<TrainingRun> {
    const algorithm = parseInput(z.enum(TRAINING_ALGORITHMS as [TrainingAlgorithm, ...TrainingAlgorithm[]]).nullish(), rawAlgorithm, 'algorithm') ?? this.config.algorithm;
    await this.store.failStaleRuns(STALE_RUN_MS);
    const { run } = await this.store.openRun(algorithm, trigger, actor);
    // On a join too: the job id is the run id, so this is a no-op while the job exists, and it revives a waiting
    // run whose first enqueue failed (Redis down after the row was written) instead of leaving a ghost to join.
    await this.enqueue(run.id);
    return run;
  }

  /**
   * Runs a queued training (the worker calls this). It reads the interactions only now that it has started, so it
   * sees everything committed before any request that joined it.
   */
  async train(runId: string): Promise<ModelVersion | null> {
    const run = await this.store.startRun(runId);
    if (!run) return null; // already taken by another worker, or finished
    const started = Date.now();
    try {
      const [halfLifeDays, ...alsoHalfLives] = this.config.halfLifeDays === 'auto' ? HALF_LIFE_OPTIONS : [this.config.halfLifeDays];
      const { interactions, alternatives, events, referenceTime } = await this.store.interactions({
        weights: this.config.weights,
        maxUsers: this.config.maxUsers,
        halfLifeDays: halfLifeDays!,
        alsoHalfLives,
      });
      const active = await this.store.active();
      const outcome = await this.fit({
        interactions,
        halfLifeDays: halfLifeDays!,
        alternatives,
        candidate: { algorithm: run.algorithm as AlgorithmName | 'auto' },
        baseline: active
          ? { id: active.id, algorithm: active.algorithm as AlgorithmName, params: modelParams(active.params), halfLifeDays: trainingSettings(active).halfLifeDays }
          : null,
        tolerance: this.config.tolerance,
        evalUsers: this.config.evalUsers,
      });
      const version = await this.store.saveVersion({
        // The family fitted: the run's, or the one `auto` chose.
        algorithm: outcome.algorithm,
        params: {
          ...outcome.params,
          training: {
            weights: this.config.weights,
            halfLifeDays: outcome.halfLifeDays,
            choices: outcome.choices,
            referenceTime: referenceTime?.toISOString(),
          } satisfies TrainingSettings,
        },
        metrics: outcome.metrics,
        trainingEvents: events,
        durationMs: Date.now() - started,
        artifact: outcome.artifact,
        promote: outcome.better,
      });
      await this.store.finishRun(run.id, { status: 'SUCCEEDED', modelVersionId: version.id });
      await this.pubsub.publish(topics.modelTrained(), JSON.stringify({ id: version.id }));
      if (version.status === 'ACTIVE') await this.pubsub.publish(topics.models(), JSON.stringify({ active: version.id }));
      return version;
    } catch (err) {
      // The error's name, not its class: it comes back from the training thread as a plain Error.
      const notEnoughData = err instanceof NotEnoughDataError || (err as Error).name === NotEnoughDataError.name;
      const skip = notEnoughData && AUTOMATIC_TRIGGERS.has(run.trigger);
      await this.store.finishRun(run.id, { status: skip ? 'SKIPPED' : 'FAILED', error: (err as Error).message });
      if (notEnoughData) return null;
      throw err;
    }
  }

  /**
   * A shopper's history as `version` was trained to see it: its event weights and decay, ages counted from its
   * reference time. A model scores these weights, so they must be the training's, not the serving instance's
   * configuration (which may have changed since).
   */
  async history(userId: string, version: ModelVersion): Promise<Array<{ item: string; weight: number; lastAt: number }>> {
    const training = trainingSettings(version);
    return this.store.history(userId, {
      weights: training.weights ?? this.config.weights,
      halfLifeDays: training.halfLifeDays ?? (this.config.halfLifeDays === 'auto' ? 0 : this.config.halfLifeDays),
      referenceTime: new Date(training.referenceTime ?? version.trainedAt),
      maxEvents: MODEL_HISTORY_EVENTS,
    });
  }

  run(id: string): Promise<TrainingRun | null> {
    return this.store.run(id);
  }

  active(): Promise<ModelVersion | null> {
    return this.store.active();
  }

  version(id: string): Promise<ModelVersion | null> {
    return this.store.version(id);
  }

  async list(args: PageArgs): Promise<Page<ModelVersion>> {
    const size = pageSize(args.first);
    let before: { trainedAt: Date; id: string } | undefined;
    if (args.after) {
      const [ms, id] = decodeCursor(args.after, 'model', MODEL_CURSOR_KEY).split('|');
      before = { trainedAt: new Date(Number(ms)), id: id ?? '' };
    }
    const rows = await this.store.list({ limit: size + 1, before });
    const nodes = rows.slice(0, size);
    const edges = nodes.map((node) => ({ cursor: encodeCursor('model', `${node.trainedAt.getTime()}|${node.id}`), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Every newly trained version, as it is saved. */
  liveTrained(): EventStream<ModelVersion> {
    return new EventStream({
      pubsub: this.pubsub,
      topic: topics.modelTrained(),
      map: async (message) => (await this.store.version((JSON.parse(message) as { id: string }).id)) ?? undefined,
    });
  }

  async configureExperiment(rawVariants: readonly unknown[]): Promise<Experiment> {
    const variants = parseVariants(rawVariants);
    for (const [index, v] of variants.entries()) {
      if (v.model.startsWith('mv_') && !(await this.store.version(v.model))) throw new NotFoundError(`Model version (variants.${index}.model)`, v.model);
    }
    const experiment = await this.store.saveExperiment(variants);
    // Read-your-writes: the admin's next request to this instance already sees the experiment, even before
    // this instance's own `models` message comes back from Redis.
    await this.serving?.refresh();
    await this.pubsub.publish(topics.models(), JSON.stringify({ experiment: experiment.id }));
    return experiment;
  }

  currentExperiment(): Promise<Experiment | null> {
    return this.store.currentExperiment();
  }

  async experimentResults(): Promise<{ experiment: Experiment; variants: VariantResult[] } | null> {
    const experiment = await this.store.currentExperiment();
    if (!experiment) return null;
    const [outcomes, served] = await Promise.all([
      this.store.experimentOutcomes(experiment.id),
      this.counts.served(experiment.id),
    ]);
    const rows = experiment.variants.map((v) => {
      const o = outcomes.get(v.name) ?? { clicks: 0, purchases: 0, revenue: 0 };
      const listsServed = served.get(v.name) ?? 0;
      return { name: v.name, model: v.model, weight: v.weight, listsServed, ...o, clickThroughRate: listsServed ? o.clicks / listsServed : 0 };
    });
    const control = rows[0]!;
    return {
      experiment,
      variants: rows.map((r, i) => ({
        ...r,
        revenue: Math.round(r.revenue * 100) / 100,
        pValue: i === 0 ? null : twoProportionPValue(r.clicks, r.listsServed, control.clicks, control.listsServed),
      })),
    };
  }

  /** Counts a served list for its variant (for click-through rates). */
  async countServed(experimentId: string, variant: string): Promise<void> {
    await this.counts.countServed(experimentId, variant);
  }

  assign = assignVariant;
}

/**
 * The models an API instance serves from, kept in memory. It switches when a `models` message says the active
 * model or the experiment changed: the old model keeps answering until the new one is loaded, so no request fails.
 */
export class ModelServing {
  private active?: Promise<{ version: ModelVersion; model: RecommenderModel } | null>;
  private experiment?: Promise<Experiment | null>;
  private readonly byId = new Map<string, Promise<{ version: ModelVersion; model: RecommenderModel } | null>>();
  private unsubscribe?: () => Promise<void>;
  private generation = 0;

  constructor(
    private readonly store: ModelStore,
    private readonly pubsub: PubSub,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(topics.models(), () => void this.refresh());
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Reloads the active model and the experiment; resolves once both are swapped in (or kept, on failure). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const next = this.loadActive();
    const exp = this.store.currentExperiment();
    // Swap only once loaded, so requests meanwhile use the previous model; and never let a slower, older
    // reload overwrite what a newer one already swapped in.
    const swap = (apply: () => void) => () => void (generation === this.generation && apply());
    await Promise.all([
      next.then(swap(() => (this.active = next))).catch(() => undefined),
      exp.then(swap(() => (this.experiment = exp))).catch(() => undefined),
    ]);
  }

  private async loadActive(): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    const version = await this.store.active();
    return version ? this.load(version) : null;
  }

  private async load(version: ModelVersion): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    const bytes = await this.store.artifact(version.id);
    return bytes ? { version, model: loadModel(bytes) } : null;
  }

  // A look-up that failed (Postgres away a moment) is forgotten, not cached: the next request tries again, where a
  // kept rejection would fail every recommendation until the next models message (issue 20).
  activeModel(): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    if (!this.active) {
      const p = this.loadActive();
      this.active = p;
      p.catch(() => void (this.active === p && (this.active = undefined)));
    }
    return this.active;
  }

  currentExperiment(): Promise<Experiment | null> {
    if (!this.experiment) {
      const p = this.store.currentExperiment();
      this.experiment = p;
      p.catch(() => void (this.experiment === p && (this.experiment = undefined)));
    }
    return this.experiment;
  }

  modelById(id: string): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    let p = this.byId.get(id);
    if (!p) {
      const loading = this.store.version(id).then((v) => (v ? this.load(v) : null));
      if (this.byId.size > 8) this.byId.clear(); // a handful of variants at most; no need for an LRU
      this.byId.set(id, loading);
      loading.catch(() => void (this.byId.get(id) === loading && this.byId.delete(id)));
      p = loading;
    }
    return p;
  }
}
