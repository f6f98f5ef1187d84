// RecommendationService's live computation (what a push after the first runs) with stand-ins for the API's
// caches that answer from memory, as the real ones do on a hit: no Postgres, Redis or platform processes.
// bench:ranking times it; bench:sessions scores it.
import { RecommendationService, type RecommendationList } from '../src/services/recommendations';
import type { NeighbourList, UserChange } from '../src/store/feature-store';
import type { Product } from '../src/store/products';

export type LiveRanking = (userId: string, limit: number, announced: UserChange) => Promise<RecommendationList>;

export function liveRanking(data: {
  /** The catalog, every product in stock. */
  products: Map<string, Product>;
  /** Each product's top neighbours (the FeatureCache's lists). */
  neighbours: Map<string, NeighbourList>;
  /** The most popular products → popularity, most popular first. */
  popular: Map<string, number>;
}): LiveRanking {
  const featureCache = {
    popular: async () => data.popular,
    neighbours: async (seeds: string[]) => new Map(seeds.flatMap((s) => (data.neighbours.has(s) ? [[s, data.neighbours.get(s)!] as const] : []))),
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
  const serving = { currentExperiment: async () => null, activeModel: async () => null };
  const service = new RecommendationService(
    {} as never,
    { cart: async () => [] } as never,
    {} as never,
    serving as never,
    {} as never,
    catalog as never,
    featureCache as never,
  );
  // The computation a push runs (private: the public paths around it read Redis or Postgres first).
  const compute = (service as unknown as { compute(a: unknown, live: unknown): Promise<RecommendationList> }).compute.bind(service);
  return (userId, limit, announced) =>
    compute({ userId, limit, productId: undefined, excludeInteracted: true }, { cart: async () => [], fromCache: true, announced });
}
