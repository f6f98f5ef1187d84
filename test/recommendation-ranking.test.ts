// topCandidates keeps the k best candidates without sorting them all: it must give exactly what a stable sort
// by total score would, ties included.
import { describe, expect, it } from 'vitest';
import { topCandidates, type Candidate } from '../src/services/recommendations';

function candidate(score: number, modelScore = 0): Candidate {
  return { score, modelScore, fromModel: modelScore > 0, seed: undefined, seedContribution: 0, seedKind: undefined };
}

describe('topCandidates', () => {
  it('equals the first k of a stable sort, with many ties, for every k', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const candidates = new Map<string, Candidate>();
      const n = Math.floor(rand() * 300);
      // Scores from a small set, so that ties are common; some with a model part.
      for (let i = 0; i < n; i++) candidates.set(`p${i}`, candidate(Math.floor(rand() * 8) / 4, rand() < 0.2 ? Math.floor(rand() * 4) / 2 : 0));
      const sorted = [...candidates.entries()].sort((a, b) => b[1].modelScore + b[1].score - (a[1].modelScore + a[1].score));
      for (const k of [1, 5, 60, n, n + 10]) {
        expect(topCandidates(candidates, k).map(([id]) => id)).toEqual(sorted.slice(0, k).map(([id]) => id));
      }
    }
  });

  it('answers nothing for no candidates or k = 0', () => {
    expect(topCandidates(new Map(), 10)).toEqual([]);
    expect(topCandidates(new Map([['a', candidate(1)]]), 0)).toEqual([]);
  });
});
