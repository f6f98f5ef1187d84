// One family fitted and scored offline, through the code the training worker uses (createModel → fit →
// scoreUser from each user's history → metrics.ts): the figure the end-to-end benchmark is held against.
import { createModel } from '../../src/recommender';
import { evaluateOnHoldout } from '../../src/recommender/holdout';
import type { RankingMetrics } from '../../src/recommender/metrics';
import type { AlgorithmName, Interaction } from '../../src/recommender/types';

export const K = 10;

export interface OfflineRun {
  metrics: RankingMetrics;
  fitMs: number;
  scoreMs: number;
}

export function fitAndEvaluate(algorithm: AlgorithmName, params: Record<string, unknown>, train: Interaction[], test: Interaction[]): OfflineRun {
  const started = performance.now();
  const model = createModel(algorithm, params).fit(train);
  const fitted = performance.now();
  const metrics = evaluateOnHoldout(model, { train, test }, K);
  return { metrics, fitMs: fitted - started, scoreMs: performance.now() - fitted };
}
