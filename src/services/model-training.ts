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

export interface TrainingOutcome {
  model: RecommenderModel;
  metrics: ModelMetrics;
  /** Whether the candidate may replace the active model: NDCG@10 at least the baseline's minus the tolerance. */
  better: boolean;
  /** Where the time went, in ms (for logs and the scale benchmark). */
  timings: TrainingTimings;
}

export interface TrainingTimings {
  /** Fitting the candidate on the hold-out's training part. */
  fit: number;
  /** Scoring the hold-out users with it. */
  evaluate: number;
  /** Refitting and scoring the active model's recipe on the same split (0 without one). */
  baseline: number;
  /** Fitting the candidate on every interaction, for serving. */
  refit: number;
}

export class NotEnoughDataError extends Error {
  override readonly name = 'NotEnoughDataError';
}

export function trainAndEvaluate(
  interactions: readonly Interaction[],
  candidate: Recipe,
  baseline: (Recipe & { id: string }) | null,
  opts: { tolerance: number; seed?: number; maxTestUsers?: number | undefined },
): TrainingOutcome {
  const split = splitHoldout(interactions, { seed: opts.seed ?? 42, method: 'random', ...(opts.maxTestUsers ? { maxTestUsers: opts.maxTestUsers } : {}) });
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
  const evaluated = createModel(candidate.algorithm, candidate.params).fit(split.train);
  const fit = lap();
  const m = evaluateOnHoldout(evaluated, split, 10);
  const evaluate = lap();
  let baselineNdcg: number | null = null;
  if (baseline) {
    // Refit the active recipe on the same split: the serving model saw the hold-out, so scoring it would flatter it.
    const b = createModel(baseline.algorithm, baseline.params).fit(split.train);
    baselineNdcg = evaluateOnHoldout(b, split, 10).ndcg;
  }
  const baselineMs = lap();
  const model = createModel(candidate.algorithm, candidate.params).fit(interactions);
  const refit = lap();
  return {
    timings: { fit, evaluate, baseline: baselineMs, refit },
    model,
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
