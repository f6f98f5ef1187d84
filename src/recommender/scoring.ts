// What every family does around its own arithmetic when scoring a shopper: turn a history into item indices
// and weights, and turn a dense score vector into the top items that may be shown.
import { decayFactor } from './matrix';
import type { HistoryItem, ScoredItem, ScoreOptions, TimeDecay } from './types';

export const DEFAULT_LIMIT = 10;

/** A history folded onto the model's item indices: repeated items summed, unknown items dropped. */
export interface HistoryVector {
  indices: Int32Array;
  weights: Float64Array;
}

export function historyVector(
  history: readonly HistoryItem[],
  itemIndex: ReadonlyMap<string, number>,
  opts: { decay?: TimeDecay | undefined; now?: number | undefined; binary?: boolean } = {},
): HistoryVector {
  const byIndex = new Map<number, number>();
  for (const h of history) {
    const i = itemIndex.get(h.item);
    if (i === undefined || !Number.isFinite(h.weight)) continue;
    byIndex.set(i, (byIndex.get(i) ?? 0) + h.weight * decayFactor(h.timestamp, opts.decay, opts.now));
  }
  const kept = [...byIndex].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  return {
    indices: Int32Array.from(kept, ([i]) => i),
    weights: Float64Array.from(kept, ([, w]) => (opts.binary ? 1 : w)),
  };
}

/**
 * The `limit` best items of `scores` (which it may overwrite), leaving out excluded and, unless told otherwise,
 * history items. Ties go to the lower item index so results do not depend on engine sort details.
 */
export function topItems(
  scores: Float64Array,
  items: readonly string[],
  itemIndex: ReadonlyMap<string, number>,
  history: HistoryVector,
  opts: ScoreOptions = {},
): ScoredItem[] {
  if (opts.excludeHistory ?? true) for (const i of history.indices) scores[i] = -Infinity;
  if (opts.exclude) {
    for (const id of opts.exclude) {
      const i = itemIndex.get(id);
      if (i !== undefined) scores[i] = -Infinity;
    }
  }
  return topK(scores, opts.limit ?? DEFAULT_LIMIT).map((i) => ({ item: items[i]!, score: scores[i]! }));
}

/** Indices of the k largest finite-or-not-minus-infinity scores, best first, via a size-k min-heap. */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const heap: number[] = [];
  // "a ranks below b": lower score, or equal score and higher index.
  const below = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < heap.length && below(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && below(heap[r]!, heap[m]!)) m = r;
      if (m === at) return;
      [heap[at], heap[m]] = [heap[m]!, heap[at]!];
      at = m;
    }
  };
  if (k <= 0) return [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s === -Infinity || Number.isNaN(s)) continue;
    if (heap.length < k) {
      heap.push(i);
      for (let at = heap.length - 1; at > 0; ) {
        const parent = (at - 1) >> 1;
        if (!below(heap[at]!, heap[parent]!)) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
    } else if (below(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}

export function requireFitted<T>(value: T | undefined, algorithm: string): T {
  if (value === undefined) throw new Error(`${algorithm} model is not fitted`);
  return value;
}
