import { describe, expect, it } from 'vitest';
import { assignVariant, normalCdf, parseVariants, twoProportionPValue } from '../src/services/experiments';

describe('experiments', () => {
  it('assigns users stably and in proportion to the weights', () => {
    const exp = { id: 'exp1', createdAt: new Date(), variants: [{ name: 'a', weight: 3, model: 'active' }, { name: 'b', weight: 1, model: 'popularity' }] };
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 20_000; i++) counts[assignVariant(exp, `user-${i}`).name]!++;
    expect(counts.a! / 20_000).toBeCloseTo(0.75, 1);
    expect(assignVariant(exp, 'user-7').name).toBe(assignVariant(exp, 'user-7').name);
  });

  it('splits users whose ids differ only in their last characters, in every experiment', () => {
    // Sequential ids are what shops have; the variant must not depend on the id's common prefix.
    const variants = [{ name: 'a', weight: 1, model: 'active' }, { name: 'b', weight: 1, model: 'popularity' }];
    const lopsided = Array.from({ length: 200 }, (_, e) => ({ id: `exp${(1_764_000_000_000 + e * 7919).toString(36)}`, createdAt: new Date(), variants }))
      .filter((exp) => {
        const inA = Array.from({ length: 40 }, (_, u) => assignVariant(exp, `shop-4f2a-user${u}`).name).filter((n) => n === 'a').length;
        return inA < 8 || inA > 32;
      });
    expect(lopsided.map((exp) => exp.id)).toEqual([]);
  });

  it('computes the two-proportion z-test like a textbook', () => {
    // 200/1000 vs 150/1000: z ≈ 2.929, two-sided p ≈ 0.0034.
    expect(twoProportionPValue(200, 1000, 150, 1000)).toBeCloseTo(0.0034, 3);
    expect(twoProportionPValue(10, 100, 10, 100)).toBeCloseTo(1, 6);
    expect(twoProportionPValue(1, 0, 1, 10)).toBeNull();
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
  });

  it('rejects bad variant sets', () => {
    expect(() => parseVariants([])).toThrow(/between 1 and 10/);
    expect(() => parseVariants([{ name: 'x', weight: 1, model: 'active' }, { name: 'x', weight: 1, model: 'popularity' }])).toThrow(/repeats x/);
    expect(() => parseVariants([{ name: 'bad name', weight: 0, model: 'gpt' }])).toThrow(/variants\.0\.name/);
  });
});
