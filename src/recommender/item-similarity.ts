// What the item-to-item families (SAR, item k-NN) share: their state (item ids and a sparse item×item similarity),
// scoring a history as the weighted sum of its items' similarity rows, and their snapshot (the similarity's arrays).
import { decodeModel, encodeModel, sparseRowsArrays, sparseRowsFrom } from './codec';
import { accumulateSimilarRows, type SparseRows } from './matrix';
import { topItems, topK, type HistoryVector } from './scoring';
import type { AlgorithmName, ScoredItem, ScoreOptions } from './types';

export interface ItemSimilarityState {
  items: readonly string[];
  itemIndex: ReadonlyMap<string, number>;
  /** Row i: the items most similar to i, with their similarities. */
  similarity: SparseRows;
}

/** A row's kept neighbours, added to `rows`: all of them, or the `cap` most similar (in column order when `sorted`). */
export function pushNeighbours(
  rows: { push(cols: ArrayLike<number>, vals: ArrayLike<number>, n?: number): void },
  cols: ArrayLike<number>,
  vals: Float64Array | number[],
  n: number,
  cap: number,
  sorted = false,
): void {
  if (n <= cap) return rows.push(cols, vals, n);
  const keep = topK(n === vals.length ? vals : (vals as Float64Array).subarray(0, n), cap);
  if (sorted) keep.sort((a, b) => cols[a]! - cols[b]!);
  rows.push(keep.map((k) => cols[k]!), keep.map((k) => vals[k]!));
}

/** The top items for a history folded onto the model's items. */
export function scoreBySimilarity(s: ItemSimilarityState, h: HistoryVector, opts: ScoreOptions): ScoredItem[] {
  const scores = new Float64Array(s.items.length);
  accumulateSimilarRows(s.similarity, h.indices, h.weights, scores);
  return topItems(scores, s.items, s.itemIndex, h, opts);
}

export function encodeSimilarity(model: { algorithm: AlgorithmName; params: object }, s: ItemSimilarityState, meta: Record<string, unknown> = {}): Uint8Array {
  return encodeModel(model, s.items, sparseRowsArrays(s.similarity), meta);
}

export function decodeSimilarity<P>(buf: Uint8Array, algorithm: AlgorithmName): { params: P; meta: Record<string, unknown>; state: ItemSimilarityState } {
  const { snap, params, items, itemIndex } = decodeModel<P>(buf, algorithm);
  return { params, meta: snap.meta, state: { items, itemIndex, similarity: sparseRowsFrom(snap) } };
}
