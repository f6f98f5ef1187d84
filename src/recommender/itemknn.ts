// Item k-NN (Sarwar et al., WWW 2001; Deshpande & Karypis, TOIS 2004): item×item similarity from co-occurrence,
// each item keeping only its k most similar items, and a user's score for j = Σ over history items i of w_i·sim(i, j).
// One similarity covers the usual variants:
//   sim(i, j) = c_ij / (n_i^α · n_j^β + shrink),   c_ij = Σ_u x_ui·x_uj / |u|^γ,   n_i = Σ_u x_ui²
// α = β = 0.5, γ = 0 is cosine; β = 1 − α the asymmetric cosine (Aiolli, RecSys 2013); α = 1, γ = 1 is RP3beta
// (Paudel et al., TiiS 2017: a three-step random walk user → item → user → item, popular targets damped by n_j^β).
// The shrink term (Bell & Koren 2007) damps similarities resting on a handful of shared users. The defaults, an
// RP3beta-like setting, are what measured best on a validation split of ml-100k (bench:movielens).
import { decodeSimilarity, encodeSimilarity, pushNeighbours, scoreBySimilarity, type ItemSimilarityState } from './item-similarity';
import { forEachCooccurrenceRow, neighbourCap, SparseRowsBuilder, toMatrix } from './matrix';
import { historyVector, requireFitted } from './scoring';
import type { HistoryItem, InteractionMatrix, RecommenderModel, ScoredItem, ScoreOptions, TrainingData } from './types';

export interface ItemKnnParams {
  /** Neighbours kept per item; memory is at most items × neighbors similarities. @default 200 */
  neighbors?: number;
  /** Added to the similarity's denominator. @default 10 */
  shrink?: number;
  /** Exponent α of the item's own norm. @default 1 */
  alpha?: number;
  /** Exponent β of the neighbour's norm: higher damps popular neighbours. @default 0.6 */
  beta?: number;
  /** Exponent γ of a user's item count dividing their share of c_ij: heavy users say less per pair. @default 1 */
  userExponent?: number;
  /** Use presence (1) rather than interaction weights, both in training and in a history. @default true */
  binary?: boolean;
  /**
   * Most similarities kept in all: with more items than neighbors × items allows, each keeps an even share.
   * @default 10000000 (80 MB; 100 neighbours each at 100k products)
   */
  maxSimilarities?: number;
}

const DEFAULTS: Required<ItemKnnParams> = { neighbors: 200, shrink: 10, alpha: 1, beta: 0.6, userExponent: 1, binary: true, maxSimilarities: 10_000_000 };

/** Row i of the similarity: the `neighbors` items most similar to i. */
type ItemKnnState = ItemSimilarityState;

export class ItemKnnModel implements RecommenderModel {
  readonly algorithm = 'itemknn' as const;
  readonly params: Required<ItemKnnParams>;
  private state: ItemKnnState | undefined;

  constructor(params: ItemKnnParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    const p = this.params;
    if (!(Number.isInteger(p.neighbors) && p.neighbors >= 1)) throw new RangeError('neighbors must be a positive integer');
    if (!(p.shrink >= 0)) throw new RangeError('shrink must be non-negative');
    if (!(p.maxSimilarities >= 1)) throw new RangeError('maxSimilarities must be at least 1');
    for (const name of ['alpha', 'beta', 'userExponent'] as const) {
      if (!(p[name] >= 0 && p[name] <= 2)) throw new RangeError(`${name} must be in [0, 2]`);
    }
  }

  get items(): readonly string[] {
    return this.state?.items ?? [];
  }

  fit(data: TrainingData): this {
    const { shrink, alpha, beta, userExponent, binary } = this.params;
    const m = toMatrix(data);
    const nItems = m.items.length;
    const neighbors = neighbourCap(this.params.neighbors, this.params.maxSimilarities, nItems);
    const squaredNorm = new Float64Array(nItems);
    for (let p = 0; p < m.indices.length; p++) squaredNorm[m.indices[p]!]! += binary ? 1 : m.values[p]! ** 2;
    const rowNorm = squaredNorm.map((s) => Math.pow(s, alpha));
    const colNorm = squaredNorm.map((s) => Math.pow(s, beta));
    const rows = new SparseRowsBuilder();
    const sims = new Float64Array(nItems);
    const cols = new Int32Array(nItems);
    forEachCooccurrenceRow(userExponent > 0 ? scaleUsers(m, binary, userExponent) : m, binary && userExponent === 0, (i, touched, count, acc) => {
      let n = 0;
      for (let t = 0; t < count; t++) {
        const j = touched[t]!;
        if (j === i) continue;
        const s = acc[j]! / (rowNorm[i]! * colNorm[j]! + shrink);
        if (!(s > 0)) continue;
        cols[n] = j;
        sims[n] = s;
        n++;
      }
      pushNeighbours(rows, cols, sims, n, neighbors, true);
    });
    this.state = { items: m.items, itemIndex: m.itemIndex, similarity: rows.build() };
    return this;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    const s = requireFitted(this.state, this.algorithm);
    return scoreBySimilarity(s, historyVector(history, s.itemIndex, { binary: this.params.binary }), opts);
  }

  serialize(): Uint8Array {
    return encodeSimilarity(this, requireFitted(this.state, this.algorithm));
  }

  static load(buf: Uint8Array): ItemKnnModel {
    const { params, state } = decodeSimilarity<ItemKnnParams>(buf, 'itemknn');
    const model = new ItemKnnModel(params);
    model.state = state;
    return model;
  }
}

/** x_ui / |u|^(γ/2), so that a product x_ui·x_uj carries 1 / |u|^γ. */
function scaleUsers(m: InteractionMatrix, binary: boolean, exponent: number): InteractionMatrix {
  const values = new Float32Array(m.values.length);
  for (let u = 0; u < m.users.length; u++) {
    const start = m.indptr[u]!;
    const end = m.indptr[u + 1]!;
    const scale = Math.pow(end - start, -exponent / 2);
    for (let p = start; p < end; p++) values[p] = (binary ? 1 : m.values[p]!) * scale;
  }
  return { ...m, values };
}
