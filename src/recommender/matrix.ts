// Builds the sparse user×item matrix all model families train on, and the sparse item×item helpers that the
// neighbourhood models (SAR, item k-NN) share.
import type { Interaction, InteractionMatrix, TimeDecay } from './types';

const DAY_MS = 86_400_000;

export interface MatrixOptions {
  /** Halve an interaction's weight every this many days before `now`. @default undefined (no decay) */
  halfLifeDays?: number;
  /** Reference time for decay, ms since the epoch. @default the latest timestamp in the data */
  now?: number;
  /** Keep only these items, in this column order (e.g. EASE's item cap). @default every item seen */
  items?: readonly string[];
}

/** 2^(-(now - t) / halfLife), the decay SAR uses (Microsoft Recommenders, `timedecay_formula=True`). */
export function decayFactor(timestamp: number | undefined, decay: TimeDecay | undefined, now?: number): number {
  if (!decay || timestamp === undefined) return 1;
  return Math.pow(2, -((now ?? decay.referenceTime) - timestamp) / (decay.halfLifeDays * DAY_MS));
}

export function buildInteractionMatrix(interactions: readonly Interaction[], opts: MatrixOptions = {}): InteractionMatrix {
  let decay: TimeDecay | undefined;
  if (opts.halfLifeDays !== undefined) {
    if (!(opts.halfLifeDays > 0)) throw new RangeError('halfLifeDays must be positive');
    let latest = -Infinity;
    if (opts.now === undefined) for (const x of interactions) if (x.timestamp !== undefined && x.timestamp > latest) latest = x.timestamp;
    decay = { halfLifeDays: opts.halfLifeDays, referenceTime: opts.now ?? (Number.isFinite(latest) ? latest : Date.now()) };
  }

  const users: string[] = [];
  const userIndex = new Map<string, number>();
  const items: string[] = opts.items ? [...opts.items] : [];
  const itemIndex = new Map<string, number>(items.map((id, i) => [id, i]));
  const fixedItems = opts.items !== undefined;
  const n = interactions.length;
  const rowOf = new Int32Array(n);
  const colOf = new Int32Array(n);
  const weightOf = new Float64Array(n);
  let kept = 0;
  for (const x of interactions) {
    if (!Number.isFinite(x.weight)) continue;
    let col = itemIndex.get(x.item);
    if (col === undefined) {
      if (fixedItems) continue;
      col = items.length;
      items.push(x.item);
      itemIndex.set(x.item, col);
    }
    let row = userIndex.get(x.user);
    if (row === undefined) {
      row = users.length;
      users.push(x.user);
      userIndex.set(x.user, row);
    }
    rowOf[kept] = row;
    colOf[kept] = col;
    weightOf[kept] = x.weight * decayFactor(x.timestamp, decay);
    kept++;
  }

  // Two stable counting sorts (by item, then by user) leave every row's columns ascending in O(nnz).
  const byItem = countingOrder(colOf, kept, items.length, null);
  const order = countingOrder(rowOf, kept, users.length, byItem);
  const indptr = new Int32Array(users.length + 1);
  const indices = new Int32Array(kept);
  const values = new Float64Array(kept);
  let nnz = 0;
  let prevRow = -1;
  let prevCol = -1;
  for (let k = 0; k < kept; k++) {
    const e = order[k]!;
    const row = rowOf[e]!;
    const col = colOf[e]!;
    if (row === prevRow && col === prevCol) {
      values[nnz - 1]! += weightOf[e]!;
      continue;
    }
    indices[nnz] = col;
    values[nnz] = weightOf[e]!;
    indptr[row + 1]!++;
    nnz++;
    prevRow = row;
    prevCol = col;
  }
  for (let u = 0; u < users.length; u++) indptr[u + 1]! += indptr[u]!;
  return dropNonPositive({ users, items, userIndex, itemIndex, indptr, indices: indices.subarray(0, nnz), values, decay });
}

function countingOrder(keys: Int32Array, n: number, buckets: number, within: Int32Array | null): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (let k = 0; k < n; k++) start[keys[k]! + 1]!++;
  for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = within ? within[k]! : k;
    out[start[keys[e]!]!++] = e;
  }
  return out;
}

// Implicit feedback carries no negative signal: a pair whose weights sum to nothing is treated as unseen.
function dropNonPositive(m: {
  users: string[]; items: string[]; userIndex: Map<string, number>; itemIndex: Map<string, number>;
  indptr: Int32Array; indices: Int32Array; values: Float64Array; decay: TimeDecay | undefined;
}): InteractionMatrix {
  const indices = new Int32Array(m.indices.length);
  const values = new Float32Array(m.indices.length);
  const indptr = new Int32Array(m.indptr.length);
  let nnz = 0;
  for (let u = 0; u < m.users.length; u++) {
    for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) {
      if (!(m.values[p]! > 0)) continue;
      indices[nnz] = m.indices[p]!;
      values[nnz] = m.values[p]!;
      nnz++;
    }
    indptr[u + 1] = nnz;
  }
  const base = { users: m.users, items: m.items, userIndex: m.userIndex, itemIndex: m.itemIndex, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
  return m.decay ? { ...base, decay: m.decay } : base;
}

/** Compressed sparse rows without id maps: item×item similarities, or the item×user transpose. */
export interface SparseRows {
  readonly rows: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export function transpose(m: SparseRows, columns: number): SparseRows {
  const indptr = new Int32Array(columns + 1);
  for (let p = 0; p < m.indices.length; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < columns; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, columns);
  const indices = new Int32Array(m.indices.length);
  const values = new Float32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const q = next[m.indices[p]!]!++;
      indices[q] = r;
      values[q] = m.values[p]!;
    }
  }
  return { rows: columns, indptr, indices, values };
}

export function userRows(m: InteractionMatrix): SparseRows {
  return { rows: m.users.length, indptr: m.indptr, indices: m.indices, values: m.values };
}

/**
 * Calls `row(i, touched, count, acc)` once per item i with acc[j] = Σ_u x_ui·x_uj over the users of i
 * (x binary when `binary`), for the `count` columns j listed in touched. Costs Σ_u |items of u|², which is
 * what keeps the neighbourhood models sparse; the accumulator is cleared after each call.
 */
export function forEachCooccurrenceRow(
  m: InteractionMatrix,
  binary: boolean,
  row: (i: number, touched: Int32Array, count: number, acc: Float64Array) => void,
): void {
  const nItems = m.items.length;
  const byItem = transpose(userRows(m), nItems);
  const acc = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  // A mark per column rather than acc[j] === 0, since a tiny decayed weight can underflow to zero.
  const seenBy = new Int32Array(nItems).fill(-1);
  for (let i = 0; i < nItems; i++) {
    let count = 0;
    for (let p = byItem.indptr[i]!; p < byItem.indptr[i + 1]!; p++) {
      const u = byItem.indices[p]!;
      const xi = binary ? 1 : byItem.values[p]!;
      for (let q = m.indptr[u]!; q < m.indptr[u + 1]!; q++) {
        const j = m.indices[q]!;
        if (seenBy[j] !== i) {
          seenBy[j] = i;
          touched[count++] = j;
        }
        acc[j]! += binary ? xi : xi * m.values[q]!;
      }
    }
    row(i, touched, count, acc);
    for (let t = 0; t < count; t++) acc[touched[t]!] = 0;
  }
}

/**
 * Neighbours each item may keep: `maxNeighbors` when set (> 0), but never more than an even share of
 * `maxSimilarities`, so that similarity rows (8 bytes an entry, in memory and in the snapshot every API
 * instance loads) stay bounded on a big catalogue while a small one keeps everything.
 */
export function neighbourCap(maxNeighbors: number, maxSimilarities: number, items: number): number {
  const share = Math.max(1, Math.floor(maxSimilarities / Math.max(1, items)));
  return maxNeighbors > 0 ? Math.min(maxNeighbors, share) : share;
}

/** Appends rows one at a time, growing its buffers, and freezes them into SparseRows. */
export class SparseRowsBuilder {
  private indptr: number[] = [0];
  private indices = new Int32Array(1024);
  private values = new Float32Array(1024);
  private nnz = 0;

  push(cols: ArrayLike<number>, vals: ArrayLike<number>, count = cols.length): void {
    if (this.nnz + count > this.indices.length) {
      const size = Math.max(this.indices.length * 2, this.nnz + count);
      const indices = new Int32Array(size);
      indices.set(this.indices.subarray(0, this.nnz));
      const values = new Float32Array(size);
      values.set(this.values.subarray(0, this.nnz));
      this.indices = indices;
      this.values = values;
    }
    for (let k = 0; k < count; k++) {
      this.indices[this.nnz] = cols[k]!;
      this.values[this.nnz] = vals[k]!;
      this.nnz++;
    }
    this.indptr.push(this.nnz);
  }

  build(): SparseRows {
    return {
      rows: this.indptr.length - 1,
      indptr: Int32Array.from(this.indptr),
      indices: this.indices.slice(0, this.nnz),
      values: this.values.slice(0, this.nnz),
    };
  }
}

/** Number of users who interacted with each item. */
export function itemCounts(m: InteractionMatrix): Int32Array {
  const counts = new Int32Array(m.items.length);
  for (let p = 0; p < m.indices.length; p++) counts[m.indices[p]!]!++;
  return counts;
}

/** Training data as a matrix: built with `opts` from interactions, or taken as is when already built. */
export function toMatrix(data: readonly Interaction[] | InteractionMatrix, opts: MatrixOptions = {}): InteractionMatrix {
  return isInteractionList(data) ? buildInteractionMatrix(data, opts) : data;
}

function isInteractionList(data: readonly Interaction[] | InteractionMatrix): data is readonly Interaction[] {
  return Array.isArray(data);
}

/** scores[j] += Σ_{i in history} w_i·S[i][j]: scoring by the rows of an item×item similarity. */
export function accumulateSimilarRows(sim: SparseRows, indices: Int32Array, weights: Float64Array, scores: Float64Array): void {
  for (let h = 0; h < indices.length; h++) {
    const i = indices[h]!;
    const w = weights[h]!;
    for (let p = sim.indptr[i]!; p < sim.indptr[i + 1]!; p++) scores[sim.indices[p]!]! += w * sim.values[p]!;
  }
}
