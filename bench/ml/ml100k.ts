// MovieLens 100k for the benchmark: reading the rating files, and Microsoft Recommenders'
// `python_stratified_split` re-implemented exactly, so that a validation split can be carved out of the training
// file by the same procedure that made the published train/test split (see shared/data/ml-100k/PROTOCOL.md).
import { existsSync, readFileSync } from 'node:fs';
import { NumpyRandomState } from './numpy-random';

export interface Rating {
  user: string;
  item: string;
  rating: number;
  /** Seconds since the epoch, as in the files. */
  timestamp: number;
}

/** Tab-separated `user item rating timestamp` rows without a header (u.data, train.tsv, test.tsv). */
export function readRatings(path: string): Rating[] {
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  const rows: Rating[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [user, item, rating, timestamp] = line.split('\t');
    if (timestamp === undefined) throw new Error(`${path}: malformed line ${JSON.stringify(line)}`);
    rows.push({ user: user!, item: item!, rating: Number(rating), timestamp: Number(timestamp) });
  }
  return rows;
}

/** Python's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `python_stratified_split(df, ratio, filter_by='item', seed)`: every row gets a draw of
 * `np.random.seed(seed); np.random.rand(n)` in file order; within each item the rows with the smallest draws,
 * round(ratio × count) of them, go to the first part.
 */
export function stratifiedSplit(rows: readonly Rating[], ratio = 0.75, seed = 42): { train: Rating[]; test: Rating[] } {
  const draws = new NumpyRandomState(seed).rand(rows.length);
  const byItem = new Map<string, number[]>();
  rows.forEach((r, k) => {
    let list = byItem.get(r.item);
    if (!list) byItem.set(r.item, (list = []));
    list.push(k);
  });
  const inTrain = new Uint8Array(rows.length);
  for (const list of byItem.values()) {
    list.sort((a, b) => draws[a]! - draws[b]!);
    const n = roundHalfEven(ratio * list.length);
    for (let k = 0; k < n; k++) inTrain[list[k]!] = 1;
  }
  const train: Rating[] = [];
  const test: Rating[] = [];
  rows.forEach((r, k) => (inTrain[k] ? train : test).push(r));
  return { train, test };
}
