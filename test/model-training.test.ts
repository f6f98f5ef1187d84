// One training run as a pure computation: the served model is fitted on every interaction, not on the
// hold-out's training part that the evaluation used.
import { describe, expect, it } from 'vitest';
import { splitHoldout } from '../src/recommender/holdout';
import type { Interaction } from '../src/recommender/types';
import { trainAndEvaluate } from '../src/services/model-training';

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
