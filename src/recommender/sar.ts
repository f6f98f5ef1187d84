// SAR (Smart Adaptive Recommendations) as in Microsoft Recommenders' SARSingleNode: item-item similarity from
// co-occurrence counts, user affinity from time-decayed weights, score = affinity · similarity.
import { decodeSimilarity, encodeSimilarity, pushNeighbours, scoreBySimilarity, type ItemSimilarityState } from './item-similarity';
import { forEachCooccurrenceRow, neighbourCap, SparseRowsBuilder, toMatrix } from './matrix';
import { historyVector, requireFitted } from './scoring';
import type { HistoryItem, RecommenderModel, ScoredItem, ScoreOptions, TimeDecay, TrainingData } from './types';

export type SarSimilarity = 'jaccard' | 'lift' | 'cooccurrence';

export interface SarParams {
  /** How co-occurrence counts become similarities. @default 'jaccard' */
  similarity?: SarSimilarity;
  /** Co-occurrence counts below this are dropped. @default 1 */
  threshold?: number;
  /** Half-life of affinity weights in days; null disables decay. @default 30 (SAR's own default) */
  halfLifeDays?: number | null;
  /** Keep only this many most similar items per item; 0 keeps all, as SAR does (within maxSimilarities). @default 0 */
  maxNeighbors?: number;
  /**
   * Most similarities kept in all: with more items than fit, each keeps its maxSimilarities / items most similar.
   * Unbounded, a 100k-product store's SAR held 118M similarities (a 900 MB snapshot, 4.7 GB to train);
   * ml-100k's 1,682 films keep everything. @default 10000000 (80 MB)
   */
  maxSimilarities?: number;
}

const DEFAULTS: Required<SarParams> = { similarity: 'jaccard', threshold: 1, halfLifeDays: 30, maxNeighbors: 0, maxSimilarities: 10_000_000 };

interface SarState extends ItemSimilarityState {
  decay: TimeDecay | undefined;
}

export class SarModel implements RecommenderModel {
  readonly algorithm = 'sar' as const;
  readonly params: Required<SarParams>;
  private state: SarState | undefined;

  constructor(params: SarParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!['jaccard', 'lift', 'cooccurrence'].includes(this.params.similarity)) throw new RangeError(`unknown SAR similarity ${this.params.similarity}`);
    if (this.params.halfLifeDays !== null && !(this.params.halfLifeDays > 0)) throw new RangeError('halfLifeDays must be positive or null');
    if (!(this.params.threshold >= 1)) throw new RangeError('threshold must be at least 1');
    if (!(this.params.maxNeighbors >= 0 && this.params.maxSimilarities >= 1)) throw new RangeError('maxNeighbors must be ≥ 0 and maxSimilarities ≥ 1');
  }

  get items(): readonly string[] {
    return this.state?.items ?? [];
  }

  fit(data: TrainingData): this {
    const { similarity: kind, threshold } = this.params;
    const m = toMatrix(data, this.params.halfLifeDays === null ? {} : { halfLifeDays: this.params.halfLifeDays });
    const nItems = m.items.length;
    const cap = neighbourCap(this.params.maxNeighbors, this.params.maxSimilarities, nItems);
    // Diagonal of the co-occurrence matrix: how many users saw each item.
    const seen = new Float64Array(nItems);
    for (let p = 0; p < m.indices.length; p++) seen[m.indices[p]!]!++;
    const rows = new SparseRowsBuilder();
    const cols: number[] = [];
    const vals: number[] = [];
    forEachCooccurrenceRow(m, true, (i, touched, count, acc) => {
      cols.length = 0;
      vals.length = 0;
      for (let t = 0; t < count; t++) {
        const j = touched[t]!;
        const c = acc[j]!;
        if (c < threshold) continue;
        cols.push(j);
        vals.push(kind === 'jaccard' ? c / (seen[i]! + seen[j]! - c) : kind === 'lift' ? c / (seen[i]! * seen[j]!) : c);
      }
      pushNeighbours(rows, cols, vals, cols.length, cap);
    });
    this.state = { items: m.items, itemIndex: m.itemIndex, similarity: rows.build(), decay: m.decay };
    return this;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    const s = requireFitted(this.state, this.algorithm);
    return scoreBySimilarity(s, historyVector(history, s.itemIndex, { decay: s.decay, now: opts.now }), opts);
  }

  serialize(): Uint8Array {
    const s = requireFitted(this.state, this.algorithm);
    return encodeSimilarity(this, s, { decay: s.decay ?? null });
  }

  static load(buf: Uint8Array): SarModel {
    const { params, meta, state } = decodeSimilarity<SarParams>(buf, 'sar');
    const model = new SarModel(params);
    model.state = { ...state, decay: (meta.decay as TimeDecay | null) ?? undefined };
    return model;
  }
}
