import { baseResolvers } from './base';
import { catalogResolvers } from './catalog';

export const resolvers = [baseResolvers, catalogResolvers];
