// EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): a dense item×item weight
// matrix in closed form, B = I − P·diagMat(1/diag(P)) with P = (XᵀX + λI)⁻¹, so that B has a zero diagonal.
import { decodeModel, encodeModel, snapshotArray } from './codec';
import { spdInverseInPlace } from './linalg';
import { itemCounts, toMatrix } from './matrix';
import { historyVector, requireFitted, topItems, topK } from './scoring';
import type { HistoryItem, RecommenderModel, ScoredItem, ScoreOptions, TrainingData } from './types';

export interface EaseParams {
  /** L2 regularisation λ added to the diagonal of the Gram matrix. @default 400 (chosen on a validation split of ml-100k by bench:movielens) */
  lambda?: number;
  /** Use presence (1) rather than interaction weights in X. @default true */
  binary?: boolean;
  /**
   * Largest catalogue modelled: the inverse costs n³/2 operations and 16·n² bytes, so only the `maxItems`
   * most-interacted items are kept. On the 2-vCPU build machine a fit takes ≈4 s at 1,700 items and ≈160 s
   * (600 MB peak) at 5,000, and a training job fits twice or three times (bench:training-scale). Use a
   * factor or sparse family (ALS, item k-NN, SAR) for a long tail. @default 2000
   */
  maxItems?: number;
}

const DEFAULTS: Required<EaseParams> = { lambda: 400, binary: true, maxItems: 2000 };

interface EaseState {
  items: readonly string[];
  itemIndex: ReadonlyMap<string, number>;
  /** n×n row-major; row i holds what item i contributes to every other item's score. */
  weights: Float32Array;
}

export class EaseModel implements RecommenderModel {
  readonly algorithm = 'ease' as const;
  readonly params: Required<EaseParams>;
  private state: EaseState | undefined;

  constructor(params: EaseParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!(this.params.lambda > 0)) throw new RangeError('lambda must be positive');
    if (!(this.params.maxItems >= 1)) throw new RangeError('maxItems must be at least 1');
  }

  get items(): readonly string[] {
    return this.state?.items ?? [];
  }

  fit(data: TrainingData): this {
    const m = toMatrix(data);
    const counts = itemCounts(m);
    const kept = m.items.length <= this.params.maxItems
      ? m.items.map((_, i) => i)
      : topK(counts, this.params.maxItems).sort((a, b) => a - b);
    const column = new Int32Array(m.items.length).fill(-1);
    kept.forEach((old, i) => (column[old] = i));
    const n = kept.length;

    const g = new Float64Array(n * n);
    const cols: number[] = [];
    const vals: number[] = [];
    for (let u = 0; u < m.users.length; u++) {
      cols.length = 0;
      vals.length = 0;
      for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) {
        const c = column[m.indices[p]!]!;
        if (c < 0) continue;
        cols.push(c);
        vals.push(this.params.binary ? 1 : m.values[p]!);
      }
      for (let a = 0; a < cols.length; a++) {
        const row = cols[a]! * n;
        const va = vals[a]!;
        for (let b = 0; b < cols.length; b++) g[row + cols[b]!]! += va * vals[b]!;
      }
    }
    for (let i = 0; i < n; i++) g[i * n + i]! += this.params.lambda;

    const p = spdInverseInPlace(g, n);
    const weights = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (i !== j) weights[i * n + j] = -p[i * n + j]! / p[j * n + j]!;
    }
    const items = kept.map((old) => m.items[old]!);
    this.state = { items, itemIndex: new Map(items.map((id, i) => [id, i])), weights };
    return this;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    const s = requireFitted(this.state, this.algorithm);
    const n = s.items.length;
    const h = historyVector(history, s.itemIndex, { binary: this.params.binary });
    const scores = new Float64Array(n);
    for (let k = 0; k < h.indices.length; k++) {
      const row = h.indices[k]! * n;
      const w = h.weights[k]!;
      for (let j = 0; j < n; j++) scores[j]! += w * s.weights[row + j]!;
    }
    return topItems(scores, s.items, s.itemIndex, h, opts);
  }

  serialize(): Uint8Array {
    const s = requireFitted(this.state, this.algorithm);
    return encodeModel(this, s.items, { weights: s.weights });
  }

  static load(buf: Uint8Array): EaseModel {
    const { snap, params, items, itemIndex } = decodeModel<EaseParams>(buf, 'ease');
    const model = new EaseModel(params);
    model.state = { items, itemIndex, weights: snapshotArray(snap, 'weights', Float32Array) };
    return model;
  }
}
