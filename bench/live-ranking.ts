// RecommendationService's live computation (what a push after the first runs) with stand-ins for the API's
// caches that answer from memory, as the real ones do on a hit: no Postgres, Redis or platform processes.
// bench:ranking times it; bench:sessions scores it (with or without a trained model).
import type { RecommenderModel } from '../src/recommender/types';
import { RecommendationService, type RecommendationList } from '../src/services/recommendations';
import type { LiveRead } from '../src/services/live-list';
import type { UserChange } from '../src/store/announcements';
import type { NeighbourList } from '../src/domain/neighbours';
import type { ModelVersion } from '../src/store/models';
import type { Product } from '../src/store/products';

export type LiveRanking = (userId: string, limit: number, announced: UserChange, opts?: { excludeInteracted?: boolean }) => Promise<RecommendationList>;

/** A trained model as the API serves it, with each shopper's history as the model scores it. */
export interface ServedModel {
  version: ModelVersion;
  model: RecommenderModel;
  history(userId: string): Array<{ item: string; weight: number; lastAt: number }>;
}

export function liveRanking(data: {
  /** The catalog, every product in stock. */
  products: Map<string, Product>;
  /** Each product's top neighbours (the FeatureCache's lists). */
  neighbours: Map<string, NeighbourList>;
  /** What is touched after each product (sequential rules), likewise; none when absent. */
  sequential?: Map<string, NeighbourList>;
  /** The most popular products → popularity, most popular first. */
  popular: Map<string, number>;
  /** The active model; none when absent. */
  model?: ServedModel;
}): LiveRanking {
  const pick = (lists: Map<string, NeighbourList> | undefined, seeds: string[]) =>
    new Map(seeds.flatMap((s) => (lists?.has(s) ? [[s, lists.get(s)!] as const] : [])));
  const featureCache = {
    popular: async () => data.popular,
    read: async (asked: { coOccurrence: string[]; sequential: string[] }) => ({
      coOccurrence: pick(data.neighbours, asked.coOccurrence),
      sequential: pick(data.sequential, asked.sequential),
    }),
  };
  const catalog = {
    ready: async () => undefined,
    inStock: () => true,
    get: async (ids: Iterable<string>) => {
      const out = new Map<string, Product>();
      for (const p of ids) if (data.products.has(p)) out.set(p, data.products.get(p)!);
      return out;
    },
  };
  const served = data.model ? { version: data.model.version, model: data.model.model } : null;
  const serving = { currentExperiment: async () => null, activeModel: async () => served };
  const models = { history: async (userId: string) => data.model?.history(userId) ?? [] };
  const service = new RecommendationService(
    {} as never,
    { cart: async () => [] } as never,
    {} as never,
    serving as never,
    models as never,
    catalog as never,
    featureCache as never,
  );
  // The computation a push runs (private: the public paths around it read Redis or Postgres first).
  const compute = (service as unknown as { compute(a: unknown, live: unknown): Promise<RecommendationList> }).compute.bind(service);
  return (userId, limit, announced, opts) =>
    compute(
      { userId, limit, productId: undefined, excludeInteracted: opts?.excludeInteracted ?? true },
      {
        cart: async () => [],
        fromCache: true,
        announced,
        // The model's part read and scored for every list, as a `recommendations` query does (a live push reuses
        // it for LIVE_MODEL_HISTORY_MS).
        modelPart: (_versionId, read) => read(),
      } satisfies LiveRead,
    );
}
