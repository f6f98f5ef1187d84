import { baseResolvers } from './base';
import { campaignResolvers } from './campaigns';
import { catalogResolvers } from './catalog';
import { eventResolvers } from './events';
import { inventoryResolvers } from './inventory';
import { modelResolvers } from './models';
import { recommendationResolvers } from './recommendations';
import { privacyResolvers } from './privacy';
import { systemResolvers } from './system';

export const resolvers = [baseResolvers, campaignResolvers, catalogResolvers, eventResolvers, inventoryResolvers, modelResolvers, recommendationResolvers, systemResolvers, privacyResolvers];
