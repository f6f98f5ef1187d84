// Ranking metrics defined exactly as Microsoft Recommenders' python_evaluation computes them, so figures from
// our benchmark line up with the published algorithm comparison (see shared/data/ml-100k/PROTOCOL.md).

export interface RankingMetrics {
  /** hits / k, with k fixed even when fewer than k items were recommended. */
  precision: number;
  /** hits / |relevant|. */
  recall: number;
  /** Binary-relevance NDCG@k with natural-log discount 1 / ln(1 + rank). */
  ndcg: number;
  /** python_evaluation's `map`: Σ_j j / rank_j over hits, divided by |relevant| (not by min(|relevant|, k)). */
  map: number;
  /** python_evaluation's `map_at_k`: the same sum divided by min(|relevant|, k). */
  mapAtK: number;
  /** Users averaged over. */
  users: number;
}

export interface UserRankingMetrics {
  hits: number;
  precision: number;
  recall: number;
  ndcg: number;
  averagePrecision: number;
  averagePrecisionAtK: number;
}

/** One user's metrics for a ranked list (best first) against the set of items that count as relevant. */
export function userRankingMetrics(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): UserRankingMetrics {
  if (!(k >= 1)) throw new RangeError('k must be at least 1');
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  const seen = new Set<string>();
  const depth = Math.min(k, ranked.length);
  for (let r = 1; r <= depth; r++) {
    const item = ranked[r - 1]!;
    // A repeated item cannot be a second hit: python_evaluation joins on (user, item).
    if (seen.has(item)) continue;
    seen.add(item);
    if (!relevant.has(item)) continue;
    hits++;
    dcg += 1 / Math.log(1 + r);
    apSum += hits / r;
  }
  let idcg = 0;
  for (let i = 1; i <= Math.min(relevant.size, k); i++) idcg += 1 / Math.log(1 + i);
  const n = relevant.size;
  return {
    hits,
    precision: hits / k,
    recall: n === 0 ? 0 : hits / n,
    ndcg: idcg === 0 ? 0 : dcg / idcg,
    averagePrecision: n === 0 ? 0 : apSum / n,
    averagePrecisionAtK: n === 0 ? 0 : apSum / Math.min(n, k),
  };
}

/**
 * Averages over users who have both relevant items and a non-empty recommendation list: python_evaluation
 * inner-joins the users of the truth and the prediction tables, so a user with no prediction rows is not
 * counted at all, while a user with predictions but no hits counts as zero.
 */
export function rankingMetrics(
  recommended: ReadonlyMap<string, readonly string[]>,
  relevant: ReadonlyMap<string, ReadonlySet<string> | readonly string[]>,
  k = 10,
): RankingMetrics {
  const sum = { precision: 0, recall: 0, ndcg: 0, map: 0, mapAtK: 0 };
  let users = 0;
  for (const [user, truth] of relevant) {
    const ranked = recommended.get(user);
    const truthSet = truth instanceof Set ? truth : new Set(truth as readonly string[]);
    if (!ranked || ranked.length === 0 || truthSet.size === 0) continue;
    const m = userRankingMetrics(ranked, truthSet, k);
    sum.precision += m.precision;
    sum.recall += m.recall;
    sum.ndcg += m.ndcg;
    sum.map += m.averagePrecision;
    sum.mapAtK += m.averagePrecisionAtK;
    users++;
  }
  const avg = (x: number) => (users === 0 ? 0 : x / users);
  return { precision: avg(sum.precision), recall: avg(sum.recall), ndcg: avg(sum.ndcg), map: avg(sum.map), mapAtK: avg(sum.mapAtK), users };
}

export const precisionAtK = (rec: ReadonlyMap<string, readonly string[]>, rel: ReadonlyMap<string, ReadonlySet<string>>, k = 10) =>
  rankingMetrics(rec, rel, k).precision;
export const recallAtK = (rec: ReadonlyMap<string, readonly string[]>, rel: ReadonlyMap<string, ReadonlySet<string>>, k = 10) =>
  rankingMetrics(rec, rel, k).recall;
export const ndcgAtK = (rec: ReadonlyMap<string, readonly string[]>, rel: ReadonlyMap<string, ReadonlySet<string>>, k = 10) =>
  rankingMetrics(rec, rel, k).ndcg;
export const meanAveragePrecision = (rec: ReadonlyMap<string, readonly string[]>, rel: ReadonlyMap<string, ReadonlySet<string>>, k = 10) =>
  rankingMetrics(rec, rel, k).map;
