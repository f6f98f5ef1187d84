// Implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback Datasets",
// ICDM 2008): preference 1 for every observed pair with confidence 1 + α·weight/w̄, 0 elsewhere with confidence 1.
// Weights are taken relative to their mean w̄ in training, so that α means the same whatever unit the weights
// come in: the platform's event weights (mostly VIEW = 1, decayed below 1 with age) and MovieLens ratings (mean
// 3.5) then want the same α, where a raw α tuned on ratings was ~3.5 times too small for a store of views
// (bench:movielens-api, every rating imported as a VIEW: 0.405 NDCG@10 with the raw α, 0.485 relative).
// Each half-step solves all rows with a few warm-started conjugate-gradient steps (Takács, Pilászy & Tikk,
// RecSys 2011), which costs O(nnz·f) per step instead of O(nnz·f²) for exact solves.
import { decodeFactors, encodeFactors, scoreByFactors, type FactorState } from './factors';
import { choleskyInPlace, choleskySolveInPlace, dot } from './linalg';
import { toMatrix, transpose, userRows, type SparseRows } from './matrix';
import { Rng } from './random';
import { historyVector, requireFitted } from './scoring';
import type { HistoryItem, RecommenderModel, ScoredItem, ScoreOptions, TrainingData } from './types';

export interface AlsParams {
  /** Latent dimensions. @default 64 */
  factors?: number;
  /** L2 regularisation λ on every factor vector, scaled per row as below. @default 5 (chosen on ml-100k by bench:movielens) */
  regularization?: number;
  /**
   * Exponent ν of a row's interaction count in its regularisation, λ·n^ν: 0 is the classic uniform λ, 1 is
   * ALS-WR (Zhou et al., AAIM 2008). 0.5 measured best on ml-100k, and unlike a uniform λ tuned there (which
   * shrinks a 120-shopper store to popularity) it still recovers the planted structure of small test stores.
   * @default 0.5
   */
  regularizationExponent?: number;
  /**
   * Confidence slope α in c = 1 + α·weight/w̄ (w̄: the mean weight of the training pairs), i.e. the extra
   * confidence of an average interaction. @default 4 (chosen on a validation split of ml-100k by bench:movielens)
   */
  alpha?: number;
  /** Use presence (weight 1) rather than interaction weights for confidence. @default false */
  binary?: boolean;
  /** Alternating sweeps (users then items): 10 scores ml-100k as 15 do (±0.001 NDCG@10), a third faster. @default 10 */
  iterations?: number;
  /** Conjugate-gradient steps per row and sweep; 3 is what the `implicit` library uses. @default 3 */
  cgSteps?: number;
  /** Seed of the factor initialisation. @default 42 */
  seed?: number;
}

const DEFAULTS: Required<AlsParams> = { factors: 64, regularization: 5, regularizationExponent: 0.5, alpha: 4, binary: false, iterations: 10, cgSteps: 3, seed: 42 };

interface AlsState extends FactorState {
  /** 1/w̄ of the training data, applied to weights in fitting and in scoring (1 for snapshots from before it). */
  weightScale: number;
}

export class AlsModel implements RecommenderModel {
  readonly algorithm = 'als' as const;
  readonly params: Required<AlsParams>;
  private state: AlsState | undefined;
  /** YᵀY for fold-in, derived from the item factors when first needed. */
  private gram: Float64Array | undefined;

  constructor(params: AlsParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    const p = this.params;
    if (!(Number.isInteger(p.factors) && p.factors >= 1)) throw new RangeError('factors must be a positive integer');
    if (!(p.regularization > 0)) throw new RangeError('regularization must be positive');
    if (!(p.regularizationExponent >= 0 && p.regularizationExponent <= 2)) throw new RangeError('regularizationExponent must be in [0, 2]');
    if (!(p.alpha > 0)) throw new RangeError('alpha must be positive');
    if (!(p.iterations >= 1 && p.cgSteps >= 1)) throw new RangeError('iterations and cgSteps must be at least 1');
  }

  get items(): readonly string[] {
    return this.state?.items ?? [];
  }

  fit(data: TrainingData): this {
    const { factors: f, seed, iterations } = this.params;
    const m = toMatrix(data);
    let total = 0;
    for (const v of m.values) total += v;
    const weightScale = total > 0 ? m.values.length / total : 1;
    const byUser = userRows(m);
    const byItem = transpose(byUser, m.items.length);
    const rng = new Rng(seed);
    const init = (rows: number) => Float64Array.from({ length: rows * f }, () => rng.normal() * 0.01);
    const userFactors = init(m.users.length);
    const itemFactors = init(m.items.length);
    for (let it = 0; it < iterations; it++) {
      this.sweep(byUser, userFactors, itemFactors, weightScale);
      this.sweep(byItem, itemFactors, userFactors, weightScale);
    }
    this.state = { weightScale, items: m.items, itemIndex: m.itemIndex, itemFactors: Float32Array.from(itemFactors) };
    this.gram = undefined;
    return this;
  }

  /** λ for a row with `count` interactions. */
  private lambda(count: number): number {
    const { regularization, regularizationExponent } = this.params;
    return regularizationExponent === 0 ? regularization : regularization * Math.pow(Math.max(1, count), regularizationExponent);
  }

  /** Updates every row of `x` against the fixed `y`: (YᵀY + λᵤI + Yᵀ(Cᵤ − I)Y)·xᵤ = YᵀCᵤ·1. */
  private sweep(rows: SparseRows, x: Float64Array, y: Float64Array, weightScale: number): void {
    const { factors: f, alpha, binary, cgSteps } = this.params;
    const yty = gramMatrix(y, y.length / f, f);
    const r = new Float64Array(f);
    const p = new Float64Array(f);
    const ap = new Float64Array(f);
    for (let u = 0; u < rows.rows; u++) {
      const xo = u * f;
      const start = rows.indptr[u]!;
      const end = rows.indptr[u + 1]!;
      const lambda = this.lambda(end - start);
      // r = b − A·x, using YᵀY once and only the observed rows for the confidence part.
      for (let a = 0; a < f; a++) r[a] = -dot(yty, a * f, x, xo, f) - lambda * x[xo + a]!;
      for (let q = start; q < end; q++) {
        const c = 1 + alpha * (binary ? 1 : rows.values[q]! * weightScale);
        const yo = rows.indices[q]! * f;
        const coef = c - (c - 1) * dot(y, yo, x, xo, f);
        for (let a = 0; a < f; a++) r[a]! += coef * y[yo + a]!;
      }
      p.set(r);
      let rsOld = dot(r, 0, r, 0, f);
      for (let step = 0; step < cgSteps && rsOld > 1e-20; step++) {
        for (let a = 0; a < f; a++) ap[a] = dot(yty, a * f, p, 0, f) + lambda * p[a]!;
        for (let q = start; q < end; q++) {
          const c = 1 + alpha * (binary ? 1 : rows.values[q]! * weightScale);
          const yo = rows.indices[q]! * f;
          const coef = (c - 1) * dot(y, yo, p, 0, f);
          for (let a = 0; a < f; a++) ap[a]! += coef * y[yo + a]!;
        }
        const step_ = rsOld / dot(p, 0, ap, 0, f);
        for (let a = 0; a < f; a++) {
          x[xo + a]! += step_ * p[a]!;
          r[a]! -= step_ * ap[a]!;
        }
        const rsNew = dot(r, 0, r, 0, f);
        for (let a = 0; a < f; a++) p[a] = r[a]! + (rsNew / rsOld) * p[a]!;
        rsOld = rsNew;
      }
    }
  }

  /** The user vector ALS would give this history with the items fixed, solved exactly (one f×f Cholesky). */
  userVector(history: readonly HistoryItem[]): Float64Array {
    const s = requireFitted(this.state, this.algorithm);
    const { factors: f, alpha, binary } = this.params;
    this.gram ??= gramMatrix(s.itemFactors, s.items.length, f);
    const a = Float64Array.from(this.gram);
    const b = new Float64Array(f);
    const h = historyVector(history, s.itemIndex, { binary });
    const lambda = this.lambda(h.indices.length);
    for (let i = 0; i < f; i++) a[i * f + i]! += lambda;
    for (let k = 0; k < h.indices.length; k++) {
      const c = 1 + alpha * h.weights[k]! * (binary ? 1 : s.weightScale);
      const yo = h.indices[k]! * f;
      for (let i = 0; i < f; i++) {
        const yi = s.itemFactors[yo + i]!;
        b[i]! += c * yi;
        for (let j = 0; j < f; j++) a[i * f + j]! += (c - 1) * yi * s.itemFactors[yo + j]!;
      }
    }
    choleskyInPlace(a, f);
    choleskySolveInPlace(a, f, b);
    return b;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    return scoreByFactors(requireFitted(this.state, this.algorithm), this.params.factors, this.userVector(history), history, opts);
  }

  serialize(): Uint8Array {
    const s = requireFitted(this.state, this.algorithm);
    return encodeFactors(this, s, { weightScale: s.weightScale });
  }

  static load(buf: Uint8Array): AlsModel {
    const { params, meta, state } = decodeFactors<AlsParams>(buf, 'als');
    const model = new AlsModel(params);
    model.state = { ...state, weightScale: (meta.weightScale as number | undefined) ?? 1 };
    return model;
  }
}

/** YᵀY for a rows×f factor matrix. */
function gramMatrix(y: ArrayLike<number>, rows: number, f: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let i = 0; i < f; i++) {
      const yi = y[o + i]!;
      if (yi === 0) continue;
      for (let j = i; j < f; j++) g[i * f + j]! += yi * y[o + j]!;
    }
  }
  for (let i = 0; i < f; i++) {
    for (let j = 0; j < i; j++) g[i * f + j] = g[j * f + i]!;
  }
  return g;
}
