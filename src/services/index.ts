// Builds the domain services from the stores. Resolvers and workers see only this.
import { EventStore } from '../store/events';
import { FeatureStore } from '../store/feature-store';
import type { RedisKeys } from '../store/keys';
import type { PrismaClient } from '../store/prisma';
import { ProductStore } from '../store/products';
import type { PubSub } from '../store/pubsub';
import type { Redis } from '../store/redis';
import { CatalogService } from './catalog';
import { IngestService } from './ingest';
import { RecommendationService } from './recommendations';

export interface Services {
  catalog: CatalogService;
  ingest: IngestService;
  recommendations: RecommendationService;
}

export interface ServiceDeps {
  prisma: PrismaClient;
  redis: Redis;
  keys: RedisKeys;
  pubsub: PubSub;
  /** Called after a commit that wrote outbox rows. */
  onOutboxWritten: () => void;
}

export function createServices(deps: ServiceDeps): Services {
  const products = new ProductStore(deps.prisma);
  const events = new EventStore(deps.prisma);
  const features = new FeatureStore(deps.redis, deps.keys);
  return {
    catalog: new CatalogService(products),
    ingest: new IngestService(events, products, deps.onOutboxWritten),
    recommendations: new RecommendationService(features, events, products, deps.pubsub),
  };
}
