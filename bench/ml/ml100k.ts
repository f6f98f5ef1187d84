// MovieLens 100k for the benchmark: reading the rating files, and Microsoft Recommenders'
// `python_stratified_split` re-implemented exactly, so that a validation split can be carved out of the training
// file by the same procedure that made the published train/test split (see shared/data/ml-100k/PROTOCOL.md).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Interaction } from '../../src/recommender/types';
import { NumpyRandomState } from './numpy-random';

/** Where the split lives: MOVIELENS_DIR, default ../shared/data/ml-100k/ms-split (relative to the project). */
export const MOVIELENS_DIR = resolve(join(import.meta.dirname, '..', '..'), process.env.MOVIELENS_DIR ?? join('..', 'shared', 'data', 'ml-100k', 'ms-split'));

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

/** train.tsv and test.tsv from MOVIELENS_DIR; exits with a pointer to PROTOCOL.md when they are missing. */
export function requireSplit(command: string): { train: Rating[]; test: Rating[] } {
  const files = ['train.tsv', 'test.tsv'].map((f) => join(MOVIELENS_DIR, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`${command} needs the MovieLens 100k split (train.tsv, test.tsv) in ${MOVIELENS_DIR}; missing: ${missing.join(', ')}.`);
    console.error('Set MOVIELENS_DIR to the directory that holds them (see shared/data/ml-100k/PROTOCOL.md).');
    process.exit(2);
  }
  return { train: readRatings(files[0]!), test: readRatings(files[1]!) };
}

/** Ratings as the training worker's interactions: the rating is the weight, timestamps in milliseconds. */
export function ratingInteractions(rows: readonly Rating[]): Interaction[] {
  return rows.map((r) => ({ user: r.user, item: r.item, weight: r.rating, timestamp: r.timestamp * 1000 }));
}

export interface Movie {
  item: string;
  title: string;
  /** The first of the movie's genres in u.genre order (`unknown` when it has none). */
  genre: string;
}

const GENRES = ['unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];

/**
 * The movies of u.item (next to the split's directory): `id|title|release|video release|url|19 genre flags`,
 * Latin-1. Undefined when the file is not there.
 */
export function readMovies(path = join(dirname(MOVIELENS_DIR), 'u.item')): Movie[] | undefined {
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'latin1').split('\n').filter((l) => l.trim()).map((line) => {
    const fields = line.split('|');
    const flags = fields.slice(5).map(Number);
    const first = flags.findIndex((f) => f === 1);
    return { item: fields[0]!, title: fields[1]!, genre: GENRES[Math.max(0, first)] ?? 'unknown' };
  });
}
