// Builds the domain services from the stores. Resolvers and workers see only this.
import type { PrismaClient } from '../store/prisma';
import { ProductStore } from '../store/products';
import { CatalogService } from './catalog';

export interface Services {
  catalog: CatalogService;
}

export function createServices(deps: { prisma: PrismaClient }): Services {
  return {
    catalog: new CatalogService(new ProductStore(deps.prisma)),
  };
}
