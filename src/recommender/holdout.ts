// Hold-out evaluation for training jobs: split each user's items into train and test, fit a candidate on the
// train part, and score it the way the API will (from history) on the test part.
import { rankingMetrics, userRankingMetrics, type RankingMetrics } from './metrics';
import { hashSeed, Rng } from './random';
import type { HistoryItem, Interaction, RecommenderModel } from './types';

export interface HoldoutOptions {
  /** Share of each user's distinct items held out. @default 0.25 */
  testFraction?: number;
  /** 'random' (seeded) or 'chronological' (the items a user touched last are held out). @default 'random' */
  method?: 'random' | 'chronological';
  /** @default 42 */
  seed?: number;
  /** Users with fewer distinct items stay wholly in train. @default 2 */
  minItems?: number;
  /**
   * Most users given a test part; the others stay wholly in train. Scoring a user costs a model up to
   * catalogue × factors operations, so this bounds evaluation on a big store, while a few thousand users
   * still measure NDCG@10 to about ±0.005. Chosen by a hash of the user id: the same users every run.
   * @default unlimited
   */
  maxTestUsers?: number;
}

export interface Holdout {
  train: Interaction[];
  test: Interaction[];
}

/**
 * Splits per user by distinct item, not by event: a view in train and a purchase of the same item in test
 * would be a hit the model can never make, since items already in the history are never recommended.
 */
export function splitHoldout(interactions: readonly Interaction[], opts: HoldoutOptions = {}): Holdout {
  const testFraction = opts.testFraction ?? 0.25;
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const minItems = opts.minItems ?? 2;
  const byUser = new Map<string, Map<string, Interaction[]>>();
  for (const x of interactions) {
    let items = byUser.get(x.user);
    if (!items) byUser.set(x.user, (items = new Map()));
    const events = items.get(x.item);
    if (events) events.push(x);
    else items.set(x.item, [x]);
  }
  const seed = opts.seed ?? 42;
  const rng = new Rng(seed);
  let tested: Set<string> | undefined;
  const eligible = [...byUser].filter(([, items]) => items.size >= minItems).map(([user]) => user);
  if (opts.maxTestUsers !== undefined && eligible.length > opts.maxTestUsers) {
    const rank = new Map(eligible.map((user) => [user, hashSeed(`${seed}:${user}`)]));
    tested = new Set(eligible.sort((a, b) => rank.get(a)! - rank.get(b)! || (a < b ? -1 : 1)).slice(0, opts.maxTestUsers));
  }
  const train: Interaction[] = [];
  const test: Interaction[] = [];
  for (const [user, items] of byUser) {
    let groups = [...items.values()];
    if (groups.length < minItems || (tested && !tested.has(user))) {
      for (const g of groups) train.push(...g);
      continue;
    }
    if (opts.method === 'chronological') {
      const first = (g: Interaction[]) => Math.min(...g.map((x) => x.timestamp ?? -Infinity));
      groups = groups.map((g) => ({ g, t: first(g) })).sort((a, b) => a.t - b.t).map(({ g }) => g);
    } else {
      rng.shuffle(groups);
    }
    const nTest = Math.min(groups.length - 1, Math.max(1, Math.round(groups.length * testFraction)));
    groups.forEach((g, k) => (k < groups.length - nTest ? train : test).push(...g));
  }
  return { train, test };
}

/** Per-user histories (for scoring) from interactions. */
export function historiesByUser(interactions: readonly Interaction[]): Map<string, HistoryItem[]> {
  const out = new Map<string, HistoryItem[]>();
  for (const x of interactions) {
    let h = out.get(x.user);
    if (!h) out.set(x.user, (h = []));
    h.push(x.timestamp === undefined ? { item: x.item, weight: x.weight } : { item: x.item, weight: x.weight, timestamp: x.timestamp });
  }
  return out;
}

/** The histories of a split's train part, built once per split: every model evaluated on it scores the same arrays. */
const historiesOfSplit = new WeakMap<Holdout, Map<string, HistoryItem[]>>();

/** Hold-out metrics, and each scored user's NDCG@k (to compare two models user by user on the same split). */
export interface HoldoutMetrics extends RankingMetrics {
  ndcgByUser: Map<string, number>;
}

/**
 * Scores every test user from their train history (history items excluded, candidates = the model's items)
 * and computes ranking metrics with every test item relevant, as in the ml-100k protocol. The model must
 * already be fitted on `train`.
 */
export function evaluateOnHoldout(model: RecommenderModel, split: Holdout, k = 10): HoldoutMetrics {
  let histories = historiesOfSplit.get(split);
  if (!histories) historiesOfSplit.set(split, (histories = historiesByUser(split.train)));
  const relevant = new Map<string, Set<string>>();
  for (const x of split.test) {
    let s = relevant.get(x.user);
    if (!s) relevant.set(x.user, (s = new Set()));
    s.add(x.item);
  }
  const recommended = new Map<string, string[]>();
  const ndcgByUser = new Map<string, number>();
  for (const [user, truth] of relevant) {
    const ranked = model.scoreUser(histories.get(user) ?? [], { limit: k }).map((r) => r.item);
    recommended.set(user, ranked);
    // The users rankingMetrics averages over: a non-empty list.
    if (ranked.length) ndcgByUser.set(user, userRankingMetrics(ranked, truth, k).ndcg);
  }
  return { ...rankingMetrics(recommended, relevant, k), ndcgByUser };
}

/**
 * How far `a` leads `b` on the same hold-out, and the standard error of that lead: the mean and the standard
 * error of the per-user NDCG differences (paired, so what both models find easy or hard cancels out).
 */
export function pairedLead(a: HoldoutMetrics, b: HoldoutMetrics): { lead: number; standardError: number } {
  const d: number[] = [];
  for (const [user, x] of a.ndcgByUser) d.push(x - (b.ndcgByUser.get(user) ?? 0));
  if (d.length < 2) return { lead: d[0] ?? 0, standardError: Infinity };
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1);
  return { lead: mean, standardError: Math.sqrt(variance / d.length) };
}
