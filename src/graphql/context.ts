// What every resolver receives: who is asking, the services, and per-request loaders.
import DataLoader from 'dataloader';
import type { Viewer } from '../auth/tokens';
import type { Logger } from '../logger';
import type { Services } from '../services';
import type { Product } from '../store/products';

export interface Loaders {
  product: DataLoader<string, Product | null>;
  /** Batches within a tick but never caches: a live subscription's context lives as long as the subscription. */
  currentProduct: DataLoader<string, Product | null>;
}

export interface Context {
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  log: Logger;
}

/** Loaders live for one request (or one WebSocket operation) so that their cache never serves stale data for long. */
export function createLoaders(services: Services): Loaders {
  return {
    product: new DataLoader((ids) => services.catalog.productsByIds(ids), { maxBatchSize: 1000 }),
    currentProduct: new DataLoader((ids) => services.catalog.productsByIds(ids), { maxBatchSize: 1000, cache: false }),
  };
}

export function createContext(viewer: Viewer, services: Services, log: Logger): Context {
  return { viewer, services, loaders: createLoaders(services), log };
}
