// Ingest rules: what a valid event is, batch limits, defaults taken from the catalog, idempotency by id.
import { z } from 'zod';
import { ValidationError } from '../errors';
import { EVENT_TYPES, type EventStore, type StoredEvent } from '../store/events';
import type { CampaignStore } from '../store/campaigns';
import type { InventoryStore } from '../store/inventory';
import type { ProductStore } from '../store/products';
import { attributePurchases, MAX_ATTRIBUTION_WINDOW_HOURS } from './attribution';
import type { StockChange } from './stock-rules';
import { externalId } from './catalog';
import { checkBatch } from './validation';

export const MAX_EVENT_BATCH = 1000;
/** Producers' clocks drift; more than this in the future is a bug, not drift. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const eventInput = z
  .object({
    id: externalId,
    type: z.enum(EVENT_TYPES),
    userId: externalId,
    sessionId: externalId.nullish(),
    productId: externalId.nullish(),
    campaignId: externalId.nullish(),
    recommendationId: z.string().min(1).max(128).nullish(),
    quantity: z.number().int().min(1, 'must be between 1 and 10000').max(10_000, 'must be between 1 and 10000').nullish(),
    unitPrice: z.number().finite().min(0, 'must not be negative').max(1e9).nullish(),
    occurredAt: z.date().nullish(),
  })
  .superRefine((e, ctx) => {
    if (e.type !== 'IMPRESSION' && !e.productId) {
      ctx.addIssue({ code: 'custom', path: ['productId'], message: `is required for ${e.type} events` });
    }
    if (e.occurredAt && e.occurredAt.getTime() > Date.now() + MAX_FUTURE_SKEW_MS) {
      ctx.addIssue({ code: 'custom', path: ['occurredAt'], message: 'must not be more than 5 minutes in the future' });
    }
  });

export interface RecordEventsResult {
  accepted: number;
  duplicates: number;
  /** Users with at least one new event. */
  users: string[];
}

export class IngestService {
  constructor(
    private readonly events: EventStore,
    private readonly products: ProductStore,
    private readonly inventory: InventoryStore,
    private readonly campaigns: CampaignStore,
    /** Told after every commit that wrote outbox rows (the relay). */
    private readonly onRecorded: () => void,
  ) {}

  async recordEvents(input: readonly unknown[]): Promise<RecordEventsResult> {
    // Every bad event is reported at once, shape errors and unknown products alike.
    const { valid, problems } = checkBatch(eventInput, input, 'events', { max: MAX_EVENT_BATCH });
    const productIds = [...new Set(valid.flatMap(({ value: e }) => (e.productId ? [e.productId] : [])))];
    const campaignIds = [...new Set(valid.flatMap(({ value: e }) => (e.campaignId ? [e.campaignId] : [])))];
    const [productRows, campaignRows] = await Promise.all([this.products.findByIds(productIds), this.campaigns.findByIds(campaignIds)]);
    const products = new Map(productRows.map((p) => [p.id, p]));
    const campaigns = new Map(campaignRows.map((c) => [c.id, c]));
    for (const { index, value: e } of valid) {
      if (e.productId && !products.has(e.productId)) {
        problems.push({ field: `events.${index}.productId`, index, message: `names no catalog product (${e.productId})` });
      }
      if (e.campaignId && !campaigns.has(e.campaignId)) {
        problems.push({ field: `events.${index}.campaignId`, index, message: `names no campaign (${e.campaignId})` });
      }
    }
    if (problems.length) throw new ValidationError(problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));
    const items = valid.map((v) => v.value);

    const now = Date.now();
    const rows: StoredEvent[] = items.map((e) => {
      const product = e.productId ? products.get(e.productId) : undefined;
      return {
        id: e.id,
        type: e.type,
        userId: e.userId,
        sessionId: e.sessionId ?? null,
        productId: e.productId ?? null,
        category: product?.category ?? null,
        campaignId: e.campaignId ?? null,
        attributedCampaignId: null,
        recommendationId: e.recommendationId ?? null,
        quantity: e.quantity ?? 1,
        unitPrice: e.unitPrice ?? product?.price ?? null,
        occurredAt: e.occurredAt?.getTime() ?? now,
      };
    });
    await this.attribute(rows);
    // Purchases take stock in the same transaction as their events; batches without purchases need no
    // transaction at all (one statement is atomic), which keeps the common path to one round trip.
    const fresh = rows.some((r) => r.type === 'PURCHASE')
      ? await this.inventory.transaction(async (tx) => {
          const ids = await this.events.recordBatch(rows, tx);
          const purchases: StockChange[] = rows
            .filter((r) => r.type === 'PURCHASE' && ids.has(r.id))
            .map((r) => ({ kind: 'PURCHASE', productId: r.productId!, quantity: r.quantity, actor: r.userId, eventId: r.id }));
          if (purchases.length) await this.inventory.applyChanges(tx, purchases);
          return ids;
        })
      : await this.events.recordBatch(rows);
    if (fresh.size) this.onRecorded();
    const users = [...new Set(rows.filter((r) => fresh.has(r.id)).map((r) => r.userId))];
    return { accepted: fresh.size, duplicates: rows.length - fresh.size, users };
  }

  /**
   * Credits purchases without campaignId by last click (earlier clicks in Postgres and in this batch), once,
   * at record time: the decision is stored on the event, so live counters and recounts agree forever.
   */
  private async attribute(rows: StoredEvent[]): Promise<void> {
    const purchases = rows.filter((r) => r.type === 'PURCHASE' && !r.campaignId);
    if (!purchases.length) return;
    const earliest = Math.min(...purchases.map((p) => p.occurredAt));
    const stored = await this.events.campaignClicks(
      [...new Set(purchases.map((p) => p.userId))],
      new Date(earliest - MAX_ATTRIBUTION_WINDOW_HOURS * 3600_000),
    );
    const inBatch = rows.flatMap((r) => (r.type === 'CLICK' && r.campaignId ? [{ userId: r.userId, campaignId: r.campaignId, at: r.occurredAt }] : []));
    const clicks = [...stored, ...inBatch];
    if (!clicks.length) return;
    const windows = new Map(
      (await this.campaigns.findByIds([...new Set(clicks.map((c) => c.campaignId))])).map((c) => [c.id, c.attributionWindowHours]),
    );
    const credited = attributePurchases(purchases.map((p) => ({ id: p.id, userId: p.userId, at: p.occurredAt })), clicks, windows);
    for (const p of purchases) p.attributedCampaignId = credited.get(p.id) ?? null;
  }

  /** For checks done before validation (who may record for whom). */
  static userIdsOf(input: readonly unknown[]): string[] {
    const ids = new Set<string>();
    for (const e of input) {
      const userId = (e as { userId?: unknown })?.userId;
      if (typeof userId === 'string') ids.add(userId);
    }
    return [...ids];
  }

}
