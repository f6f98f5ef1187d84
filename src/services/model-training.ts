// One training run as a pure computation: split, fit, evaluate against the active model's recipe on the same
// hold-out, and refit on everything for serving. The worker around it only reads events and saves the result.
import { createModel } from '../recommender';
import { EnsembleModel } from '../recommender/ensemble';
import { evaluateOnHoldout, splitHoldout } from '../recommender/holdout';
import type { AlgorithmName, Interaction, RecommenderModel } from '../recommender/types';
import type { ModelMetrics } from '../store/models';

export const ALGORITHMS: readonly AlgorithmName[] = ['ease', 'sar', 'als', 'bpr', 'itemknn', 'ensemble'];

/** What a training may be asked to fit: a family, or `auto` (AUTO_FAMILIES alone and as an ensemble). */
export type TrainingAlgorithm = AlgorithmName | 'auto';
export const TRAINING_ALGORITHMS: readonly TrainingAlgorithm[] = ['auto', ...ALGORITHMS];

/**
 * The families `auto` fits on the hold-out, each alone and together (an equal-weight ensemble), keeping the best:
 * the two best of bench:movielens, which err differently (MovieLens 100k end to end: ALS 0.485, EASE 0.486, both
 * 0.493 NDCG@10).
 */
export const AUTO_FAMILIES: readonly AlgorithmName[] = ['als', 'ease'];

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

/** A family and half-life tried on the hold-out, and how that model scored there. */
export interface TrainingChoice {
  algorithm: AlgorithmName;
  halfLifeDays: number;
  ndcgAt10: number;
}

export interface TrainingOutcome {
  /** The model to serve: the best family and half-life on the hold-out, refitted on every interaction. */
  model: RecommenderModel;
  /** The half-life the model was fitted with. */
  halfLifeDays: number;
  /** Every family and half-life tried, with its hold-out NDCG@10 (one entry when there was nothing to choose). */
  choices: TrainingChoice[];
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
 * theirs; `alternatives`: the same rows weighed with other half-lives) and, for `auto`, per family of
 * AUTO_FAMILIES alone and together; keeps what scores best, refits the active model's recipe on the same split for
 * comparison, and refits the chosen recipe on every interaction.
 */
export function trainAndEvaluate(
  interactions: readonly Interaction[],
  candidate: Recipe | { algorithm: 'auto' },
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
  const tried = weightings.flatMap((w) => {
    const rows = w.rows();
    const ownSplit = rows === interactions ? split : splitOf(rows);
    const fitted = fitCandidates(candidate, ownSplit.train);
    fit += lap();
    const scored = fitted.map(({ recipe, model }) => ({ ...w, recipe, split: ownSplit, metrics: evaluateOnHoldout(model, ownSplit, 10) }));
    evaluate += lap();
    return scored;
  });
  // The best NDCG@10; a tie keeps the earlier one (the configured or first half-life, a single family first).
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
  const model = createModel(best.recipe.algorithm, best.recipe.params).fit(best.rows());
  const refit = lap();
  return {
    timings: { fit, evaluate, baseline: baselineMs, refit },
    model,
    halfLifeDays: best.halfLifeDays,
    choices: tried.map((w) => ({ algorithm: w.recipe.algorithm, halfLifeDays: w.halfLifeDays, ndcgAt10: w.metrics.ndcg })),
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

/** The models a candidate stands for, fitted on `train`: one, or for `auto` each family and their ensemble (whose
 * parts are the families' models, not fitted twice). */
function fitCandidates(candidate: Recipe | { algorithm: 'auto' }, train: readonly Interaction[]): Array<{ recipe: Recipe; model: RecommenderModel }> {
  if (candidate.algorithm !== 'auto') {
    const recipe = candidate as Recipe;
    return [{ recipe, model: createModel(recipe.algorithm, recipe.params).fit(train) }];
  }
  const parts = AUTO_FAMILIES.map((algorithm) => ({ recipe: { algorithm }, model: createModel(algorithm).fit(train) }));
  const ensemble: Recipe = { algorithm: 'ensemble', params: { parts: AUTO_FAMILIES.map((algorithm) => ({ algorithm, weight: 1 / AUTO_FAMILIES.length })) } };
  return [...parts, { recipe: ensemble, model: EnsembleModel.of(parts.map((p) => p.model), ensemble.params!) }];
}
