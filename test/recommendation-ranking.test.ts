// The CandidateBoard scores a list on numbered products and typed arrays: it must give exactly what the ranking
// rules give spelled out over maps (the reference below, the way recommendations.ts computed lists before the
// board), ties and their order included, and its top(k) exactly what a stable sort by total score gives.
import { describe, expect, it } from 'vitest';
import { CandidateBoard, ProductNumbers, type Candidate, type SeedKind } from '../src/domain/candidate-board';
import { neighbourList, type NeighbourList } from '../src/domain/neighbours';

interface ListInput {
  seeds: Array<{ seed: string; kind: SeedKind; weight: number; list: NeighbourList | undefined }>;
  /** Every seed, also those beyond the ones whose neighbours are read (none of them is a candidate). */
  allSeeds: string[];
  excluded: Set<string> | null;
  model: Map<string, number>;
  popular: Map<string, number>;
  popularTop: number;
  k: number;
  fillers: number;
}

/** The rules over maps: neighbours, then model candidates, then popularity; then a stable sort by total. */
function reference(input: ListInput): { size: number; top: Array<[string, Candidate]> } {
  const candidates = new Map<string, Candidate>();
  const make = (id: string) => {
    let c = candidates.get(id);
    if (!c) candidates.set(id, (c = { score: 0, modelScore: 0, fromModel: false, seed: undefined, seedContribution: 0, seedKind: undefined }));
    return c;
  };
  const seedIds = new Set(input.allSeeds);
  for (const { seed, kind, weight, list } of input.seeds) {
    if (!list || !list.top) continue;
    list.ids.forEach((q, i) => {
      if (seedIds.has(q) || input.excluded?.has(q)) return;
      const contribution = (weight * list.weights[i]!) / list.top;
      const c = make(q);
      c.score += contribution;
      if (contribution > c.seedContribution) Object.assign(c, { seed, seedContribution: contribution, seedKind: kind });
    });
  }
  for (const [item, score] of input.model) {
    if (seedIds.has(item) || input.excluded?.has(item)) continue;
    Object.assign(make(item), { modelScore: score, fromModel: true });
  }
  const size = candidates.size;
  const weight = candidates.size ? 0.05 : 1;
  let fillers = input.fillers;
  for (const [p, s] of input.popular) {
    if (seedIds.has(p) || !input.popularTop || input.model.has(p) || input.excluded?.has(p)) continue;
    const existing = candidates.get(p);
    if (existing) existing.score += weight * (s / input.popularTop);
    else if (fillers-- > 0) make(p).score = weight * (s / input.popularTop);
  }
  const sorted = [...candidates].sort((a, b) => b[1].modelScore + b[1].score - (a[1].modelScore + a[1].score));
  return { size, top: sorted.slice(0, input.k) };
}

function viaBoard(board: CandidateBoard, input: ListInput): { size: number; top: Array<[string, Candidate]> } {
  const lists = input.seeds.filter((s) => s.list && s.list.top);
  board.begin({ neighbours: lists.map((s) => s.list!), popular: input.popular, model: input.model });
  for (const s of input.allSeeds) board.exclude(s);
  if (input.excluded) for (const p of input.excluded) board.exclude(p);
  for (const { seed, kind, weight, list } of lists) board.addNeighbours(seed, kind, weight, list!);
  for (const [item, score] of input.model) board.addModel(item, score);
  const size = board.size;
  board.addPopular(input.popular, input.popularTop, size ? 0.05 : 1, input.fillers);
  return { size, top: board.top(input.k) };
}

describe('CandidateBoard', () => {
  it('scores lists exactly as the rules over maps do: seeds, exclusions, model, popularity, ties, for many lists in a row', () => {
    let state = 42;
    const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (n: number) => `p${Math.floor(rand() * n)}`;
    // One board for every list, as a service keeps one: leftovers of a list must never leak into the next.
    const board = new CandidateBoard(new ProductNumbers());
    for (let round = 0; round < 300; round++) {
      // The catalog grows now and then, so that lists bring products the board has not numbered yet.
      const catalog = 50 + Math.floor(round / 3) * 10;
      const allSeeds = Array.from({ length: Math.floor(rand() * 15) }, () => pick(catalog));
      const kinds: SeedKind[] = ['productPage', 'cart', 'recent'];
      const seeds = [...new Set(allSeeds)].slice(0, 12).map((seed) => ({
        seed,
        kind: kinds[Math.floor(rand() * 3)]!,
        // Small integer weights and scores: ties are common.
        weight: 1 + Math.floor(rand() * 3),
        list: rand() < 0.1 ? undefined : neighbourList(new Map(Array.from({ length: Math.floor(rand() * 30) }, () => [pick(catalog), 1 + Math.floor(rand() * 4)])), rand() < 0.1 ? 0 : undefined),
      }));
      const input: ListInput = {
        seeds,
        allSeeds,
        excluded: rand() < 0.2 ? null : new Set(Array.from({ length: Math.floor(rand() * 20) }, () => pick(catalog * 2))),
        model: new Map(rand() < 0.7 ? [] : Array.from({ length: Math.floor(rand() * 20) }, () => [pick(catalog), Math.floor(rand() * 4) / 2])),
        popular: new Map(Array.from({ length: Math.floor(rand() * 40) }, (_, i) => [pick(catalog), 40 - i])),
        popularTop: rand() < 0.1 ? 0 : 40,
        k: [1, 5, 60, 1000][Math.floor(rand() * 4)]!,
        fillers: Math.floor(rand() * 10),
      };
      expect(viaBoard(board, input)).toEqual(reference(input));
    }
  });

  it('gives its k best as a stable sort by total score would, with many ties, for every k', () => {
    let state = 7;
    const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const board = new CandidateBoard(new ProductNumbers());
    for (let round = 0; round < 50; round++) {
      const n = Math.floor(rand() * 300);
      const popular = new Map(Array.from({ length: n }, (_, i) => [`p${i}`, Math.floor(rand() * 8)]));
      const model = new Map([...popular.keys()].filter(() => rand() < 0.2).map((p) => [p, Math.floor(rand() * 4) / 2]));
      for (const k of [1, 5, 60, n, n + 10]) {
        board.begin({ neighbours: [], popular, model });
        for (const [p, s] of model) board.addModel(p, s);
        board.addPopular(popular, 8, 1, n);
        const made = [...model.keys(), ...[...popular.keys()].filter((p) => !model.has(p))];
        const total = (p: string) => (model.get(p) ?? 0) + (model.has(p) ? 0 : (popular.get(p)! / 8));
        const sorted = made.sort((a, b) => total(b) - total(a));
        expect(board.top(k).map(([id]) => id)).toEqual(sorted.slice(0, k));
      }
    }
  });

  it('answers nothing for no candidates or k = 0', () => {
    const board = new CandidateBoard(new ProductNumbers());
    board.begin({ neighbours: [], popular: new Map(), model: new Map() });
    expect(board.top(10)).toEqual([]);
    board.begin({ neighbours: [], popular: new Map([['a', 1]]), model: new Map() });
    board.addPopular(new Map([['a', 1]]), 1, 1, 10);
    expect(board.top(0)).toEqual([]);
    expect(board.size).toBe(1);
  });
});
