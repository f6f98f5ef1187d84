// A/B experiment rules: valid variant sets, stable assignment of users, and results with a significance test.
import { z } from 'zod';
import type { Experiment, Variant } from '../store/models';
import { parseBatch } from './validation';
import { ValidationError } from '../errors';

export const variantInput = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, - or _'),
  weight: z.number().finite().positive('must be positive'),
  model: z.string().regex(/^(active|popularity|co-occurrence|mv_[A-Za-z0-9_]+)$/, 'must be active, popularity, co-occurrence or a model version id'),
});

export function parseVariants(raw: readonly unknown[]): Variant[] {
  const variants = parseBatch(variantInput, raw, 'variants', { min: 1, max: 10 });
  const names = new Set<string>();
  variants.forEach((v, index) => {
    if (names.has(v.name)) throw new ValidationError([{ field: `variants.${index}.name`, index, message: `repeats ${v.name}` }]);
    names.add(v.name);
  });
  return variants;
}

/**
 * FNV-1a, then MurmurHash3's finaliser: stable across processes and releases, so a user stays in one variant.
 * FNV-1a alone leaves the top bits (which pick the variant) nearly equal for ids that differ only in their last
 * characters: 40 users `…-ab0` … `…-ab39` all landed in one of two even variants in 11 % of experiments.
 */
function hash01(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export function assignVariant(experiment: Experiment, userId: string): Variant {
  const total = experiment.variants.reduce((s, v) => s + v.weight, 0);
  let x = hash01(`${experiment.id}:${userId}`) * total;
  for (const v of experiment.variants) {
    x -= v.weight;
    if (x < 0) return v;
  }
  return experiment.variants.at(-1)!;
}

/** Two-sided p-value of a two-proportion z-test (pooled), or null when either side has no trials. */
export function twoProportionPValue(successesA: number, trialsA: number, successesB: number, trialsB: number): number | null {
  if (!trialsA || !trialsB) return null;
  const pooled = (successesA + successesB) / (trialsA + trialsB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB));
  if (se === 0) return 1;
  const z = (successesA / trialsA - successesB / trialsB) / se;
  return 2 * (1 - normalCdf(Math.abs(z)));
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** List ids carry the experiment and variant, so clicks and purchases can be credited without storing every list. */
export function listId(experiment: Experiment | null, variant: Variant | null, uuid: string): string {
  return experiment && variant ? `rl.${experiment.id}.${variant.name}.${uuid}` : `rl_${uuid}`;
}
