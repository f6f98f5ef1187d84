// An ensemble of model families: each part scores the shopper's history, its scores are divided by its best one,
// and the weighted sums rank the items. ALS (factors: broad taste) and EASE (item-to-item weights: close
// substitutes) err differently; on MovieLens 100k as the platform imports it (a rating = one VIEW, no decay) ALS
// scores NDCG@10 0.485, EASE 0.486 and the two at equal weights 0.493 (above BiVAE's published 0.475). A training
// with TRAIN_ALGORITHM=auto tries the parts alone and together on its hold-out and keeps the best
// (services/model-training.ts); the parts are fitted once there and shared (`of`).
import { createFamilyModel, loadFamilyModel, type FamilyName } from './families';
import { decodeSnapshot, encodeSnapshot, expectAlgorithm, SnapshotError } from './codec';
import type { AlgorithmName, HistoryItem, RecommenderModel, ScoredItem, ScoreOptions, TrainingData } from './types';

export interface EnsembleParams {
  /** The families and their weights. @default ALS and EASE, 0.5 each */
  parts?: Array<{ algorithm: FamilyName; params?: object; weight: number }>;
  /** How many of each part's best items are blended (the rest count 0 from that part). @default 200 */
  depth?: number;
}

const DEFAULTS: Required<EnsembleParams> = {
  parts: [
    { algorithm: 'als', weight: 0.5 },
    { algorithm: 'ease', weight: 0.5 },
  ],
  depth: 200,
};

export class EnsembleModel implements RecommenderModel {
  readonly algorithm = 'ensemble' as const;
  readonly params: Required<EnsembleParams>;
  private models: RecommenderModel[] | null = null;
  private itemList: readonly string[] | null = null;

  constructor(params: EnsembleParams = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!this.params.parts.length) throw new RangeError('an ensemble needs at least one part');
  }

  /** An ensemble of models fitted already (one per part, in the order of `params.parts`). */
  static of(models: RecommenderModel[], params: EnsembleParams): EnsembleModel {
    const ensemble = new EnsembleModel({ ...params, parts: models.map((m, i) => ({ algorithm: m.algorithm as never, params: { ...m.params }, weight: params.parts?.[i]?.weight ?? 1 / models.length })) });
    ensemble.models = models;
    return ensemble;
  }

  get items(): readonly string[] {
    this.itemList ??= [...new Set(this.fitted().flatMap((m) => m.items))];
    return this.itemList;
  }

  fit(data: TrainingData): this {
    this.models = this.params.parts.map((p) => createFamilyModel(p.algorithm, p.params).fit(data));
    this.itemList = null;
    return this;
  }

  scoreUser(history: readonly HistoryItem[], opts: ScoreOptions = {}): ScoredItem[] {
    const limit = opts.limit ?? 10;
    const scores = new Map<string, number>();
    this.fitted().forEach((model, i) => {
      const scored = model.scoreUser(history, { ...opts, limit: Math.max(limit, this.params.depth) });
      const top = scored[0]?.score ?? 0;
      if (!(top > 0)) return;
      const weight = this.params.parts[i]!.weight;
      for (const { item, score } of scored) scores.set(item, (scores.get(item) ?? 0) + (weight * score) / top);
    });
    return [...scores]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([item, score]) => ({ item, score }));
  }

  /** Each part's own snapshot, its arrays renamed `<part>:<name>` in one snapshot. */
  serialize(): Uint8Array {
    const parts: Array<{ algorithm: string; meta: Record<string, unknown> }> = [];
    const arrays: Record<string, Float64Array | Float32Array | Int32Array> = {};
    this.fitted().forEach((model, i) => {
      const snap = decodeSnapshot(model.serialize());
      parts.push({ algorithm: snap.algorithm, meta: snap.meta });
      for (const [name, a] of Object.entries(snap.arrays)) arrays[`${i}:${name}`] = a;
    });
    return encodeSnapshot({ algorithm: this.algorithm, meta: { params: this.params, parts }, arrays });
  }

  static load(buf: Uint8Array): EnsembleModel {
    const snap = decodeSnapshot(buf);
    expectAlgorithm(snap, 'ensemble');
    const parts = snap.meta.parts as Array<{ algorithm: AlgorithmName; meta: Record<string, unknown> }> | undefined;
    if (!Array.isArray(parts)) throw new SnapshotError('ensemble snapshot lacks its parts');
    const models = parts.map((p, i) => {
      const prefix = `${i}:`;
      const arrays = Object.fromEntries(Object.entries(snap.arrays).filter(([name]) => name.startsWith(prefix)).map(([name, a]) => [name.slice(prefix.length), a]));
      return loadFamilyModel(encodeSnapshot({ algorithm: p.algorithm, meta: p.meta, arrays }));
    });
    const model = new EnsembleModel(snap.meta.params as EnsembleParams);
    model.models = models;
    return model;
  }

  private fitted(): RecommenderModel[] {
    if (!this.models) throw new Error('ensemble model is not fitted');
    return this.models;
  }
}
