// Builds the domain services from the stores. Resolvers and workers see only this.
import { CampaignStore } from '../store/campaigns';
import { EventStore } from '../store/events';
import { FeatureStore } from '../store/feature-store';
import { InventoryStore } from '../store/inventory';
import { dependencyChecks } from '../store/health';
import { ExperimentCounts } from '../store/experiment-counts';
import { FeatureGenerationStore } from '../store/feature-generation';
import { KpiStore } from '../store/kpis';
import { ModelStore } from '../store/models';
import { OutboxStore, type OutboxMessage } from '../store/outbox';
import type { Queues } from '../store/queues';
import { trainModelJob } from '../jobs/train-model';
import { trainOnThread, type TrainingInput, type TrainingOutput } from './training-thread';
import type { Config } from '../config';
import type { RedisKeys } from '../store/keys';
import type { Database } from '../store/db';
import { FeatureCache } from '../store/feature-cache';
import { ListCache } from '../store/list-cache';
import { ProductCache } from '../store/product-cache';
import { ProductStore } from '../store/products';
import type { PubSub } from '../store/pubsub';
import type { Redis } from '../store/redis';
import { CampaignService } from './campaigns';
import { CatalogService } from './catalog';
import { IngestService } from './ingest';
import { ExperimentService } from './experiments';
import { ModelServing } from './model-serving';
import { ModelService } from './models';
import { TrainingService } from './training';
import { InventoryService } from './inventory';
import { NEIGHBOURS_PER_SEED, POPULAR_READ, RecommendationService } from './recommendations';
import { SalesService } from './sales';
import { SystemService } from './system';
import { UserDataService } from './user-data';
import { UserDataStore } from '../store/user-data';
import { UserErasureService } from './user-erasure';
import { UserErasureStore } from '../store/user-erasures';

export interface Services {
  campaigns: CampaignService;
  catalog: CatalogService;
  ingest: IngestService;
  inventory: InventoryService;
  models: ModelService;
  training: TrainingService;
  experiments: ExperimentService;
  /** This process's in-process catalog and stock view for live lists (started on first use; stop() on shutdown). */
  productCache: ProductCache;
  /** The models this process serves recommendations from (start() subscribes to model changes). */
  serving: ModelServing;
  recommendations: RecommendationService;
  sales: SalesService;
  system: SystemService;
  /** One shopper's data (export; issue 23). */
  userData: UserDataService;
  /** Erasing one shopper (issue 23). */
  userErasure: UserErasureService;
}

/** The kinds of live values computed once per process and shared by their subscribers. */
export type LiveSourceName = 'campaign_kpis' | 'sales_metrics';

export interface ServiceDeps {
  db: Database;
  redis: Redis;
  keys: RedisKeys;
  pubsub: PubSub;
  /** Given the outbox messages of each commit that wrote some, to enqueue at once (the relay's hand-off). */
  handOff: (messages: OutboxMessage[]) => void;
  /** Told what each accepted recordEvents call recorded (metrics). */
  onRecorded?: (result: { accepted: number; duplicates: number }) => void;
  /** Told of each computation of a shared live value (metrics): once per change notice and key in this process. */
  onLiveComputed?: (source: LiveSourceName) => void;
  /** Told how each `recommendations` query's list was served (metrics). */
  onListServed?: (path: 'kept' | 'computed') => void;
  queues?: Queues;
  /** How trainings are fitted. @default on a worker thread */
  fit?: (input: TrainingInput) => Promise<TrainingOutput>;
  config: Pick<Config, 'JWT_SECRET' | 'KPI_THROTTLE_MS' | 'LIVE_FEATURE_CACHE_MS' | 'RECOMMENDATION_CACHE_SECONDS' | 'TRAIN_ALGORITHM' | 'TRAIN_EVENT_WEIGHTS' | 'TRAIN_HALF_LIFE_DAYS' | 'TRAIN_MAX_USERS' | 'TRAIN_EVAL_USERS' | 'TRAIN_PROMOTION_TOLERANCE' | 'ROLE'>;
}

export function createServices(deps: ServiceDeps): Services {
  const { prisma } = deps.db;
  const products = new ProductStore(deps.db);
  const events = new EventStore(deps.db);
  const features = new FeatureStore(deps.redis, deps.keys);
  // Inventory transactions may write outbox rows (alerts): handed off after each commit.
  const inventory = new InventoryStore(deps.db, deps.handOff);
  const campaigns = new CampaignStore(prisma);
  const kpis = new KpiStore(deps.redis, deps.keys, deps.db);
  const modelStore = new ModelStore(prisma);
  const { config } = deps;
  const serving = new ModelServing(modelStore, deps.pubsub);
  const productCache = new ProductCache(products, deps.pubsub);
  const models = new ModelService(modelStore, deps.pubsub, { weights: config.TRAIN_EVENT_WEIGHTS, halfLifeDays: config.TRAIN_HALF_LIFE_DAYS });
  const training = new TrainingService(
    modelStore,
    deps.pubsub,
    {
      algorithm: config.TRAIN_ALGORITHM,
      weights: config.TRAIN_EVENT_WEIGHTS,
      halfLifeDays: config.TRAIN_HALF_LIFE_DAYS,
      maxUsers: config.TRAIN_MAX_USERS,
      evalUsers: config.TRAIN_EVAL_USERS,
      tolerance: config.TRAIN_PROMOTION_TOLERANCE,
    },
    async (runId) => {
      if (!deps.queues) throw new Error('this process cannot queue training (no queues)');
      await deps.queues.addBulk(trainModelJob, [{ jobId: runId, data: { runId } }]);
    },
    deps.fit ?? trainOnThread,
  );
  const live = (source: LiveSourceName) => ({ pubsub: deps.pubsub, minIntervalMs: config.KPI_THROTTLE_MS, onCompute: () => deps.onLiveComputed?.(source) });
  const experiments = new ExperimentService(modelStore, new ExperimentCounts(deps.redis, deps.keys), deps.pubsub, serving);
  // Versions are bumped at every commit even when this process keeps no lists: another API instance may.
  const listCache = new ListCache(deps.redis, deps.keys, config.RECOMMENDATION_CACHE_SECONDS);
  const lists = config.RECOMMENDATION_CACHE_SECONDS > 0 ? listCache : undefined;
  return {
    models,
    training,
    experiments,
    serving,
    productCache,
    campaigns: new CampaignService(campaigns, kpis, products, live('campaign_kpis')),
    catalog: new CatalogService(products, inventory, deps.pubsub),
    ingest: new IngestService(events, products, campaigns, deps.handOff, deps.onRecorded, listCache),
    inventory: new InventoryService(inventory, products, deps.pubsub),
    recommendations: new RecommendationService(
      features,
      events,
      deps.pubsub,
      serving,
      models,
      productCache,
      new FeatureCache(features, config.LIVE_FEATURE_CACHE_MS, NEIGHBOURS_PER_SEED, POPULAR_READ),
      experiments,
      lists,
      deps.onListServed,
    ),
    sales: new SalesService(kpis, products, live('sales_metrics')),
    userData: new UserDataService(new UserDataStore(prisma), features, serving),
    userErasure: new UserErasureService(new UserErasureStore(prisma, deps.redis, deps.keys), config.JWT_SECRET),
    system: new SystemService(dependencyChecks(deps.db, deps.redis), new OutboxStore(deps.db), deps.queues, config.ROLE, new FeatureGenerationStore(deps.redis, deps.keys)),
  };
}
