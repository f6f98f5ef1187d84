// One shopper's rows in Postgres, for the export of what the platform holds about them (issue 23, GDPR art. 15
// and 20). Admin data read rarely: Prisma, as the rest of the admin data (db.ts).
import type { PrismaClient } from './prisma';

export interface ExportedEvent {
  id: string;
  type: string;
  sessionId: string | null;
  productId: string | null;
  campaignId: string | null;
  attributedCampaignId: string | null;
  recommendationId: string | null;
  quantity: number;
  unitPrice: number | null;
  occurredAt: string;
  recordedAt: string;
}

export interface ExportedStockMovement {
  productId: string;
  delta: number;
  reason: string;
  eventId: string | null;
  at: string;
}

/** Events read per page of an export (a long history is streamed page by page). */
export const EXPORT_PAGE = 1000;

export class UserDataStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** The user's events in the order they were recorded, EXPORT_PAGE at a time after `afterSeq` (null: from the first). */
  async eventsPage(userId: string, afterSeq: bigint | null): Promise<{ events: ExportedEvent[]; lastSeq: bigint | null }> {
    const rows = await this.prisma.event.findMany({
      where: { userId, ...(afterSeq !== null ? { seq: { gt: afterSeq } } : {}) },
      orderBy: { seq: 'asc' },
      take: EXPORT_PAGE,
    });
    return {
      events: rows.map((r) => ({
        id: r.id,
        type: r.type,
        sessionId: r.sessionId,
        productId: r.productId,
        campaignId: r.campaignId,
        attributedCampaignId: r.attributedCampaignId,
        recommendationId: r.recommendationId,
        quantity: r.quantity,
        unitPrice: r.unitPrice === null ? null : Number(r.unitPrice.toString()),
        occurredAt: r.occurredAt.toISOString(),
        recordedAt: r.recordedAt.toISOString(),
      })),
      lastSeq: rows.at(-1)?.seq ?? null,
    };
  }

  async cart(userId: string): Promise<Array<{ productId: string; quantity: number }>> {
    const rows = await this.prisma.cartItem.findMany({ where: { userId }, orderBy: { productId: 'asc' } });
    return rows.map((r) => ({ productId: r.productId, quantity: r.quantity }));
  }

  /** The stock movements the user's purchases caused (the ledger names the purchase event). */
  async stockMovements(userId: string): Promise<ExportedStockMovement[]> {
    const purchases = await this.prisma.event.findMany({ where: { userId, type: 'PURCHASE' }, select: { id: true } });
    if (!purchases.length) return [];
    const rows = await this.prisma.stockMovement.findMany({ where: { eventId: { in: purchases.map((p) => p.id) } }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ productId: r.productId, delta: r.delta, reason: r.reason, eventId: r.eventId, at: r.createdAt.toISOString() }));
  }

  /** Per campaign: the user's events that named it, and the purchases credited to it by last click. */
  async campaigns(userId: string): Promise<Array<{ campaignId: string; events: number; attributedPurchases: number }>> {
    const [named, credited] = await Promise.all([
      this.prisma.event.groupBy({ by: ['campaignId'], where: { userId, campaignId: { not: null } }, _count: { _all: true } }),
      this.prisma.event.groupBy({ by: ['attributedCampaignId'], where: { userId, attributedCampaignId: { not: null } }, _count: { _all: true } }),
    ]);
    const out = new Map<string, { campaignId: string; events: number; attributedPurchases: number }>();
    const entry = (campaignId: string) => out.get(campaignId) ?? out.set(campaignId, { campaignId, events: 0, attributedPurchases: 0 }).get(campaignId)!;
    for (const r of named) entry(r.campaignId!).events = r._count._all;
    for (const r of credited) entry(r.attributedCampaignId!).attributedPurchases = r._count._all;
    return [...out.values()].sort((a, b) => (a.campaignId < b.campaignId ? -1 : 1));
  }
}
