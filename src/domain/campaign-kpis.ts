// Campaign KPI and sales counting rules, as a pure function over newly applied events.
import type { StoredEvent } from './events';

export interface KpiCounts {
  impressions: number;
  clicks: number;
  addToCarts: number;
  conversions: number;
  /** Integer cents, so that sums are exact. */
  revenueCents: number;
}

export const emptyCounts = (): KpiCounts => ({ impressions: 0, clicks: 0, addToCarts: 0, conversions: 0, revenueCents: 0 });

/** Revenue of a purchase in cents: quantity × unit price. */
export function revenueCents(e: Pick<StoredEvent, 'quantity' | 'unitPrice'>): number {
  return Math.round(e.quantity * (e.unitPrice ?? 0) * 100);
}

/** The campaign an event counts for: its own campaignId, or (purchases) the one credited by last click. */
export function campaignOf(e: StoredEvent): string | null {
  return e.campaignId ?? (e.type === 'PURCHASE' ? e.attributedCampaignId : null);
}

export function planKpiWrites(events: readonly StoredEvent[]): { campaigns: Map<string, KpiCounts>; sales: KpiCounts & { units: number } } {
  const campaigns = new Map<string, KpiCounts>();
  const sales = { ...emptyCounts(), units: 0 };
  for (const e of events) {
    if (e.type === 'PURCHASE') {
      sales.conversions += 1;
      sales.units += e.quantity;
      sales.revenueCents += revenueCents(e);
    }
    const campaignId = campaignOf(e);
    if (!campaignId) continue;
    const c = campaigns.get(campaignId) ?? emptyCounts();
    switch (e.type) {
      case 'IMPRESSION':
        c.impressions++;
        break;
      case 'CLICK':
        c.clicks++;
        break;
      case 'ADD_TO_CART':
        c.addToCarts++;
        break;
      case 'PURCHASE':
        c.conversions++;
        c.revenueCents += revenueCents(e);
        break;
      default:
        continue;
    }
    campaigns.set(campaignId, c);
  }
  return { campaigns, sales };
}

/** Counts with their rates: ctr = clicks / impressions, conversionRate = conversions / clicks, 0 without a denominator. */
export interface KpiFigures {
  impressions: number;
  clicks: number;
  ctr: number;
  addToCarts: number;
  conversions: number;
  conversionRate: number;
  revenue: number;
}

export interface CampaignKpis extends KpiFigures {
  campaignId: string;
  updatedAt: Date;
}

export function withRates(c: Omit<KpiFigures, 'ctr' | 'conversionRate'>): KpiFigures {
  return {
    impressions: c.impressions,
    clicks: c.clicks,
    ctr: c.impressions ? c.clicks / c.impressions : 0,
    addToCarts: c.addToCarts,
    conversions: c.conversions,
    conversionRate: c.clicks ? c.conversions / c.clicks : 0,
    revenue: c.revenue,
  };
}

export function toKpis(campaignId: string, c: KpiCounts, updatedAt: Date): CampaignKpis {
  return { campaignId, ...withRates({ ...c, revenue: c.revenueCents / 100 }), updatedAt };
}
