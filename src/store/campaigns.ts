// Campaign rows in Postgres.
import type { PrismaClient } from './prisma';

export type CampaignStatus = 'DRAFT' | 'ACTIVE' | 'PAUSED' | 'ENDED';

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  startsAt: Date;
  endsAt: Date;
  budget: number;
  attributionWindowHours: number;
  productIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type CampaignWrite = Omit<Campaign, 'createdAt' | 'updatedAt' | 'status'>;

function toCampaign(r: {
  id: string; name: string; status: CampaignStatus; startsAt: Date; endsAt: Date; budget: { toString(): string };
  attributionWindowHours: number; productIds: string[]; createdAt: Date; updatedAt: Date;
}): Campaign {
  return { ...r, budget: Number(r.budget.toString()) };
}

export class CampaignStore {
  constructor(private readonly prisma: PrismaClient) {}

  async create(c: CampaignWrite): Promise<Campaign> {
    return toCampaign(await this.prisma.campaign.create({ data: { ...c, status: 'DRAFT' } }));
  }

  async update(id: string, patch: Partial<CampaignWrite> & { status?: CampaignStatus }): Promise<Campaign | null> {
    const result = await this.prisma.campaign.updateManyAndReturn({ where: { id }, data: patch });
    return result[0] ? toCampaign(result[0]) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Campaign[]> {
    if (!ids.length) return [];
    return (await this.prisma.campaign.findMany({ where: { id: { in: [...ids] } } })).map(toCampaign);
  }

  async list(opts: { limit: number; afterId?: string; status?: CampaignStatus }): Promise<Campaign[]> {
    const rows = await this.prisma.campaign.findMany({
      where: { ...(opts.afterId ? { id: { gt: opts.afterId } } : {}), ...(opts.status ? { status: opts.status } : {}) },
      orderBy: { id: 'asc' },
      take: opts.limit,
    });
    return rows.map(toCampaign);
  }
}
