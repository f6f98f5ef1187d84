// One training run as a pure computation: split, fit, evaluate against the active model's recipe on the same
// hold-out, and refit on everything for serving. The worker around it only reads events and saves the result.
import { createModel } from '../recommender';
import { evaluateOnHoldout, splitHoldout } from '../recommender/holdout';
import type { AlgorithmName, Interaction, RecommenderModel } from '../recommender/types';
import type { ModelMetrics } from '../store/models';

export const ALGORITHMS: readonly AlgorithmName[] = ['ease', 'sar', 'als', 'bpr', 'itemknn'];

export interface Recipe {
  algorithm: AlgorithmName;
  params?: Record<string, unknown>;
}

/**
 * The time-decay half-lives (days; 0 = none) a training chooses from when TRAIN_HALF_LIFE_DAYS is `auto`. The
 * right one depends on the store: on MovieLens 100k end to end no decay scores NDCG@10 0.485 and 30 days 0.445.
 */
export const HALF_LIFE_OPTIONS: readonly number[] = [0, 30];

/** The same interactions weighed with another half-life: one weight per interaction, in their order. */
export interface Weighting {
  halfLifeDays: number;
  weights: Float64Array;
}

/** A half-life tried on the hold-out, and how the candidate scored with it. */
export interface HalfLifeChoice {
  halfLifeDays: number;
  ndcgAt10: number;
}

export interface TrainingOutcome {
  model: RecommenderModel;
  /** The half-life the model was fitted with: the best on the hold-out among those tried. */
  halfLifeDays: number;
  /** Every half-life tried, with its hold-out NDCG@10 (one entry when there was nothing to choose). */
  halfLifeChoices: HalfLifeChoice[];
  metrics: ModelMetrics;
  /** Whether the candidate may replace the active model: NDCG@10 at least the baseline's minus the tolerance. */
  better: boolean;
  /** Where the time went, in ms (for logs and the scale benchmark). */
  timings: TrainingTimings;
}

export interface TrainingTimings {
  /** Fitting the candidate on the hold-out's training part (once per weighting tried). */
  fit: number;
  /** Scoring the hold-out users with it (likewise). */
  evaluate: number;
  /** Refitting and scoring the active model's recipe on the same split (0 without one). */
  baseline: number;
  /** Fitting the candidate on every interaction, for serving. */
  refit: number;
}

export class NotEnoughDataError extends Error {
  override readonly name = 'NotEnoughDataError';
}

/**
 * Fits `candidate` on a hold-out split and evaluates it, once per weighting of the interactions (`halfLifeDays`:
 * theirs; `alternatives`: the same rows weighed with other half-lives), keeps the weighting that scores best, refits
 * the active model's recipe on the same split for comparison, and refits the candidate on every interaction.
 */
export function trainAndEvaluate(
  interactions: readonly Interaction[],
  candidate: Recipe,
  baseline: (Recipe & { id: string; halfLifeDays?: number | undefined }) | null,
  opts: { tolerance: number; seed?: number; maxTestUsers?: number | undefined; halfLifeDays?: number; alternatives?: readonly Weighting[] },
): TrainingOutcome {
  const splitOf = (rows: readonly Interaction[]) =>
    splitHoldout(rows, { seed: opts.seed ?? 42, method: 'random', ...(opts.maxTestUsers ? { maxTestUsers: opts.maxTestUsers } : {}) });
  // The split depends on the rows, not their weights: every weighting is held out on the same pairs.
  const weightings = [
    { halfLifeDays: opts.halfLifeDays ?? 0, rows: () => interactions },
    ...(opts.alternatives ?? []).map((w) => ({ halfLifeDays: w.halfLifeDays, rows: () => reweigh(interactions, w.weights) })),
  ];
  const split = splitOf(interactions);
  const testUsers = new Set(split.test.map((i) => i.user));
  if (testUsers.size < 2 || new Set(split.train.map((i) => i.item)).size < 2) {
    throw new NotEnoughDataError(`not enough interactions to train and evaluate (${interactions.length} rows, ${testUsers.size} hold-out users)`);
  }
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  let fit = 0;
  let evaluate = 0;
  const tried = weightings.map((w) => {
    const rows = w.rows();
    const ownSplit = rows === interactions ? split : splitOf(rows);
    const evaluated = createModel(candidate.algorithm, candidate.params).fit(ownSplit.train);
    fit += lap();
    const metrics = evaluateOnHoldout(evaluated, ownSplit, 10);
    evaluate += lap();
    return { ...w, split: ownSplit, metrics };
  });
  // The best NDCG@10; a tie keeps the earlier weighting (the configured or first option).
  const best = tried.reduce((a, b) => (b.metrics.ndcg > a.metrics.ndcg ? b : a));
  const m = best.metrics;
  let baselineNdcg: number | null = null;
  if (baseline) {
    // Refit the active recipe on the same split: the serving model saw the hold-out, so scoring it would flatter it.
    // With its own weighting when it was one of those tried, else with the chosen one.
    const own = tried.find((w) => w.halfLifeDays === baseline.halfLifeDays) ?? best;
    const b = createModel(baseline.algorithm, baseline.params).fit(own.split.train);
    baselineNdcg = evaluateOnHoldout(b, own.split, 10).ndcg;
  }
  const baselineMs = lap();
  const model = createModel(candidate.algorithm, candidate.params).fit(best.rows());
  const refit = lap();
  return {
    timings: { fit, evaluate, baseline: baselineMs, refit },
    model,
    halfLifeDays: best.halfLifeDays,
    halfLifeChoices: tried.map((w) => ({ halfLifeDays: w.halfLifeDays, ndcgAt10: w.metrics.ndcg })),
    metrics: {
      precisionAt10: m.precision,
      recallAt10: m.recall,
      ndcgAt10: m.ndcg,
      map: m.map,
      users: m.users,
      baselineNdcgAt10: baselineNdcg,
      baselineModelId: baseline?.id ?? null,
    },
    better: baselineNdcg === null || m.ndcg >= baselineNdcg - opts.tolerance,
  };
}

/** The interactions with other weights (one per interaction, in order). */
function reweigh(interactions: readonly Interaction[], weights: Float64Array): Interaction[] {
  return interactions.map((x, i) => ({ ...x, weight: weights[i]! }));
}
