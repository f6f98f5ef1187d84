// Events, cart state and the outbox in Postgres: the durable half of the flywheel.
import type { Prisma, PrismaClient } from './prisma';
import { toProduct, type Product, type ProductRow } from './products';

export const EVENT_TYPES = ['VIEW', 'CLICK', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE', 'IMPRESSION'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as stored and as carried to the workers (occurredAt in epoch milliseconds). */
export interface StoredEvent {
  id: string;
  type: EventType;
  userId: string;
  sessionId: string | null;
  productId: string | null;
  /** Category of the product at record time, carried so the workers need not look it up. */
  category: string | null;
  campaignId: string | null;
  /** PURCHASE without campaignId: the campaign credited by last click at record time. */
  attributedCampaignId: string | null;
  recommendationId: string | null;
  quantity: number;
  unitPrice: number | null;
  occurredAt: number;
}

export const EVENTS_RECORDED_TOPIC = 'events.recorded';

export class EventStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records a batch in ONE statement (so it is atomic and costs one round trip): the events that are new,
   * the cart changes they imply and an outbox row carrying them to the workers. Returns the ids that were new;
   * the others were recorded before (idempotency by producer id) and have no second effect.
   */
  async recordBatch(events: StoredEvent[], db: PrismaClient | Prisma.TransactionClient = this.prisma): Promise<Set<string>> {
    // One JSON parameter rather than an array per column: Prisma and pg then serialize one string instead of
    // twelve values per event, which was a good part of the API's CPU per batch (bench:ingest).
    const input = JSON.stringify(events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })));
    const rows = await db.$queryRaw<Array<{ id: string }>>`
      -- Ingest of one event batch: new events, implied cart changes, one outbox message; all or nothing.
      WITH input AS (
        SELECT * FROM ROWS FROM (json_to_recordset(${input}::json) AS (
          "id" text, "type" text, "userId" text, "sessionId" text, "productId" text, "category" text, "campaignId" text,
          "attributedCampaignId" text, "recommendationId" text, "quantity" int, "unitPrice" numeric, "occurredAt" timestamptz
        )) WITH ORDINALITY AS i(id, type, user_id, session_id, product_id, category, campaign_id, attributed_campaign_id,
                                recommendation_id, quantity, unit_price, occurred_at, ord)
      ),
      box_id AS (
        SELECT nextval(pg_get_serial_sequence('outbox', 'id')) AS id
      ),
      ins AS (
        INSERT INTO events (id, type, user_id, session_id, product_id, campaign_id, attributed_campaign_id,
                            recommendation_id, quantity, unit_price, occurred_at, outbox_id)
        SELECT input.id, type::"EventType", user_id, session_id, product_id, campaign_id, attributed_campaign_id,
               recommendation_id, quantity, unit_price, occurred_at, box_id.id
        FROM input, box_id ORDER BY ord
        ON CONFLICT (id) DO NOTHING
        RETURNING id
      ),
      fresh AS (
        SELECT input.* FROM input JOIN ins USING (id)
      ),
      cart_delta AS (
        -- Net change per (user, product) in this batch. A batch that removes more than the cart holds and then
        -- adds again nets out differently from replaying one by one; carts clamp at 0 either way.
        SELECT user_id, product_id,
               sum(CASE type WHEN 'ADD_TO_CART' THEN quantity ELSE -quantity END)::int AS delta,
               bool_or(type = 'ADD_TO_CART') AS adds
        FROM fresh
        WHERE type IN ('ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE')
        GROUP BY user_id, product_id
      ),
      cart AS (
        INSERT INTO cart_items AS c (user_id, product_id, quantity, updated_at)
        SELECT d.user_id, d.product_id, GREATEST(d.delta, 0), now() FROM cart_delta d
        WHERE d.adds OR EXISTS (SELECT 1 FROM cart_items x WHERE x.user_id = d.user_id AND x.product_id = d.product_id)
        ON CONFLICT (user_id, product_id) DO UPDATE
          SET quantity = GREATEST(c.quantity + (SELECT delta FROM cart_delta d2
                                                 WHERE d2.user_id = EXCLUDED.user_id AND d2.product_id = EXCLUDED.product_id), 0),
              updated_at = now()
      ),
      box AS (
        INSERT INTO outbox (id, topic, payload)
        SELECT (SELECT id FROM box_id), ${EVENTS_RECORDED_TOPIC}, json_build_object('events', json_agg(json_build_object(
          'id', id, 'type', type, 'userId', user_id, 'sessionId', session_id, 'productId', product_id,
          'category', category, 'campaignId', campaign_id, 'attributedCampaignId', attributed_campaign_id,
          'recommendationId', recommendation_id,
          'quantity', quantity, 'unitPrice', unit_price,
          'occurredAt', (extract(epoch FROM occurred_at) * 1000)::bigint) ORDER BY ord))
        FROM fresh
        HAVING count(*) > 0
      )
      SELECT id FROM ins`;
    return new Set(rows.map((r) => r.id));
  }

  async cart(userId: string): Promise<Array<{ productId: string; quantity: number }>> {
    const rows = await this.prisma.$queryRaw<Array<{ product_id: string; quantity: number }>>`
      SELECT product_id, quantity FROM cart_items WHERE user_id = ${userId} AND quantity > 0 ORDER BY updated_at DESC`;
    return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
  }

  /**
   * Streams every event grouped by the outbox message (job) that carried it, in outbox order, a page of
   * groups at a time: replaying job by job lets a rebuild share the workers' applied-job markers.
   */
  async *scanByOutbox(groupsPerPage = 500): AsyncGenerator<Array<{ outboxId: string; events: StoredEvent[] }>> {
    let after = 0n;
    for (;;) {
      const rows = await this.prisma.$queryRaw<
        Array<{
          outbox_id: bigint; id: string; type: EventType; user_id: string; session_id: string | null; product_id: string | null;
          category: string | null; campaign_id: string | null; attributed_campaign_id: string | null;
          recommendation_id: string | null; quantity: number; unit_price: string | null; occurred_at: Date;
        }>
      >`
        -- One page of event groups for a feature rebuild, ordered by outbox id then record order.
        WITH page AS (
          SELECT DISTINCT outbox_id FROM events WHERE outbox_id > ${after} ORDER BY outbox_id LIMIT ${groupsPerPage}
        )
        SELECT e.outbox_id, e.id, e.type::text AS type, e.user_id, e.session_id, e.product_id, p.category, e.campaign_id,
               e.attributed_campaign_id, e.recommendation_id, e.quantity, e.unit_price::text, e.occurred_at
        FROM events e JOIN page USING (outbox_id) LEFT JOIN products p ON p.id = e.product_id
        ORDER BY e.outbox_id, e.seq`;
      if (!rows.length) return;
      after = rows.at(-1)!.outbox_id;
      const groups = new Map<string, StoredEvent[]>();
      for (const r of rows) {
        const key = String(r.outbox_id);
        const list = groups.get(key) ?? [];
        list.push({
          id: r.id,
          type: r.type,
          userId: r.user_id,
          sessionId: r.session_id,
          productId: r.product_id,
          category: r.category,
          campaignId: r.campaign_id,
          attributedCampaignId: r.attributed_campaign_id,
          recommendationId: r.recommendation_id,
          quantity: r.quantity,
          unitPrice: r.unit_price === null ? null : Number(r.unit_price),
          occurredAt: r.occurred_at.getTime(),
        });
        groups.set(key, list);
      }
      yield [...groups].map(([outboxId, events]) => ({ outboxId, events }));
    }
  }

  /** Campaign clicks of these users since `since` (for last-click attribution). */
  async campaignClicks(userIds: string[], since: Date): Promise<Array<{ userId: string; campaignId: string; at: number }>> {
    if (!userIds.length) return [];
    const rows = await this.prisma.$queryRaw<Array<{ user_id: string; campaign_id: string; occurred_at: Date }>>`
      SELECT user_id, campaign_id, occurred_at FROM events
      WHERE type = 'CLICK' AND campaign_id IS NOT NULL AND user_id = ANY(${userIds}::text[]) AND occurred_at >= ${since}`;
    return rows.map((r) => ({ userId: r.user_id, campaignId: r.campaign_id, at: r.occurred_at.getTime() }));
  }

  /**
   * The catalog rows of `productIds` and `alsoIds` (in one round trip), and which of `productIds` the user may
   * still be recommended: in stock, never bought, and (optionally) never interacted with.
   */
  async recommendable(
    userId: string | null,
    productIds: string[],
    excludeInteracted: boolean,
    alsoIds: string[] = [],
  ): Promise<{ allowed: Set<string>; products: Map<string, Product> }> {
    const ids = [...new Set([...productIds, ...alsoIds])];
    if (!ids.length) return { allowed: new Set(), products: new Map() };
    const rows = await this.prisma.$queryRaw<Array<ProductRow & { allowed: boolean }>>`
      -- Candidate filter for recommendations: stock > 0, not purchased, not interacted with when asked; with the
      -- product rows the list shows (and names its reasons after).
      SELECT p.*, p.id = ANY(${productIds}::text[]) AND p.stock > 0
        AND (${userId}::text IS NULL OR NOT EXISTS (
          SELECT 1 FROM events e
          WHERE e.user_id = ${userId}::text AND e.product_id = p.id
            AND (e.type = 'PURCHASE' OR (${excludeInteracted} AND e.type <> 'IMPRESSION')))) AS allowed
      FROM products p
      WHERE p.id = ANY(${ids}::text[])`;
    return {
      allowed: new Set(rows.filter((r) => r.allowed).map((r) => r.id)),
      products: new Map(rows.map((r) => [r.id, toProduct(r)])),
    };
  }
}
