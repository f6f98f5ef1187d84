// One training run as a pure computation: the served model is fitted on every interaction, not on the
// hold-out's training part that the evaluation used.
import { describe, expect, it } from 'vitest';
import { splitHoldout } from '../src/recommender/holdout';
import type { Interaction } from '../src/recommender/types';
import { chooseOnHoldout, ENSEMBLE_SHARES, trainAndEvaluate } from '../src/services/model-training';

describe('trainAndEvaluate', () => {
  it('evaluates on a hold-out, then serves a model refitted on everything', () => {
    // 40 shoppers, each with 6 products of a shared pool and 2 of their own that nobody else touched.
    const interactions: Interaction[] = [];
    for (let u = 0; u < 40; u++) {
      for (let k = 0; k < 6; k++) interactions.push({ user: `u${u}`, item: `p${(u + k * 7) % 30}`, weight: 1 });
      for (let k = 0; k < 2; k++) interactions.push({ user: `u${u}`, item: `own-${u}-${k}`, weight: 1 });
    }
    // The split the run evaluates on (the same seed): some products appear only in its held-out part.
    const split = splitHoldout(interactions, { seed: 42, method: 'random' });
    const trainItems = new Set(split.train.map((x) => x.item));
    const heldOutOnly = [...new Set(split.test.map((x) => x.item))].filter((i) => !trainItems.has(i));
    expect(heldOutOnly.length).toBeGreaterThan(0);

    const outcome = trainAndEvaluate(interactions, { algorithm: 'als' }, null, { tolerance: 0 });
    expect(outcome.metrics.users).toBe(new Set(split.test.map((x) => x.user)).size);
    expect(new Set(outcome.model.items)).toEqual(new Set(interactions.map((x) => x.item)));
  });
});

describe('choosing a half-life on the hold-out', () => {
  // Two tastes: shoppers of group a touch 8 of the a products, shoppers of group b 8 of the b products, and each
  // also 4 stray products that say nothing (drawn from 200 others). One weighting of the same rows (labelled 0
  // days here) keeps the strays faint; the other (labelled 30) makes them loud, as a decay would that favours a
  // noisy recent past. The hold-out must prefer the faint one, whichever is given first, and the served model
  // must be fitted with it.
  const interactions: Interaction[] = [];
  const faint: number[] = [];
  const loud: number[] = [];
  for (let u = 0; u < 60; u++) {
    const own = u % 2 ? 'a' : 'b';
    for (let k = 0; k < 8; k++) {
      interactions.push({ user: `u${u}`, item: `${own}${(u + k) % 12}`, weight: 1 });
      faint.push(1);
      loud.push(1);
    }
    for (let k = 0; k < 4; k++) {
      interactions.push({ user: `u${u}`, item: `stray${(u * 37 + k * 11) % 200}`, weight: 1 });
      faint.push(0.05);
      loud.push(6);
    }
  }
  const weighed = (weights: number[]) => interactions.map((x, i) => ({ ...x, weight: weights[i]! }));

  it.each([
    ['the faint weighting first', weighed(faint), 0, { halfLifeDays: 30, weights: Float64Array.from(loud) }],
    ['the loud weighting first', weighed(loud), 30, { halfLifeDays: 0, weights: Float64Array.from(faint) }],
  ])('keeps the weighting that scores better (%s)', (_, rows, halfLifeDays, alternative) => {
    const outcome = trainAndEvaluate(rows, { algorithm: 'als' }, null, { tolerance: 0, halfLifeDays, alternatives: [alternative] });
    expect(outcome.choices.map((c) => c.halfLifeDays)).toEqual([halfLifeDays, alternative.halfLifeDays]);
    const score = new Map(outcome.choices.map((c) => [c.halfLifeDays, c.ndcgAt10]));
    expect(score.get(0)!).toBeGreaterThan(score.get(30)!);
    expect(outcome.halfLifeDays).toBe(0);
    expect(outcome.metrics.ndcgAt10).toBe(score.get(0));
    // Served: fitted with the faint weighting, so a shopper of group a is shown a products.
    const top = outcome.model.scoreUser([{ item: 'a0', weight: 1 }, { item: 'a1', weight: 1 }, { item: 'a2', weight: 1 }], { limit: 5 });
    expect(top.every((r) => r.item.startsWith('a'))).toBe(true);
  });

  it('with auto, tries ALS, EASE and their ensembles at each half-life and serves the best, refitted', () => {
    const outcome = trainAndEvaluate(weighed(faint), { algorithm: 'auto' }, null, {
      tolerance: 0,
      halfLifeDays: 0,
      alternatives: [{ halfLifeDays: 30, weights: Float64Array.from(loud) }],
    });
    const blends = ENSEMBLE_SHARES.map((share) => `ensemble(${share})`);
    expect(outcome.choices.map((c) => `${c.algorithm}${c.parts ? `(${c.parts[0]!.weight})` : ''}/${c.halfLifeDays}`)).toEqual(
      [0, 30].flatMap((h) => ['als', 'ease', ...blends].map((name) => `${name}/${h}`)),
    );
    // Every ensemble's weights add up to 1 and name the families.
    for (const c of outcome.choices.filter((c) => c.algorithm === 'ensemble')) {
      expect(c.parts!.map((p) => p.algorithm)).toEqual(['als', 'ease']);
      expect(c.parts!.reduce((sum, p) => sum + p.weight, 0)).toBeCloseTo(1, 9);
    }
    // Served: the best, or an ensemble within the hold-out's noise of it (chooseOnHoldout, tested below).
    const best = outcome.choices.reduce((a, b) => (b.ndcgAt10 > a.ndcgAt10 ? b : a));
    const served = outcome.choices.find((c) => c.ndcgAt10 === outcome.metrics.ndcgAt10 && c.halfLifeDays === outcome.halfLifeDays)!;
    expect(served).toBeDefined();
    expect(outcome.model.algorithm).toBe(served.algorithm);
    if (served !== best) expect(served.algorithm).toBe('ensemble');
  });
});

describe('chooseOnHoldout', () => {
  // Per-user NDCG of 400 hold-out users; the single family's differs from the ensemble's by `lead` for every user
  // plus ±`noise` alternating between users (noise alone is no evidence of a better model).
  const users = Array.from({ length: 400 }, (_, i) => `u${i}`);
  const scored = (algorithm: 'als' | 'ensemble', lead = 0, noise = 0) => {
    const ndcgByUser = new Map(users.map((u, i) => [u, 0.3 + ((i * 37) % 10) / 100 + lead + (i % 2 ? noise : -noise)]));
    const ndcg = [...ndcgByUser.values()].reduce((s, x) => s + x, 0) / users.length;
    return { recipe: { algorithm }, metrics: { ndcg, precision: 0, recall: 0, map: 0, mapAtK: 0, users: users.length, ndcgByUser } };
  };

  it('keeps a single family that leads the best ensemble by more than the paired standard error', () => {
    const als = scored('als', 0.01, 0.001);
    const ensemble = scored('ensemble');
    expect(chooseOnHoldout([als, ensemble])).toBe(als);
  });

  it('prefers the ensemble when a single family leads it by no more than the noise', () => {
    const als = scored('als', 0.002, 0.2);
    const ensemble = scored('ensemble');
    expect(als.metrics.ndcg).toBeGreaterThan(ensemble.metrics.ndcg);
    expect(chooseOnHoldout([als, ensemble])).toBe(ensemble);
  });

  it('keeps the best when it is an ensemble, or when no ensemble was tried', () => {
    const als = scored('als');
    const ensemble = scored('ensemble', 0.01);
    expect(chooseOnHoldout([als, ensemble])).toBe(ensemble);
    expect(chooseOnHoldout([als])).toBe(als);
  });
});
