// Each family's own arithmetic on a matrix small enough to work out by hand (EASE's B checked against numpy).
// Users: u1 {a, b}, u2 {b, c}, u3 {a, b, c}, u4 {c, d}; co-occurrence ab = 2, ac = 1, bc = 2, cd = 1.
import { describe, expect, it } from 'vitest';
import { AlsModel } from '../src/recommender/als';
import { createModel, loadModel } from '../src/recommender';
import { EaseModel } from '../src/recommender/ease';
import { EnsembleModel } from '../src/recommender/ensemble';
import { ItemKnnModel } from '../src/recommender/itemknn';
import { SarModel } from '../src/recommender/sar';
import type { Interaction } from '../src/recommender/types';

const rows: Array<[string, string[]]> = [['u1', ['a', 'b']], ['u2', ['b', 'c']], ['u3', ['a', 'b', 'c']], ['u4', ['c', 'd']]];
const data: Interaction[] = rows.flatMap(([user, items]) => items.map((item) => ({ user, item, weight: 1 })));
const COSINE = { alpha: 0.5, beta: 0.5, userExponent: 0 };
const scoresOf = (list: Array<{ item: string; score: number }>) => Object.fromEntries(list.map((r) => [r.item, r.score]));

describe('SAR', () => {
  it('scores by Jaccard similarity: c_ij / (n_i + n_j − c_ij)', () => {
    const model = new SarModel({ halfLifeDays: null }).fit(data);
    const s = scoresOf(model.scoreUser([{ item: 'a', weight: 1 }], { limit: 3 }));
    expect(s.b).toBeCloseTo(2 / 3, 6);
    expect(s.c).toBeCloseTo(1 / 4, 6);
    expect(s.d ?? 0).toBe(0);
    // Affinity weights scale each history item's row.
    const w = scoresOf(model.scoreUser([{ item: 'a', weight: 2 }, { item: 'd', weight: 1 }], { limit: 2 }));
    expect(w.b).toBeCloseTo(4 / 3, 6);
    expect(w.c).toBeCloseTo(2 / 4 + 1 / 3, 6);
  });

  it('keeps an even share of maxSimilarities per item on a catalogue too big for all of them', () => {
    // 12 / 4 items = 3 per row: c keeps itself (1), b (1/2) and d (1/3), and drops a (1/4).
    const model = new SarModel({ halfLifeDays: null, maxSimilarities: 12 }).fit(data);
    const s = scoresOf(model.scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(s.d).toBeCloseTo(1 / 3, 6);
    expect(s.a ?? 0).toBe(0);
  });
});

describe('EASE', () => {
  it('matches the closed form B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹', () => {
    const model = new EaseModel({ lambda: 1 }).fit(data);
    const s = scoresOf(model.scoreUser([{ item: 'a', weight: 1 }, { item: 'd', weight: 1 }], { limit: 2 }));
    expect(s.b).toBeCloseTo(6 / 19, 6); // B_ab + B_db = 10/19 − 4/19
    expect(s.c).toBeCloseTo(0.5, 6); // B_ac + B_dc = 0 + 1/2
  });

  it('keeps only the maxItems most interacted items', () => {
    const model = new EaseModel({ lambda: 1, maxItems: 2 }).fit(data);
    expect([...model.items].sort()).toEqual(['b', 'c']);
  });
});

describe('item k-NN', () => {
  it('scores by cosine similarity, keeping each item\'s k nearest neighbours only', () => {
    const all = new ItemKnnModel({ ...COSINE, shrink: 0 }).fit(data);
    const s = scoresOf(all.scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(s.b).toBeCloseTo(2 / Math.sqrt(9), 6);
    expect(s.d).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(s.a).toBeCloseTo(1 / Math.sqrt(6), 6);
    const two = new ItemKnnModel({ ...COSINE, shrink: 0, neighbors: 2 }).fit(data);
    const t = scoresOf(two.scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(t.b).toBeCloseTo(2 / 3, 6);
    expect(t.a ?? 0).toBe(0); // c's third neighbour was dropped
    // The same cut from a budget of 8 similarities over 4 items.
    const budget = scoresOf(new ItemKnnModel({ ...COSINE, shrink: 0, maxSimilarities: 8 }).fit(data).scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(budget).toEqual(t);
  });

  it('damps shared users by shrink and heavy users by userExponent', () => {
    const shrunk = scoresOf(new ItemKnnModel({ ...COSINE, shrink: 1 }).fit(data).scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(shrunk.b).toBeCloseTo(2 / (3 + 1), 6);
    // RP3beta-like: c_cb = 1/|u2| + 1/|u3| = 1/2 + 1/3, over n_c^1 · n_b^0.5.
    const rp3 = scoresOf(new ItemKnnModel({ shrink: 0, alpha: 1, beta: 0.5, userExponent: 1 }).fit(data).scoreUser([{ item: 'c', weight: 1 }], { limit: 3 }));
    expect(rp3.b).toBeCloseTo((1 / 2 + 1 / 3) / (3 * Math.sqrt(3)), 6);
  });
});

describe('ALS', () => {
  it('takes weights relative to their mean: the same data in another unit gives the same model, kept by its snapshot', () => {
    const weighted = data.map((x, i) => ({ ...x, weight: 1 + (i % 3) }));
    const history = [{ item: 'a', weight: 2 }];
    const one = new AlsModel({ factors: 4 }).fit(weighted);
    const ten = new AlsModel({ factors: 4 }).fit(weighted.map((x) => ({ ...x, weight: 10 * x.weight })));
    const scores = one.scoreUser(history, { limit: 3 });
    expect(scores).toHaveLength(3);
    const inTens = ten.scoreUser([{ item: 'a', weight: 20 }], { limit: 3 });
    expect(inTens.map((s) => s.item)).toEqual(scores.map((s) => s.item));
    inTens.forEach((s, k) => expect(s.score).toBeCloseTo(scores[k]!.score, 6));
    // A snapshot carries the training's scale: the loaded model scores a history exactly as the fitted one.
    expect(AlsModel.load(one.serialize()).scoreUser(history, { limit: 3 })).toEqual(scores);
  });
});

describe('ensemble', () => {
  it('adds each part\'s scores divided by its best one, by the parts\' weights, and loads back identical', () => {
    const ease = new EaseModel({ lambda: 1 }).fit(data);
    const sar = new SarModel({ halfLifeDays: null }).fit(data);
    const history = [{ item: 'a', weight: 1 }, { item: 'd', weight: 1 }];
    const e = scoresOf(ease.scoreUser(history, { limit: 2 })); // b 6/19, c 1/2
    const s = scoresOf(sar.scoreUser(history, { limit: 2 })); // b 2/3, c 1/4 + 1/3
    const model = EnsembleModel.of([ease, sar], { parts: [{ algorithm: 'ease', weight: 0.25 }, { algorithm: 'sar', weight: 0.75 }] });
    const blended = scoresOf(model.scoreUser(history, { limit: 2 }));
    const eTop = Math.max(e.b!, e.c!);
    const sTop = Math.max(s.b!, s.c!);
    expect(blended.b).toBeCloseTo((0.25 * e.b!) / eTop + (0.75 * s.b!) / sTop, 9);
    expect(blended.c).toBeCloseTo((0.25 * e.c!) / eTop + (0.75 * s.c!) / sTop, 9);
    expect([...model.items].sort()).toEqual(['a', 'b', 'c', 'd']);
    const loaded = loadModel(model.serialize());
    expect(loaded.algorithm).toBe('ensemble');
    expect(loaded.scoreUser(history, { limit: 2 })).toEqual(model.scoreUser(history, { limit: 2 }));
    // Fitted from scratch by its recipe, it equals the parts fitted alone.
    const refit = createModel('ensemble', { parts: [{ algorithm: 'ease', params: { lambda: 1 }, weight: 0.25 }, { algorithm: 'sar', params: { halfLifeDays: null }, weight: 0.75 }] }).fit(data);
    expect(refit.scoreUser(history, { limit: 2 })).toEqual(model.scoreUser(history, { limit: 2 }));
  });
});
