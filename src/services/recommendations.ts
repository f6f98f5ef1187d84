// Recommendation rules: candidates from co-occurrence with the user's recent items and cart and from what is
// touched next after them (sequential rules), a product-page bias, repeat visits of recent items (when asked),
// category affinity and time-decayed popularity; filters for stock, purchases and past interactions.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LiveQuery } from '../realtime/live-query';
import type { EventStore } from '../store/events';
import type { FeatureCache } from '../store/feature-cache';
import type { FeatureStore } from '../store/feature-store';
import type { KeptList, ListCache } from '../store/list-cache';
import { parseUserChange } from '../store/announcements';
import { neighbourList, type NeighbourList } from '../domain/neighbours';
import { FEATURES_REBUILT, topics } from '../store/keys';
import type { ProductCache } from '../store/product-cache';
import type { Product } from '../store/products';
import type { PubSub } from '../store/pubsub';
import { externalId } from './catalog';
import { LiveListState, NO_MODEL_PART, type LiveRead, type ModelPart } from './live-list';
import { assignVariant, listId } from './experiments';
import { CandidateBoard, ProductNumbers, type Candidate, type SeedKind } from '../domain/candidate-board';
import { dataCutoff, modelCandidates, unseenByModel } from './model-blend';
import type { ExperimentService } from './experiments';
import type { ModelServing } from './model-serving';
import type { ModelService } from './models';
import type { ModelVersion } from '../store/models';
import type { RecommenderModel } from '../recommender/types';
import { parseInput } from './validation';

export interface Recommendation {
  product: Product;
  score: number;
  reason: string;
}

export interface RecommendationList {
  id: string;
  userId: string;
  items: Recommendation[];
  model: string;
  /** The A/B variant the user is in, when an experiment runs. */
  variant: string | null;
  generatedAt: Date;
}

const recommendArgs = z.object({
  userId: externalId,
  limit: z.number().int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(10),
  productId: externalId.nullish(),
  excludeInteracted: z.boolean().default(true),
});
export type RecommendArgs = z.input<typeof recommendArgs>;

/** How strongly each seed pulls its neighbours. */
const SEED_WEIGHT = { productPage: 3, cart: 2, recent: 1 } as const;
/**
 * Recent items further back count less: weight 1/(1 + rank·RECENCY_FALLOFF). The next click follows the last
 * ones (bench:sessions on YOOCHOOSE, static, HR@20 / MRR@20 with everything else equal: 0.3 → 0.6878 / 0.3692,
 * 2 → 0.6933 / 0.3765).
 */
const RECENCY_FALLOFF = 2;
/** What is touched after a seed (sequential rules) next to what shares sessions with it, per unit of seed weight. */
const SEQUENTIAL_WEIGHT = 1;
/**
 * Seeds whose sequential rules are read: the product page and the latest items touched. bench:sessions scores 1, 3
 * and 5 alike (static, HR@20 / MRR@20: 0.6929 / 0.3769, 0.6933 / 0.3765, 0.6939 / 0.3761), but with one, a list
 * that coalesces a shopper's quick clicks showed little of the earlier ones (bench:latency could no longer find the
 * earlier click in 0.4–1.3 % of its pushes, against under 0.1 % with three).
 */
export const SEQUENTIAL_SEEDS = 3;
/**
 * With `excludeInteracted: false`, items the shopper touched compete too, with REPEAT_WEIGHT/(1 + rank·REPEAT_FALLOFF)
 * by recency: a third of next clicks on YOOCHOOSE go back to an item of the same session, a quarter to the
 * current one, so the last item leads (a seed's best neighbour brings 1 + SEQUENTIAL_WEIGHT at most).
 */
const REPEAT_WEIGHT = 3;
const REPEAT_FALLOFF = 4;
/** Popularity is a prior for users with history and the whole answer for users without (a filler next to a model). */
const POPULARITY_PRIOR = 0.05;
const CATEGORY_BOOST = 0.25;
/**
 * Recent items (and cart) used as seeds. With seeds falling off as 1/(1 + 2·rank), the ninth weighs 1/17 of the
 * first: bench:sessions scores 12, 8 and 5 seeds alike (static, HR@20 / MRR@20: 0.6933 / 0.3765, 0.6933 / 0.3765,
 * 0.6928 / 0.3766), and each seed is a neighbour list to read and rank on every live list.
 */
const MAX_SEEDS = 8;
/** Neighbours read per seed. */
export const NEIGHBOURS_PER_SEED = 50;
/** Most popular products read (the filler of every list, and the whole list for a shopper without history). */
export const POPULAR_READ = 200;

/** What a list is computed from, read one of two ways (exactInputs, cachedInputs). */
interface ListInputs {
  recent: string[];
  affinity: Map<string, number>;
  popular: Map<string, number>;
  /** The top popularity before any exclusion (0: take the top of `popular`). */
  popularTop: number;
  /** The user's exclusion set when it came whole (left out of candidates); null: left out already, or ask. */
  excluded: Set<string> | null;
  /** The seeds' neighbour lists (co-occurrence), and what is touched after `sequentialSeeds`. */
  neighbours(seeds: string[], sequentialSeeds: string[]): Promise<{ coOccurrence: Map<string, NeighbourList>; sequential: Map<string, NeighbourList> }>;
}

export class RecommendationService {
  /** Scratch space for ranking, reused by every list this instance computes (see CandidateBoard). */
  private readonly board = new CandidateBoard(new ProductNumbers());

  constructor(
    private readonly features: FeatureStore,
    private readonly events: EventStore,
    private readonly pubsub: PubSub,
    private readonly serving: ModelServing,
    private readonly models: ModelService,
    private readonly catalog: ProductCache,
    private readonly featureCache: FeatureCache,
    /** Counts served lists per A/B variant. @default not counted (tools that compute lists apart) */
    private readonly experiments?: ExperimentService,
    /** Lists kept for queries whose inputs did not change. @default none: every query computes */
    private readonly lists?: ListCache,
    /** Told how each query's list was served (metrics). */
    private readonly onServed?: (path: 'kept' | 'computed') => void,
  ) {}

  /** Which source serves this user: the experiment's variant, else the active model (with real-time candidates). */
  private async source(userId: string) {
    const experiment = await this.serving.currentExperiment();
    const variant = experiment ? assignVariant(experiment, userId) : null;
    const wanted = variant?.model ?? 'active';
    const model =
      wanted === 'active' ? await this.serving.activeModel() : wanted.startsWith('mv_') ? await this.serving.modelById(wanted) : null;
    return { experiment, variant, realtime: wanted !== 'popularity', model };
  }

  /**
   * The user's list: the one kept from an earlier query if its inputs did not change (store/list-cache.ts: the
   * user's version, the model or variant, the stock and catalog rows of its items), else computed and kept.
   */
  async recommend(raw: RecommendArgs): Promise<RecommendationList> {
    const args = parseInput(recommendArgs, raw, 'recommendations');
    if (!this.lists) {
      this.onServed?.('computed');
      return this.compute(args);
    }
    const source = await this.source(args.userId);
    const field = listField(args);
    // Without Redis the computation fails as well, with its own (retryable) error.
    const read = await this.lists.read(args.userId, field).catch(() => null);
    const kept = read && (await this.servedFromKept(args, read, source));
    this.onServed?.(kept ? 'kept' : 'computed');
    if (kept) return kept;
    const list = await this.compute(args, undefined, source);
    if (read) this.lists.keep(args.userId, field, keptOf(list, read.version, source)).catch(() => undefined);
    return list;
  }

  /** The kept list as served now, or null when it may not be (stale version or source, expired, an item gone). */
  private async servedFromKept(
    args: z.output<typeof recommendArgs>,
    { version, kept }: { version: number; kept: KeptList | null },
    source: ListSource,
  ): Promise<RecommendationList | null> {
    if (!kept || kept.v !== version || kept.source !== sourceKey(source) || Date.now() - kept.at > this.lists!.ttlSeconds * 1000) return null;
    await this.catalog.ready();
    const products = await this.catalog.get(kept.items.map((i) => i.id));
    if (kept.items.some((i) => !products.has(i.id) || !this.catalog.inStock(i.id))) return null;
    this.countServed(source);
    return {
      id: listId(source.experiment, source.variant, randomUUID()),
      userId: args.userId,
      items: kept.items.map((i) => ({ product: products.get(i.id)!, score: i.score, reason: i.reason })),
      model: kept.model,
      variant: kept.variant,
      generatedAt: new Date(kept.at),
    };
  }

  private countServed(source: ListSource): void {
    if (source.experiment && source.variant) {
      // Served lists are the denominator of each variant's click-through rate; a lost count only blurs it.
      this.experiments?.countServed(source.experiment.id, source.variant.name).catch(() => undefined);
    }
  }

  private async compute(args: z.output<typeof recommendArgs>, live?: LiveRead, given?: ListSource): Promise<RecommendationList> {
    const source = given ?? (await this.source(args.userId));
    // Round trips are the cost of a live list (one per event of the user). Queries and a subscription's first
    // list: one Redis script (the user's profile, the popular products and the neighbours of the likely seeds,
    // without excluded products) next to the cart and, with a model, the history it scores, from Postgres; then
    // one Postgres query for filters and product rows. Later live lists: the user's own state as the worker
    // announced it (else one Redis script), the shared reads (neighbours, popular products, product rows, stock)
    // from this process's caches.
    const cached = live?.fromCache ?? false;
    const [inputs, cart, modelPart] = await Promise.all([
      cached ? this.cachedInputs(args, live!) : this.exactInputs(args, source.realtime),
      live?.cart() ?? this.events.cart(args.userId),
      source.model ? this.modelPart(args.userId, source.model, live) : Promise.resolve(NO_MODEL_PART),
    ]);
    const { history: modelHistory, candidates: fromModel } = modelPart;
    const { recent, affinity, popular, excluded } = inputs;
    const seeds = new Map<string, { weight: number; kind: SeedKind }>();
    if (args.productId) seeds.set(args.productId, { weight: SEED_WEIGHT.productPage, kind: 'productPage' });
    for (const c of cart) if (!seeds.has(c.productId)) seeds.set(c.productId, { weight: SEED_WEIGHT.cart, kind: 'cart' });
    recent.forEach((p, rank) => {
      if (!seeds.has(p)) seeds.set(p, { weight: SEED_WEIGHT.recent / (1 + rank * RECENCY_FALLOFF), kind: 'recent' });
    });
    // A model that can score the shopper leads; co-occurrence then only adds the neighbours of what it has not seen.
    const realtimeSeed = source.model && fromModel.size ? unseenByModel(modelHistory, dataCutoff(source.model.version)) : () => true;
    const seedList = source.realtime ? [...seeds.entries()].filter(([p, s]) => s.kind === 'productPage' || realtimeSeed(p)).slice(0, MAX_SEEDS) : [];
    // What comes next is read for the product page and the latest items (not the cart: carted long ago, maybe).
    const sequentialSeeds = seedList.filter(([, s]) => s.kind !== 'cart').slice(0, SEQUENTIAL_SEEDS).map(([p]) => p);
    const { coOccurrence, sequential } = await inputs.neighbours(seedList.map(([p]) => p), sequentialSeeds);

    // Scored on numbered products (candidate-board.ts): no await from begin() to top().
    const board = this.board;
    const seedLists = seedList.flatMap(([seed, s]) => {
      const lists = [coOccurrence.get(seed), sequentialSeeds.includes(seed) ? sequential.get(seed) : undefined];
      return lists.flatMap((list, i) => (list && list.top ? [{ seed, ...s, weight: i ? s.weight * SEQUENTIAL_WEIGHT : s.weight, list }] : []));
    });
    // Repeat visits: the items the shopper touched, when they may be shown again (what the model saw too: a
    // repeat is about this visit, not the shopper's taste).
    const repeats = args.excludeInteracted || !source.realtime ? [] : recent.filter((p) => p !== args.productId);
    board.begin({ neighbours: seedLists.map((s) => s.list), popular, model: fromModel, also: repeats });
    // Seeds are what the shopper touched: left out unless asked for (the product page always).
    for (const [seed, s] of seeds) if (args.excludeInteracted || s.kind === 'productPage') board.exclude(seed);
    if (excluded) for (const p of excluded) board.exclude(p);
    // Normalised by the seed's top neighbour, also when the feature store left that one out.
    for (const { seed, weight, kind, list } of seedLists) board.addNeighbours(seed, kind, weight, list);
    repeats.forEach((p, rank) => board.addRepeat(p, REPEAT_WEIGHT / (1 + rank * REPEAT_FALLOFF)));
    for (const [item, score] of fromModel) board.addModel(item, score);
    const model = source.model && board.size
      ? `${source.model.version.algorithm}:${source.model.version.id}`
      : board.size ? 'co-occurrence' : 'popularity';
    // Popular products come most popular first: the first is the top, and once a list's worth of them were made
    // candidates of their own, the rest could not rank above those (they only lift existing candidates).
    const topPopularity = inputs.popularTop || (popular.values().next().value ?? 0);
    board.addPopular(popular, topPopularity, board.size ? POPULARITY_PRIOR : 1, overFetch(args.limit));

    // Over-fetch, then filter (stock, purchases, interactions) and rank with category affinity.
    const ranked = board.top(overFetch(args.limit));
    const rankedIds = ranked.map(([p]) => p);
    const seedIdList = seedList.map(([p]) => p);
    const { allowed, products: byId } = cached
      ? await this.filterFromCache(args, rankedIds, seedIdList, excluded)
      : await this.events.recommendable(args.userId, rankedIds, args.excludeInteracted, seedIdList);
    const keep = ranked.filter(([p]) => allowed.has(p) && p !== args.productId);
    const topAffinity = affinity.size ? Math.max(...affinity.values()) : 0;
    const scored: Array<{ product: Product; score: number; c: Candidate }> = [];
    for (const [id, c] of keep) {
      const product = byId.get(id);
      if (!product) continue;
      const boost = topAffinity ? 1 + CATEGORY_BOOST * ((affinity.get(product.category) ?? 0) / topAffinity) : 1;
      scored.push({ product, score: total(c, boost), c });
    }
    // Reasons are written for the listed items only.
    const items: Recommendation[] = scored
      // Ties by id in code-unit order: deterministic, and far cheaper than localeCompare's collation (ids are ASCII).
      .sort((a, b) => b.score - a.score || (a.product.id < b.product.id ? -1 : a.product.id > b.product.id ? 1 : 0))
      .slice(0, args.limit)
      .map(({ product, score, c }) => ({ product, score, reason: reasonFor(c, byId) }));
    this.countServed(source);
    return {
      id: listId(source.experiment, source.variant, randomUUID()),
      userId: args.userId,
      items,
      model,
      variant: source.variant?.name ?? null,
      generatedAt: new Date(),
    };
  }

  /** What an exact list reads (queries, a subscription's first list): excluded products already left out. */
  private async exactInputs(args: z.output<typeof recommendArgs>, realtime: boolean): Promise<ListInputs> {
    const profile = await this.features.userProfile(args.userId, {
      popular: POPULAR_READ,
      popularKeep: overFetch(args.limit),
      seeds: args.productId ? [args.productId] : [],
      maxSeeds: realtime ? MAX_SEEDS : 0,
      neighboursPerSeed: NEIGHBOURS_PER_SEED,
      sequentialSeeds: SEQUENTIAL_SEEDS,
      excludeInteracted: args.excludeInteracted,
    });
    return {
      ...profile,
      excluded: null,
      neighbours: async (seeds) => {
        // Cart items beyond the recent ones read with the profile need their neighbours read apart (rare:
        // carting is an interaction, so cart items are usually among the recent items).
        const missing = seeds.filter((p) => !profile.neighbours.has(p));
        const read = missing.length ? await this.features.neighbours(missing, NEIGHBOURS_PER_SEED) : new Map<string, Map<string, number>>();
        const lists = new Map<string, NeighbourList>();
        for (const p of seeds) {
          const map = profile.neighbours.get(p) ?? read.get(p);
          if (map) lists.set(p, neighbourList(map, profile.neighbourTops.get(p)));
        }
        return { coOccurrence: lists, sequential: profile.sequential };
      },
    };
  }

  /** The history the model scores and what it scores: for a query, read and scored; a live list reuses both for a
   * minute (LIVE_MODEL_HISTORY_MS): the same history gives the same scores, and scoring was most of a push's CPU. */
  private modelPart(userId: string, model: { version: ModelVersion; model: RecommenderModel }, live?: LiveRead): Promise<ModelPart> {
    const read = async (): Promise<ModelPart> => {
      const history = await this.models.history(userId, model.version);
      return { history, candidates: modelCandidates(model.model, history) };
    };
    return live ? live.modelPart(model.version.id, read) : read();
  }

  /** What a live list after its first reads: the user's announced state (else from Redis), shared reads from the
   * FeatureCache. */
  private async cachedInputs(args: z.output<typeof recommendArgs>, live: LiveRead): Promise<ListInputs> {
    const [state, popular] = await Promise.all([live.announced ?? this.features.userState(args.userId), this.featureCache.popular()]);
    return {
      recent: state.recent,
      affinity: state.affinity,
      excluded: args.excludeInteracted ? state.seen : state.bought,
      popular,
      popularTop: 0,
      neighbours: (seeds, sequentialSeeds) => this.featureCache.read({ coOccurrence: seeds, sequential: sequentialSeeds }),
    };
  }

  /**
   * The candidate filter of a live list after its first: excluded products were left out of the candidates when
   * the user's exclusion set came whole, else the ranked ones are checked against it in one round trip; stock
   * and product rows come from the ProductCache.
   */
  private async filterFromCache(
    args: z.output<typeof recommendArgs>,
    ids: string[],
    alsoIds: string[],
    known: Set<string> | null,
  ): Promise<{ allowed: Set<string>; products: Map<string, Product> }> {
    await this.catalog.ready();
    const [products, excluded] = await Promise.all([
      this.catalog.get([...ids, ...alsoIds]),
      known ?? this.features.excluded(args.userId, ids, args.excludeInteracted),
    ]);
    return { allowed: new Set(ids.filter((p) => products.has(p) && this.catalog.inStock(p) && !excluded.has(p))), products };
  }

  async similarProducts(rawProductId: string, rawLimit = 10): Promise<Recommendation[]> {
    const { productId, limit } = parseInput(
      z.object({ productId: externalId, limit: z.number().int().min(1).max(100, 'must be between 1 and 100') }),
      { productId: rawProductId, limit: rawLimit },
      'similarProducts',
    );
    const neighbours = (await this.features.neighbours([productId], limit * 3)).get(productId) ?? new Map<string, number>();
    const ids = [...neighbours.keys()];
    const { allowed, products: byId } = await this.events.recommendable(null, ids, false, [productId]);
    const seedName = byId.get(productId)?.name ?? productId;
    const top = neighbours.size ? Math.max(...neighbours.values()) : 1;
    return ids
      .filter((p) => allowed.has(p) && byId.has(p))
      .slice(0, limit)
      .map((p) => ({ product: byId.get(p)!, score: neighbours.get(p)! / top, reason: `Often chosen together with ${seedName}` }));
  }

  /** The user's list now, then a fresh one whenever that user's features (or the catalog for everyone) change. */
  live(raw: RecommendArgs, onError?: (err: unknown) => void): AsyncIterableIterator<RecommendationList> {
    const args = parseInput(recommendArgs, raw, 'recommendationsUpdated');
    // Workers announce the user's new state with the news (UserChange): the state (live-list.ts) keeps it for the
    // next list, with the cart read last time.
    const state = new LiveListState(() => this.events.cart(args.userId));
    // Loaded while the first list is computed from Postgres.
    this.catalog.ready().catch(() => undefined);
    return new LiveQuery<RecommendationList>({
      pubsub: this.pubsub,
      topics: [topics.userFeatures(args.userId), topics.allUsers()],
      compute: async () => {
        const read = state.next();
        const source = await this.source(args.userId);
        const list = await this.compute(args, read, source);
        state.listDelivered();
        // A push computed from the state the worker announced is what a query would compute now: kept for the
        // queries that follow (at the user's list version in that state; a user nobody asked a list of has none).
        const version = read.announced?.listVersion;
        if (this.lists && version != null) this.lists.keep(args.userId, listField(args), keptOf(list, version, source)).catch(() => undefined);
        return list;
      },
      // A stock-out matters only to lists that show the product; a restock may matter to anyone, so the lists that do
      // not show it are computed again within RESTOCK_SPREAD_MS, each at a random moment, not all in one burst.
      affects: (topic, message, last) => {
        if (topic !== topics.allUsers()) return state.onUserMessage(parseUserChange(message), message);
        if (message === FEATURES_REBUILT) {
          state.reset();
          return true;
        }
        const change = JSON.parse(message) as { productId: string; inStock: boolean };
        if (!last || last.items.some((i) => i.product.id === change.productId)) return true;
        return change.inStock && { afterMs: Math.random() * RESTOCK_SPREAD_MS };
      },
      // Announcements were missed: the next list reads everything again, as the first one did.
      onReconnect: () => state.reset(),
      onError,
    });
  }
}

type ListSource = Awaited<ReturnType<RecommendationService['source']>>;

/** A list's field among the user's kept lists: the arguments that make it another list. */
function listField(args: z.output<typeof recommendArgs>): string {
  return `${args.limit}|${args.excludeInteracted ? 1 : 0}|${args.productId ?? ''}`;
}

/** What is kept of `list`, computed at the user's list version `version` from `source`. */
function keptOf(list: RecommendationList, version: number, source: ListSource): KeptList {
  return {
    v: version,
    at: list.generatedAt.getTime(),
    source: sourceKey(source),
    model: list.model,
    variant: list.variant,
    items: list.items.map((i) => ({ id: i.product.id, score: i.score, reason: i.reason })),
  };
}

/** Which model or variant a list came from: a kept list is served only while it is still the one. */
function sourceKey(source: ListSource): string {
  return `${source.variant?.name ?? ''}|${source.model?.version.id ?? (source.realtime ? 'realtime' : 'popularity')}`;
}

/**
 * Over how long a restock spreads the recomputation of the live lists that do not show the product (issue 22): a
 * notice on the shared users' topic reaches every subscriber of the process at once, and computing all their lists
 * in one go would stall the event loop (≈ 0.3 ms each: 10,000 subscribers, 3 s).
 */
const RESTOCK_SPREAD_MS = 2000;

/** Candidates read and ranked for a list of `limit`: the filter removes some. */
function overFetch(limit: number): number {
  return limit * 4 + 20;
}

/** A candidate's score: the model's part as the model gave it, the real-time part lifted by category affinity. */
function total(c: Candidate, categoryBoost: number): number {
  return c.modelScore + c.score * categoryBoost;
}

function reasonFor(c: Candidate, products: Map<string, Product>): string {
  if (!c.seed) return c.fromModel ? 'Picked for you' : 'Popular right now';
  if (c.seedKind === 'repeat') return 'You looked at this recently';
  const name = products.get(c.seed)?.name ?? c.seed;
  switch (c.seedKind) {
    case 'productPage':
      return `Often chosen together with ${name}`;
    case 'cart':
      return `Goes with ${name} in your cart`;
    default:
      return `Viewed together with ${name}`;
  }
}
