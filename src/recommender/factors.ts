// What the factor families (ALS, BPR) share: their state (item ids, item factors and optional biases), scoring a
// user vector against every item, and their snapshot.
import { decodeModel, encodeModel, snapshotArray } from './codec';
import { dot } from './linalg';
import { historyVector, topItems } from './scoring';
import type { AlgorithmName, HistoryItem, ScoredItem, ScoreOptions } from './types';

/** A factor model's state (ALS, BPR): item ids, and their factors (nItems×f, row-major) and optional biases. */
export interface FactorState {
  items: readonly string[];
  itemIndex: ReadonlyMap<string, number>;
  itemFactors: Float32Array;
  itemBias?: Float32Array;
}

/** The top items of a factor model for the user vector `x` its family computed: bias[j] + itemFactors[j]·x. */
export function scoreByFactors(s: FactorState, f: number, x: ArrayLike<number>, history: readonly HistoryItem[], opts: ScoreOptions): ScoredItem[] {
  const n = s.items.length;
  const scores = new Float64Array(n);
  const bias = s.itemBias;
  if (bias) for (let j = 0; j < n; j++) scores[j] = bias[j]! + dot(s.itemFactors, j * f, x, 0, f);
  else for (let j = 0; j < n; j++) scores[j] = dot(s.itemFactors, j * f, x, 0, f);
  return topItems(scores, s.items, s.itemIndex, historyVector(history, s.itemIndex), opts);
}

/** A factor model's snapshot: its factors (and biases), with `meta`'s fields beside its params and items. */
export function encodeFactors(model: { algorithm: AlgorithmName; params: object }, s: FactorState, meta: Record<string, unknown> = {}): Uint8Array {
  return encodeModel(model, s.items, s.itemBias ? { itemFactors: s.itemFactors, itemBias: s.itemBias } : { itemFactors: s.itemFactors }, meta);
}

/** A factor model's snapshot read back (encodeFactors); `bias`: the family keeps item biases. */
export function decodeFactors<P>(buf: Uint8Array, algorithm: AlgorithmName, bias = false): { params: P; meta: Record<string, unknown>; state: FactorState } {
  const { snap, params, items, itemIndex } = decodeModel<P>(buf, algorithm);
  const itemFactors = snapshotArray(snap, 'itemFactors', Float32Array);
  const state: FactorState = bias ? { items, itemIndex, itemFactors, itemBias: snapshotArray(snap, 'itemBias', Float32Array) } : { items, itemIndex, itemFactors };
  return { params, meta: snap.meta, state };
}
