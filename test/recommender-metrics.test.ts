// Ranking metrics against values worked out by hand from the definitions in shared/data/ml-100k/PROTOCOL.md
// (Microsoft Recommenders' python_evaluation): precision always over k, MAP over |T_u|, NDCG with 1 / ln(1 + r).
import { describe, expect, it } from 'vitest';
import { rankingMetrics, userRankingMetrics } from '../src/recommender/metrics';

const K = 5;

describe('userRankingMetrics', () => {
  it('scores hits at ranks 1, 3 and 5 of 4 relevant items', () => {
    const m = userRankingMetrics(['a', 'x', 'b', 'y', 'c'], new Set(['a', 'b', 'c', 'd']), K);
    expect(m.hits).toBe(3);
    expect(m.precision).toBeCloseTo(3 / 5, 12);
    expect(m.recall).toBeCloseTo(3 / 4, 12);
    // (1/ln 2 + 1/ln 4 + 1/ln 6) / (1/ln 2 + 1/ln 3 + 1/ln 4 + 1/ln 5)
    expect(m.ndcg).toBeCloseTo(0.7365896932, 9);
    // (1/1 + 2/3 + 3/5) / 4
    expect(m.averagePrecision).toBeCloseTo(0.5666666667, 9);
  });

  it('divides precision by k even when fewer than k items were recommended', () => {
    const m = userRankingMetrics(['p'], new Set(['p', 'q']), K);
    expect(m.precision).toBeCloseTo(0.2, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    // (1/ln 2) / (1/ln 2 + 1/ln 3)
    expect(m.ndcg).toBeCloseTo(0.6131471928, 9);
    expect(m.averagePrecision).toBeCloseTo(0.5, 12);
  });

  it('normalises MAP by all relevant items, and IDCG by at most k of them', () => {
    const relevant = new Set(Array.from({ length: 12 }, (_, i) => `r${i}`));
    const m = userRankingMetrics(['x', 'r3', 'y', 'z', 'w'], relevant, K);
    expect(m.averagePrecision).toBeCloseTo(0.5 / 12, 12);
    expect(m.averagePrecisionAtK).toBeCloseTo(0.5 / 5, 12);
    // (1/ln 3) / Σ_{i=1..5} 1/ln(1+i)
    expect(m.ndcg).toBeCloseTo(0.2139862647, 9);
    expect(m.recall).toBeCloseTo(1 / 12, 12);
  });

  it('counts a repeated item once and ignores ranks beyond k', () => {
    const m = userRankingMetrics(['a', 'a', 'x', 'y', 'z', 'b'], new Set(['a', 'b']), K);
    expect(m.hits).toBe(1);
    expect(m.precision).toBeCloseTo(0.2, 12);
    expect(() => userRankingMetrics(['a'], new Set(['a']), 0)).toThrow(RangeError);
  });
});

describe('rankingMetrics', () => {
  it('averages over users with both a list and relevant items, counting a list without hits as zero', () => {
    const recommended = new Map<string, string[]>([
      ['A', ['a', 'x', 'b', 'y', 'c']],
      ['B', ['p']],
      ['C', ['x', 'r3', 'y', 'z', 'w']],
      ['D', []], // no prediction rows: python_evaluation's inner join drops the user
      ['E', ['n1', 'n2', 'n3', 'n4', 'n5']],
      ['F', ['a']], // predictions without ground truth: not averaged either
    ]);
    const relevant = new Map<string, Set<string>>([
      ['A', new Set(['a', 'b', 'c', 'd'])],
      ['B', new Set(['p', 'q'])],
      ['C', new Set(Array.from({ length: 12 }, (_, i) => `r${i}`))],
      ['D', new Set(['a'])],
      ['E', new Set(['e1'])],
    ]);
    const m = rankingMetrics(recommended, relevant, K);
    expect(m.users).toBe(4);
    expect(m.precision).toBeCloseTo((0.6 + 0.2 + 0.2 + 0) / 4, 12);
    expect(m.recall).toBeCloseTo((0.75 + 0.5 + 1 / 12 + 0) / 4, 12);
    expect(m.ndcg).toBeCloseTo(0.3909307877, 9);
    expect(m.map).toBeCloseTo(0.2770833333, 9);
    expect(m.mapAtK).toBeCloseTo(0.2916666667, 9);
  });

  it('gives zeros, not NaN, when no user can be scored', () => {
    expect(rankingMetrics(new Map(), new Map([['A', new Set(['a'])]]), K)).toEqual({ precision: 0, recall: 0, ndcg: 0, map: 0, mapAtK: 0, users: 0 });
  });
});
