// The benchmark's re-implementation of Microsoft Recommenders' python_stratified_split: numpy's legacy random
// stream (values printed by numpy 1.x/2.x for seed 42) and Python's round-half-to-even per item.
import { describe, expect, it } from 'vitest';
import { stratifiedSplit, type Rating } from '../bench/ml/ml100k';
import { NumpyRandomState } from '../bench/ml/numpy-random';

describe('NumpyRandomState', () => {
  it('draws what np.random.seed(42); np.random.rand(5) draws', () => {
    expect(Array.from(new NumpyRandomState(42).rand(5))).toEqual([
      0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366, 0.15601864044243652,
    ]);
  });
});

describe('stratifiedSplit', () => {
  it('puts round-half-to-even of 75 % of each item\'s rows into training, by smallest draw', () => {
    const rows: Rating[] = [];
    for (const [item, n] of [['a', 2], ['b', 6], ['c', 10], ['d', 1]] as const) {
      for (let k = 0; k < n; k++) rows.push({ user: `u${rows.length}`, item, rating: 1, timestamp: 0 });
    }
    const { train, test } = stratifiedSplit(rows);
    const count = (part: Rating[], item: string) => part.filter((r) => r.item === item).length;
    // 1.5 → 2, 4.5 → 4, 7.5 → 8, 0.75 → 1
    expect(['a', 'b', 'c', 'd'].map((i) => count(train, i))).toEqual([2, 4, 8, 1]);
    expect(train.length + test.length).toBe(rows.length);
    // Within an item, the training rows are those with the smallest draws.
    const draws = new NumpyRandomState(42).rand(rows.length);
    const b = rows.map((r, k) => ({ r, d: draws[k]! })).filter(({ r }) => r.item === 'b').sort((x, y) => x.d - y.d);
    expect(new Set(b.slice(0, 4).map(({ r }) => r.user))).toEqual(new Set(train.filter((r) => r.item === 'b').map((r) => r.user)));
  });
});
