// Builds the domain services from the stores. Resolvers and workers see only this.
import { CampaignStore } from '../store/campaigns';
import { EventStore } from '../store/events';
import { FeatureStore } from '../store/feature-store';
import { InventoryStore } from '../store/inventory';
import { KpiStore } from '../store/kpis';
import type { RedisKeys } from '../store/keys';
import type { PrismaClient } from '../store/prisma';
import { ProductStore } from '../store/products';
import type { PubSub } from '../store/pubsub';
import type { Redis } from '../store/redis';
import { CampaignService } from './campaigns';
import { CatalogService } from './catalog';
import { IngestService } from './ingest';
import { InventoryService } from './inventory';
import { RecommendationService } from './recommendations';
import { SalesService } from './sales';

export interface Services {
  campaigns: CampaignService;
  catalog: CatalogService;
  ingest: IngestService;
  inventory: InventoryService;
  recommendations: RecommendationService;
  sales: SalesService;
}

export interface ServiceDeps {
  prisma: PrismaClient;
  redis: Redis;
  keys: RedisKeys;
  pubsub: PubSub;
  /** Called after a commit that wrote outbox rows. */
  onOutboxWritten: () => void;
  /** Least time between two pushes of one campaign's KPIs or of sales metrics (ms). */
  kpiThrottleMs: number;
}

export function createServices(deps: ServiceDeps): Services {
  const products = new ProductStore(deps.prisma);
  const events = new EventStore(deps.prisma);
  const features = new FeatureStore(deps.redis, deps.keys);
  // Inventory transactions may write outbox rows (alerts), so the relay is kicked after each commit.
  const inventory = new InventoryStore(deps.prisma, deps.onOutboxWritten);
  const campaigns = new CampaignStore(deps.prisma);
  const kpis = new KpiStore(deps.redis, deps.keys, deps.prisma);
  return {
    campaigns: new CampaignService(campaigns, kpis, products, deps.pubsub, deps.kpiThrottleMs),
    catalog: new CatalogService(products, inventory),
    ingest: new IngestService(events, products, inventory, campaigns, deps.onOutboxWritten),
    inventory: new InventoryService(inventory, products, deps.pubsub),
    recommendations: new RecommendationService(features, events, products, deps.pubsub),
    sales: new SalesService(kpis, products, deps.pubsub, deps.kpiThrottleMs),
  };
}
