// The A/B experiment's verdict in words, for marketers: which variant wins, by how much, and whether it can be told
// yet; when not, roughly how many more lists it takes. Click rates are clicks per list served (experimentResults).
import { int } from './format';
import type { ExperimentResults } from './graphql/models';

/** Variance of one list's clicks: a proportion's below one click per list, a count's (Poisson) at or above. */
const variance = (rate: number) => (rate < 1 ? rate * (1 - rate) : rate);

/**
 * Lists per variant that tell click rates `a` and `b` apart at 95 % confidence with 80 % power (the usual sample size
 * of a two-sided two-sample test: (1.96 + 0.84)² × (var a + var b) / (a − b)²); null when they are equal.
 */
export function listsNeeded(a: number, b: number): number | null {
  if (a === b) return null;
  return Math.ceil(((1.96 + 0.8416) ** 2 * (variance(a) + variance(b))) / (a - b) ** 2);
}

export type VariantRow = ExperimentResults['variants'][number];

/** The verdict on one variant against the first, in words. */
export function verdict(v: VariantRow, base: VariantRow): { tone: 'green' | 'red' | 'grey'; text: string } {
  const lift = base.clickThroughRate > 0 ? (v.clickThroughRate - base.clickThroughRate) / base.clickThroughRate : null;
  const change = lift === null ? 'a different click rate' : `${lift >= 0 ? '+' : '−'}${Math.abs(lift * 100).toFixed(0)} % clicks per list`;
  if (v.pValue !== null && v.pValue < 0.05) {
    return { tone: lift !== null && lift < 0 ? 'red' : 'green', text: `${v.name}: ${change} against ${base.name}, significant at 95 %.` };
  }
  const needed = listsNeeded(base.clickThroughRate, v.clickThroughRate);
  const have = Math.min(v.listsServed, base.listsServed);
  if (v.pValue === null || needed === null) {
    return { tone: 'grey', text: `${v.name}: not enough data yet (${int(have)} lists each so far).` };
  }
  const more = Math.max(0, needed - have);
  return {
    tone: 'grey',
    text: `${v.name}: ${change} against ${base.name}, not significant yet (p = ${v.pValue.toFixed(2)}). ${
      more > 0
        ? `About ${int(more)} more lists per variant are needed to tell a difference this size apart.`
        : 'With this many lists a real difference this size would have shown: no clear winner.'
    }`,
  };
}

