import { baseResolvers } from './base';
import { catalogResolvers } from './catalog';
import { eventResolvers } from './events';
import { inventoryResolvers } from './inventory';
import { recommendationResolvers } from './recommendations';

export const resolvers = [baseResolvers, catalogResolvers, eventResolvers, inventoryResolvers, recommendationResolvers];
