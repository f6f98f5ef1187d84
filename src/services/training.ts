// Training orchestration: who may train, which run a request joins, a queued run fitted (on a worker thread) and
// promoted by NDCG on the same hold-out, and the events that tell every API instance to switch models.
import { z } from 'zod';
import type { AlgorithmName } from '../recommender/types';
import { topics } from '../store/keys';
import type { ModelStore, ModelVersion, TrainingRun } from '../store/models';
import type { PubSub } from '../store/pubsub';
import { HALF_LIFE_OPTIONS, NotEnoughDataError, TRAINING_ALGORITHMS, type TrainingAlgorithm } from './model-training';
import { trainingSettings, type TrainingConfig, type TrainingSettings } from './models';
import type { TrainingInput, TrainingOutput } from './training-thread';
import { parseInput } from './validation';

/** The model family's own parameters from a stored version (without the training settings kept beside them). */
function modelParams(params: Record<string, unknown>): Record<string, unknown> {
  const { training: _training, ...own } = params;
  return own;
}

/** A run open this long is assumed lost (its job vanished with Redis, say). */
const STALE_RUN_MS = 2 * 3600_000;
/**
 * Triggers that nobody waits on: with too little data their run is SKIPPED (a fresh shop has no events yet, and
 * that is no failure). A MANUAL run FAILS instead, so the admin who asked sees why.
 */
const AUTOMATIC_TRIGGERS = new Set(['SCHEDULE', 'EVENTS']);

export class TrainingService {
  constructor(
    private readonly store: ModelStore,
    private readonly pubsub: PubSub,
    private readonly config: TrainingConfig,
    /** Puts a run on the training queue (job id = run id). */
    private readonly enqueue: (runId: string) => Promise<void>,
    /** Fits and evaluates (on a worker thread in the worker role). */
    private readonly fit: (input: TrainingInput) => Promise<TrainingOutput>,
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
   * Puts every waiting run's job (back) on the training queue: a no-op for a job that exists (the job id is the run
   * id), and the way back for runs whose jobs were lost with Redis's data (feature-repair.ts). Returns how many.
   */
  async requeueWaiting(): Promise<number> {
    const waiting = await this.store.waitingRuns();
    for (const run of waiting) await this.enqueue(run.id);
    return waiting.length;
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
}
