// Last-click attribution: a PURCHASE without campaignId is credited to the campaign the same user clicked
// most recently, among clicks still inside their own campaign's attribution window. Pure.

export interface CampaignClick {
  userId: string;
  campaignId: string;
  at: number;
}

export interface AttributionCandidate {
  id: string;
  userId: string;
  at: number;
}

/** Returns event id → credited campaign id for the purchases that have one. */
export function attributePurchases(
  purchases: AttributionCandidate[],
  clicks: CampaignClick[],
  windowHours: Map<string, number>,
): Map<string, string> {
  const byUser = new Map<string, CampaignClick[]>();
  for (const c of clicks) {
    const list = byUser.get(c.userId) ?? [];
    list.push(c);
    byUser.set(c.userId, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => b.at - a.at);
  const credited = new Map<string, string>();
  for (const p of purchases) {
    const hit = byUser.get(p.userId)?.find((c) => {
      const window = windowHours.get(c.campaignId);
      return window !== undefined && c.at <= p.at && p.at - c.at <= window * 3600_000;
    });
    if (hit) credited.set(p.id, hit.campaignId);
  }
  return credited;
}

/** Longest window any campaign may have; bounds how far back clicks are looked up. */
export const MAX_ATTRIBUTION_WINDOW_HOURS = 24 * 90;
