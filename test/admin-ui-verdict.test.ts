// The A/B verdict the admin UI's Models page words for marketers (admin-ui/src/verdict.ts): pure, tested on numbers
// with known answers.
import { describe, expect, it } from 'vitest';
import { listsNeeded, verdict, type VariantRow } from '../admin-ui/src/verdict';

const row = (name: string, listsServed: number, clickThroughRate: number, pValue: number | null): VariantRow => ({
  name, model: name, weight: 1, listsServed, clicks: Math.round(listsServed * clickThroughRate), clickThroughRate, purchases: 0, revenue: 0, pValue,
});

describe('A/B verdict', () => {
  it('sizes a test as the textbook formula does', () => {
    // 10 % against 12 %: (1.96 + 0.8416)² × (0.09 + 0.1056) / 0.02² = 7.849 × 0.1956 / 0.0004 = 3,838.2…
    expect(listsNeeded(0.1, 0.12)).toBe(3839);
    expect(listsNeeded(0.1, 0.1)).toBeNull();
    // Above one click per list the rate is a count (Poisson variance): 1.2 against 1.5.
    expect(listsNeeded(1.2, 1.5)).toBe(Math.ceil((2.8016 ** 2 * 2.7) / 0.09));
  });

  it('names a significant winner with its lift, and a significant loser', () => {
    const base = row('model', 5000, 0.1, null);
    expect(verdict(row('b', 5000, 0.112, 0.01), base)).toEqual({ tone: 'green', text: 'b: +12 % clicks per list against model, significant at 95 %.' });
    expect(verdict(row('c', 5000, 0.08, 0.001), base).tone).toBe('red');
    expect(verdict(row('c', 5000, 0.08, 0.001), base).text).toBe('c: −20 % clicks per list against model, significant at 95 %.');
  });

  it('says how many more lists a difference needs, or that there is not enough data yet', () => {
    const base = row('model', 1000, 0.1, null);
    const text = verdict(row('b', 1000, 0.12, 0.2), base).text;
    expect(text).toBe('b: +20 % clicks per list against model, not significant yet (p = 0.20). About 2,839 more lists per variant are needed to tell a difference this size apart.');
    expect(verdict(row('b', 3, 0, null), row('model', 4, 0, null))).toEqual({ tone: 'grey', text: 'b: not enough data yet (3 lists each so far).' });
  });
});
