// BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from Implicit
// Feedback", UAI 2009) for matrix factorisation: stochastic gradient ascent on ln σ(x̂_ui − x̂_uj) over sampled
// triples (user u, item i the user interacted with, item j they did not), x̂_ui = b_i + p_u·q_i.
//
// The API scores shoppers by their history, not by a trained user row, so a user vector is folded in at scoring
// time: the same SGD on that history's triples with the item factors fixed (the objective is then concave in
// p_u, so this converges to what training would give), with a fixed seed so one history always gets one list.
import { decodeFactors, encodeFactors, scoreByFactors, type FactorState } from './factors';
import { dot } from './linalg';
import { toMatrix } from './matrix';
import { Rng } from './random';
import { historyVector, requireFitted } from './scoring';
import type { HistoryItem, RecommenderModel, ScoredItem, ScoreOptions, TrainingData } from './types';

export interface BprParams {
  /** Latent dimensions. @default 64 */
  factors?: number;
  /** SGD step size. @default 0.02 (chosen on a validation split of ml-100k by bench:movielens) */
  learningRate?: number;
  /** L2 regularisation on user and item factors and item biases. @default 0.02 (chosen on a validation split of ml-100k by bench:movielens) */
  regularization?: number;
  /** Passes over the data; one pass samples as many triples as there are (user, item) pairs. @default 100 */
  epochs?: number;
  /**
   * Most triples sampled in a training, whatever epochs × pairs comes to: SGD time grows with it, and a large
   * store gets fewer passes rather than an unbounded training. @default 20000000
   */
  maxSamples?: number;
  /** Passes over a history when folding in a user vector at scoring time. @default 30 */
  foldInEpochs?: number;
  /** Seed of initialisation, sampling and fold-in. @default 42 */
  seed?: number;
}

const DEFAULTS: Required<BprParams> = {
  factors: 64, learningRate: 0.02, regularization: 0.02, epochs: 100, maxSamples: 20_000_000, foldInEpochs: 30, seed: 42,
};

interface BprState extends FactorState {
  itemBias: Float32Array;
}

/** Whether sorted `list[from..to)` holds `value`. */
function sortedHas(list: Int32Array, from: number, to: number, value: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * A random item outside the sorted `positives[from..to)`, or -1 when the user has (nearly) every item.
 * Rejection sampling: cheap because a user's items are a small share of the catalogue.
 */
function sampleNegative(rng: Rng, nItems: number, positives: Int32Array, from: number, to: number): number {
  if (to - from >= nItems) return -1;
  for (let tries = 0; tries < 64; tries++) {
    const j = rng.int(nItems);
    if (!sortedHas(positives, from, to, j)) return j;
  }
  return -1;
}

export class BprModel implements RecommenderModel {
  readonly algorithm = 'bpr' as const;
  readonly params: Required<BprParams>;
  private state: BprState | undefined;

  constructor(params: BprParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    const p = this.params;
    if (!(Number.isInteger(p.factors) && p.factors >= 1)) throw new RangeError('factors must be a positive integer');
    if (!(p.learningRate > 0)) throw new RangeError('learningRate must be positive');
    if (!(p.regularization >= 0)) throw new RangeError('regularization must be non-negative');
    if (!(p.epochs >= 1 && p.foldInEpochs >= 1)) throw new RangeError('epochs and foldInEpochs must be at least 1');
    if (!(p.maxSamples >= 1)) throw new RangeError('maxSamples must be at least 1');
  }

  get items(): readonly string[] {
    return this.state?.items ?? [];
  }

  fit(data: TrainingData): this {
    const { factors: f, learningRate: lr, regularization: reg, seed } = this.params;
    const m = toMatrix(data);
    const nItems = m.items.length;
    const nnz = m.indices.length;
    const rng = new Rng(seed);
    const userFactors = Float64Array.from({ length: m.users.length * f }, () => rng.normal() * 0.01);
    const itemFactors = Float64Array.from({ length: nItems * f }, () => rng.normal() * 0.01);
    const itemBias = new Float64Array(nItems);
    // Which user each stored pair belongs to, so that a pair drawn uniformly gives (u, i) in O(1).
    const userOf = new Int32Array(nnz);
    for (let u = 0; u < m.users.length; u++) userOf.fill(u, m.indptr[u]!, m.indptr[u + 1]!);
    const samples = Math.min(this.params.epochs * nnz, this.params.maxSamples);
    const pu = new Float64Array(f);
    for (let s = 0; s < samples; s++) {
      const pair = rng.int(nnz);
      const u = userOf[pair]!;
      const i = m.indices[pair]!;
      const j = sampleNegative(rng, nItems, m.indices, m.indptr[u]!, m.indptr[u + 1]!);
      if (j < 0) continue;
      const uo = u * f;
      const io = i * f;
      const jo = j * f;
      const x = itemBias[i]! - itemBias[j]! + dot(userFactors, uo, itemFactors, io, f) - dot(userFactors, uo, itemFactors, jo, f);
      // d/dx ln σ(x) = σ(−x)
      const g = 1 / (1 + Math.exp(x));
      pu.set(userFactors.subarray(uo, uo + f));
      for (let k = 0; k < f; k++) {
        const qi = itemFactors[io + k]!;
        const qj = itemFactors[jo + k]!;
        userFactors[uo + k]! += lr * (g * (qi - qj) - reg * pu[k]!);
        itemFactors[io + k]! += lr * (g * pu[k]! - reg * qi);
        itemFactors[jo + k]! += lr * (-g * pu[k]! - reg * qj);
      }
      itemBias[i]! += lr * (g - reg * itemBias[i]!);
      itemBias[j]! += lr * (-g - reg * itemBias[j]!);
    }
    this.state = { items: m.items, itemIndex: m.itemIndex, itemFactors: Float32Array.from(itemFactors), itemBias: Float32Array.from(itemBias) };
    return this;
  }

  /** The user vector BPR would learn for this history with the item factors fixed (seeded SGD, see above). */
  userVector(history: readonly HistoryItem[]): Float64Array {
    const s = requireFitted(this.state, this.algorithm);
    const { factors: f, learningRate: lr, regularization: reg, foldInEpochs, seed } = this.params;
    const h = historyVector(history, s.itemIndex, { binary: true });
    const p = new Float64Array(f);
    const n = h.indices.length;
    if (n === 0) return p;
    const rng = new Rng(seed);
    const nItems = s.items.length;
    for (let step = 0; step < foldInEpochs * n; step++) {
      const i = h.indices[rng.int(n)]!;
      const j = sampleNegative(rng, nItems, h.indices, 0, n);
      if (j < 0) break;
      const io = i * f;
      const jo = j * f;
      let x = s.itemBias[i]! - s.itemBias[j]!;
      for (let k = 0; k < f; k++) x += p[k]! * (s.itemFactors[io + k]! - s.itemFactors[jo + k]!);
      const g = 1 / (1 + Math.exp(x));
      for (let k = 0; k < f; k++) p[k]! += lr * (g * (s.itemFactors[io + k]! - s.itemFactors[jo + k]!) - reg * p[k]!);
    }
    return p;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    return scoreByFactors(requireFitted(this.state, this.algorithm), this.params.factors, this.userVector(history), history, opts);
  }

  serialize(): Uint8Array {
    return encodeFactors(this, requireFitted(this.state, this.algorithm));
  }

  static load(buf: Uint8Array): BprModel {
    const { params, state } = decodeFactors<BprParams>(buf, 'bpr', true);
    const model = new BprModel(params);
    model.state = { ...state, itemBias: state.itemBias! };
    return model;
  }
}
