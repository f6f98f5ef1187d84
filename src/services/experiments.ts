// A/B experiments: the rules (valid variant sets, stable assignment of users, a significance test) and the service
// that configures the experiment in force and reports its results.
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors';
import { hashUnit } from '../recommender/random';
import type { ExperimentCounts } from '../store/experiment-counts';
import { topics } from '../store/keys';
import type { Experiment, ModelStore, Variant } from '../store/models';
import type { PubSub } from '../store/pubsub';
import type { ModelServing } from './model-serving';
import { parseBatch } from './validation';

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

export function assignVariant(experiment: Experiment, userId: string): Variant {
  const total = experiment.variants.reduce((s, v) => s + v.weight, 0);
  // Stable across processes and releases (hashUnit), so a user stays in one variant.
  let x = hashUnit(`${experiment.id}:${userId}`) * total;
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

/** One variant's results: lists served (counted in Redis), clicks and purchases credited to its lists. */
export interface VariantResult {
  name: string;
  model: string;
  weight: number;
  listsServed: number;
  clicks: number;
  clickThroughRate: number;
  purchases: number;
  revenue: number;
  /** Two-proportion z-test of this variant's click-through against the first variant's. */
  pValue: number | null;
}

/** The A/B experiment in force: configured by an admin, served by every API instance, measured per variant. */
export class ExperimentService {
  constructor(
    private readonly store: ModelStore,
    private readonly counts: ExperimentCounts,
    private readonly pubsub: PubSub,
    /** This instance's serving state, switched before a change returns (the others follow the `models` message). */
    private readonly serving?: ModelServing,
  ) {}

  async configure(rawVariants: readonly unknown[]): Promise<Experiment> {
    const variants = parseVariants(rawVariants);
    for (const [index, v] of variants.entries()) {
      if (v.model.startsWith('mv_') && !(await this.store.version(v.model))) throw new NotFoundError(`Model version (variants.${index}.model)`, v.model);
    }
    const experiment = await this.store.saveExperiment(variants);
    // Read-your-writes: the admin's next request to this instance already sees the experiment, even before
    // this instance's own `models` message comes back from Redis.
    await this.serving?.refresh();
    await this.pubsub.publish(topics.models(), JSON.stringify({ experiment: experiment.id }));
    return experiment;
  }

  async results(): Promise<{ experiment: Experiment; variants: VariantResult[] } | null> {
    const experiment = await this.store.currentExperiment();
    if (!experiment) return null;
    const [outcomes, served] = await Promise.all([
      this.store.experimentOutcomes(experiment.id),
      this.counts.served(experiment.id),
    ]);
    const rows = experiment.variants.map((v) => {
      const o = outcomes.get(v.name) ?? { clicks: 0, purchases: 0, revenue: 0 };
      const listsServed = served.get(v.name) ?? 0;
      return { name: v.name, model: v.model, weight: v.weight, listsServed, ...o, clickThroughRate: listsServed ? o.clicks / listsServed : 0 };
    });
    const control = rows[0]!;
    return {
      experiment,
      variants: rows.map((r, i) => ({
        ...r,
        revenue: Math.round(r.revenue * 100) / 100,
        pValue: i === 0 ? null : twoProportionPValue(r.clicks, r.listsServed, control.clicks, control.listsServed),
      })),
    };
  }

  /** Counts a served list for its variant (for click-through rates). */
  async countServed(experimentId: string, variant: string): Promise<void> {
    await this.counts.countServed(experimentId, variant);
  }
}
