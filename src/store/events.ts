// Events, cart state and the outbox in Postgres: the durable half of the flywheel.
import type pg from 'pg';
import { prepare, preparedText, query, sql, type Database, type Sql } from './db';
import { MAX_ATTRIBUTION_WINDOW_HOURS } from '../domain/attribution';
import type { EventType, StoredEvent } from '../domain/events';
import { INVENTORY_CHANGED_TOPIC } from './inventory';
import type { OutboxMessage } from './outbox';
import { fromLeanRow, type LeanProductRow, type Product } from './products';

export const EVENTS_RECORDED_TOPIC = 'events.recorded';

/** What recordGroup did with each batch of a group, and the outbox message it wrote (to be handed to the relay). */
export interface RecordedGroup {
  batches: Array<{
    /** Ids of the batch that were new; the others were recorded before and have no second effect. */
    fresh: Set<string>;
    /** Events that name no catalog product or no campaign: the batch wrote nothing. */
    unknown: Array<{ index: number; field: 'productId' | 'campaignId'; ref: string }>;
  }>;
  /** The events' message first, then the stock alerts' (when purchases crossed a threshold or emptied a product). */
  outbox: OutboxMessage[];
}

/** Optional parts of the ingest statement: each costs a group of a few events ≈ 0.1 ms of Postgres CPU even when
 * it has nothing to do, so a group runs the variant with only the parts its events need. */
interface StatementParts {
  /** Cart changes: the group has ADD_TO_CART, REMOVE_FROM_CART or PURCHASE events. */
  cart: boolean;
  /** Stock taken by purchases: the group has PURCHASE events. */
  stock: boolean;
  /** The campaigns named exist: some event names a campaign. */
  campaigns: boolean;
}

/** The ingest statement of EventStore.recordGroup with the given parts. $1 is the group's events as JSON. */
function recordGroupText(parts: StatementParts): string {
  return `
      -- Ingest of a group of event batches: new events${parts.cart ? ', implied cart changes' : ''}${parts.stock ? ', stock taken by purchases' : ''}, outbox
      -- messages; each batch all or nothing.
      WITH input AS (
        SELECT * FROM ROWS FROM (json_to_recordset($1::json) AS (
          "req" int, "id" text, "type" text, "userId" text, "sessionId" text, "productId" text, "campaignId" text,
          "attributedCampaignId" text, "recommendationId" text, "quantity" int, "unitPrice" numeric, "occurredAt" float8
        )) WITH ORDINALITY AS i(req, id, type, user_id, session_id, product_id, campaign_id, attributed_campaign_id,
                                recommendation_id, quantity, unit_price, occurred_ms, ord)
      ),
      looked AS (
        -- Each event's product, looked up once by its key: whether it exists, and the catalog defaults. (Lookups
        -- in this statement are LATERAL … LIMIT 1, which stay index probes: its plan is made once per connection,
        -- and as joins or EXISTS it hashed whole tables on every statement, the cart table growing all along.)
        SELECT i.*, p.id IS NOT NULL AS known, p.category, p.price AS product_price
        FROM input i LEFT JOIN LATERAL (SELECT id, category, price FROM products WHERE id = i.product_id LIMIT 1) p ON true
      ),
      unknown AS (
        SELECT req, ord, 'productId' AS field, product_id AS ref FROM looked WHERE product_id IS NOT NULL AND NOT known${parts.campaigns ? `
        UNION ALL
        SELECT i.req, i.ord, 'campaignId', i.campaign_id
        FROM input i LEFT JOIN LATERAL (SELECT true AS present FROM campaigns WHERE id = i.campaign_id LIMIT 1) c ON true
        WHERE i.campaign_id IS NOT NULL AND c.present IS NULL` : ''}
      ),
      accepted AS (
        SELECT l.*, to_timestamp(l.occurred_ms / 1000) AS occurred_at, COALESCE(l.unit_price, l.product_price) AS price,
               ${parts.stock ? ATTRIBUTION : 'NULL::text'} AS credit
        FROM looked l
        WHERE NOT EXISTS (SELECT 1 FROM unknown u WHERE u.req = l.req)
      ),
      box_id AS (
        SELECT nextval('outbox_id_seq') AS id
      ),
      ins AS (
        INSERT INTO events (id, type, user_id, session_id, product_id, campaign_id, attributed_campaign_id,
                            recommendation_id, quantity, unit_price, occurred_at, outbox_id)
        SELECT a.id, type::"EventType", user_id, session_id, product_id, campaign_id, COALESCE(attributed_campaign_id, credit),
               recommendation_id, quantity, price, occurred_at, box_id.id
        FROM accepted a, box_id ORDER BY ord
        ON CONFLICT (id) DO NOTHING
        RETURNING id
      ),
      fresh AS (
        -- An id given twice is inserted once, from its first occurrence (rows go in in ord order).
        SELECT DISTINCT ON (a.id) a.* FROM accepted a JOIN ins USING (id) ORDER BY a.id, a.ord
      ),
${parts.cart ? CART_PART : ''}${parts.stock ? STOCK_PART : ''}      box AS (
        -- The message names its events by outbox_id rather than copying them (no JSON to build, compress, log,
        -- enqueue and keep in Redis for every event): the worker reads them by outbox id.
        INSERT INTO outbox (id, topic, payload)
        SELECT (SELECT id FROM box_id), '${EVENTS_RECORDED_TOPIC}', NULL
        WHERE EXISTS (SELECT 1 FROM fresh)
        RETURNING id
      )
      -- Rows of accepted batches that were not new (rare), so that the answer stays small.
      SELECT 'duplicate' AS kind, a.ord, a.id AS ref, NULL::json AS payload
      FROM accepted a WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.ord = a.ord)
      UNION ALL SELECT field, ord, ref, NULL FROM unknown
      UNION ALL SELECT 'outbox', NULL, id::text, NULL FROM box${parts.stock ? `\n      UNION ALL SELECT 'inventory', NULL, id::text, payload FROM inventory_box` : ''}`;
}

/**
 * Last-click attribution, an expression of the ingest statement's `accepted` CTE (`l` an input row): a PURCHASE
 * without campaignId is credited to the campaign its user clicked last, at or before the purchase, among clicks
 * still inside their own campaign's window: clicks recorded before, and clicks of the same batch. Clicks of
 * other batches of the group are not seen; a group never holds one a purchase would need (attributionApart in
 * services/ingest.ts). Decided once, at record time, and stored on the event, so live counters and recounts agree.
 */
const ATTRIBUTION = `CASE WHEN l.type = 'PURCHASE' AND l.campaign_id IS NULL THEN (
                 SELECT c.campaign_id FROM (
                   SELECT e.campaign_id, e.occurred_at AS at, 0 AS src FROM events e
                   WHERE e.type = 'CLICK' AND e.campaign_id IS NOT NULL AND e.user_id = l.user_id
                     AND e.occurred_at <= to_timestamp(l.occurred_ms / 1000)
                     AND e.occurred_at >= to_timestamp(l.occurred_ms / 1000) - interval '${MAX_ATTRIBUTION_WINDOW_HOURS} hours'
                   UNION ALL
                   SELECT j.campaign_id, to_timestamp(j.occurred_ms / 1000), 1 FROM input j
                   WHERE j.req = l.req AND j.type = 'CLICK' AND j.campaign_id IS NOT NULL AND j.user_id = l.user_id
                     AND j.occurred_ms <= l.occurred_ms
                 ) c
                 JOIN LATERAL (SELECT attribution_window_hours AS hours FROM campaigns WHERE id = c.campaign_id LIMIT 1) k ON true
                 WHERE c.at >= to_timestamp(l.occurred_ms / 1000) - make_interval(hours => k.hours)
                 ORDER BY c.at DESC, c.src
                 LIMIT 1)
               END`;

/** Cart changes: CTEs of the ingest statement, after `fresh` (the new events). */
const CART_PART = `
      cart_req AS (
        -- Net change per (user, product) in each batch. A batch that removes more than the cart holds and then
        -- adds again nets out differently from replaying one by one; carts clamp at 0 either way.
        SELECT req, user_id, product_id,
               sum(CASE type WHEN 'ADD_TO_CART' THEN quantity ELSE -quantity END)::int AS delta,
               bool_or(type = 'ADD_TO_CART') AS adds
        FROM fresh
        WHERE type IN ('ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE')
        GROUP BY req, user_id, product_id
      ),
      cart_delta AS (
        -- Batch after batch, q ← max(0, q + d) ends at max(q + Σd, 0, every suffix sum of the d's): the same as
        -- recording the batches one by one, in one row update (a row can be updated only once per statement).
        SELECT user_id, product_id, sum(delta)::int AS delta, GREATEST(0, max(suffix))::int AS floor, bool_or(adds) AS adds
        FROM (SELECT *, sum(delta) OVER (PARTITION BY user_id, product_id ORDER BY req DESC) AS suffix FROM cart_req) s
        GROUP BY user_id, product_id
      ),
      cart AS (
        -- In key order, so that concurrent statements lock cart rows in the same order (no deadlock).
        INSERT INTO cart_items AS c (user_id, product_id, quantity, updated_at)
        SELECT d.user_id, d.product_id, GREATEST(d.delta, d.floor), now()
        FROM cart_delta d LEFT JOIN LATERAL (
          SELECT true AS present FROM cart_items x WHERE x.user_id = d.user_id AND x.product_id = d.product_id LIMIT 1) x ON true
        WHERE d.adds OR x.present
        ORDER BY d.user_id, d.product_id
        ON CONFLICT (user_id, product_id) DO UPDATE
          SET quantity = (SELECT GREATEST(c.quantity + d2.delta, d2.floor) FROM cart_delta d2
                          WHERE d2.user_id = EXCLUDED.user_id AND d2.product_id = EXCLUDED.product_id),
              updated_at = now()
      ),
`;

/** Purchases take stock: CTEs of the ingest statement, after `fresh` (the new events). */
const STOCK_PART = `
      bought AS (
        -- Purchases take stock (the stock rules of services/stock-rules.ts, for purchases): in group order, each
        -- what it asks for down to 0 at most (the order system already sold it).
        SELECT ord, id AS event_id, user_id, product_id, quantity FROM fresh WHERE type = 'PURCHASE'
      ),
      locked AS (
        -- The purchased products, locked in id order so that concurrent writes cannot deadlock on them. FOR
        -- UPDATE waits for a concurrent write to commit and then reads the stock it left.
        SELECT p.id, p.stock, p.low_stock_threshold AS threshold FROM products p
        WHERE p.id IN (SELECT product_id FROM bought) ORDER BY p.id FOR UPDATE
      ),
      taken AS (
        -- Stock before and after each purchase: decreases that clamp at 0, so a running sum gives both.
        SELECT b.*, l.threshold,
               GREATEST(l.stock - (sum(b.quantity) OVER w - b.quantity), 0)::int AS before,
               GREATEST(l.stock - sum(b.quantity) OVER w, 0)::int AS after
        FROM bought b JOIN locked l ON l.id = b.product_id
        WINDOW w AS (PARTITION BY b.product_id ORDER BY b.ord)
      ),
      levels AS (
        UPDATE products p SET stock = t.after, updated_at = now()
        FROM (SELECT DISTINCT ON (product_id) product_id, after FROM taken ORDER BY product_id, ord DESC) t
        WHERE p.id = t.product_id
        RETURNING p.id
      ),
      ledger AS (
        -- Every purchase gets a ledger row, even one that found nothing left.
        INSERT INTO stock_movements (product_id, kind, delta, resulting_stock, reason, actor, event_id)
        SELECT product_id, 'PURCHASE', after - before, after, 'purchase of ' || quantity, user_id, event_id
        FROM taken ORDER BY ord
        RETURNING id
      ),
      alerts AS (
        -- Threshold crossings (stock-rules.ts crossings(); a purchase cannot bring stock back), in purchase order.
        INSERT INTO inventory_alerts (product_id, kind, stock, threshold, shortfall)
        SELECT product_id, kind::"InventoryAlertKind", after, threshold, shortfall FROM (
          SELECT ord, 1 AS k, product_id, 'LOW_STOCK' AS kind, after, threshold, 0 AS shortfall
          FROM taken WHERE before > threshold AND after <= threshold
          UNION ALL
          SELECT ord, 2, product_id, 'OUT_OF_STOCK', after, threshold, GREATEST(quantity - before, 0)
          FROM taken WHERE before > 0 AND after = 0
        ) x ORDER BY ord, k
        RETURNING id, product_id, kind, stock, threshold, shortfall, created_at
      ),
      inventory_box AS (
        -- The alerts and the products that ran out, announced (live alerts, recommendations), as
        -- InventoryStore.applyChanges announces them.
        INSERT INTO outbox (topic, payload)
        SELECT '${INVENTORY_CHANGED_TOPIC}', json_build_object(
          'alerts', COALESCE((SELECT json_agg(json_build_object('id', id::text, 'productId', product_id, 'kind', kind,
                      'stock', stock, 'threshold', threshold, 'shortfall', shortfall,
                      'createdAt', (extract(epoch FROM created_at) * 1000)::bigint) ORDER BY id) FROM alerts), '[]'::json),
          'availability', COALESCE((SELECT json_agg(json_build_object('productId', product_id, 'inStock', false) ORDER BY ord)
                      FROM taken WHERE before > 0 AND after = 0), '[]'::json))
        WHERE EXISTS (SELECT 1 FROM taken WHERE before > 0 AND after = 0) OR EXISTS (SELECT 1 FROM alerts)
        RETURNING id, payload
      ),
`;
const statements = new Map<number, ReturnType<typeof preparedText>>();

/** The ingest statement for a group: the variant with the parts its events need (built once per variant). */
function recordGroupStatement(batches: StoredEvent[][]): ReturnType<typeof preparedText> {
  const parts: StatementParts = { cart: false, stock: false, campaigns: false };
  for (const batch of batches) {
    for (const e of batch) {
      if (e.type === 'PURCHASE') parts.stock = parts.cart = true;
      else if (e.type === 'ADD_TO_CART' || e.type === 'REMOVE_FROM_CART') parts.cart = true;
      if (e.campaignId !== null) parts.campaigns = true;
    }
  }
  const key = Number(parts.cart) | (Number(parts.stock) << 1) | (Number(parts.campaigns) << 2);
  let statement = statements.get(key);
  if (!statement) statements.set(key, (statement = preparedText(recordGroupText(parts))));
  return statement;
}

interface OutboxEventRow {
  outbox_id: string;
  id: string;
  type: EventType;
  user_id: string;
  session_id: string | null;
  product_id: string | null;
  category: string | null;
  campaign_id: string | null;
  attributed_campaign_id: string | null;
  recommendation_id: string | null;
  quantity: number;
  unit_price: string | null;
  occurred_at: Date;
  recorded_ms: number;
}

/** Event rows (ordered by outbox id, then record order) as the messages that carried them. */
function groupByOutbox(rows: OutboxEventRow[]): Map<string, StoredEvent[]> {
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
      recordedAt: r.recorded_ms,
    });
    groups.set(key, list);
  }
  return groups;
}

export class EventStore {
  private readonly pool: pg.Pool;
  constructor(db: Database) {
    this.pool = db.pool;
  }

  /**
   * Records a group of batches (concurrent recordEvents calls, see services/group-commit.ts) in ONE statement, so
   * that it costs one round trip and is atomic: the events that are new (purchases credited to a campaign by last
   * click, see ATTRIBUTION), the cart changes they imply, the stock their purchases take (levels, ledger rows,
   * alerts; the purchased products are locked for the statement) and the outbox rows carrying all this to the
   * workers. Catalog defaults (unit price) are read in the same statement, so a product created a moment ago is
   * found and no lookup round trip is needed.
   *
   * Each batch is all or nothing on its own: a batch with an event naming no catalog product (or no campaign)
   * writes nothing and is reported, and the other batches of the group are written. The result is what running
   * the batches one after the other, in order, would give: an id repeated in a later batch (or later in the
   * same batch) is a duplicate there, and carts clamp at 0 batch by batch (see cart_delta).
   */
  async recordGroup(batches: StoredEvent[][], db: Sql = this.pool): Promise<RecordedGroup> {
    // One JSON parameter rather than an array per column: pg then serializes one string instead of twelve
    // values per event. Built field by field (no spread, times as epoch ms): this runs for every event.
    // unitPrice null means "the product's price"; category is read from the catalog by the statement.
    const input = JSON.stringify(
      batches.flatMap((batch, req) =>
        batch.map((e) => ({
          req,
          id: e.id,
          type: e.type,
          userId: e.userId,
          sessionId: e.sessionId ?? undefined,
          productId: e.productId ?? undefined,
          campaignId: e.campaignId ?? undefined,
          attributedCampaignId: e.attributedCampaignId ?? undefined,
          recommendationId: e.recommendationId ?? undefined,
          quantity: e.quantity,
          unitPrice: e.unitPrice ?? undefined,
          occurredAt: e.occurredAt,
        })),
      ),
    );
    const rows = await query<{ kind: string; ord: string | null; ref: string; payload: unknown }>(db, recordGroupStatement(batches).bind([input]));
    // ord numbers the events of the whole group from 1, batch after batch.
    const result: RecordedGroup = { batches: batches.map(() => ({ fresh: new Set(), unknown: [] })), outbox: [] };
    const duplicates = new Set<number>();
    const unknown: typeof rows = [];
    for (const r of rows) {
      if (r.kind === 'outbox') result.outbox.unshift({ id: r.ref, topic: EVENTS_RECORDED_TOPIC, payload: null });
      else if (r.kind === 'inventory') result.outbox.push({ id: r.ref, topic: INVENTORY_CHANGED_TOPIC, payload: r.payload });
      else if (r.kind === 'duplicate') duplicates.add(Number(r.ord));
      else unknown.push(r);
    }
    let ord = 0;
    const where: Array<{ req: number; index: number }> = [];
    batches.forEach((batch, req) => {
      const { fresh } = result.batches[req]!;
      batch.forEach((e, index) => {
        ord++;
        if (unknown.length) where[ord] = { req, index };
        if (!duplicates.has(ord)) fresh.add(e.id);
      });
    });
    for (const r of unknown) {
      const { req, index } = where[Number(r.ord)]!;
      result.batches[req]!.unknown.push({ index, field: r.kind as 'productId' | 'campaignId', ref: r.ref });
    }
    // A rejected batch wrote nothing: none of its ids is new.
    for (const b of result.batches) if (b.unknown.length) b.fresh.clear();
    return result;
  }

  async cart(userId: string): Promise<Array<{ productId: string; quantity: number }>> {
    const rows = await query<{ product_id: string; quantity: number }>(this.pool, prepare(sql`
      SELECT product_id, quantity FROM cart_items WHERE user_id = ${userId} AND quantity > 0 ORDER BY updated_at DESC`));
    return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
  }

  /**
   * Streams every event grouped by the outbox message (job) that carried it, in outbox order, a page of
   * groups at a time: replaying job by job lets a rebuild share the workers' applied-job markers.
   */
  async *scanByOutbox(groupsPerPage = 500): AsyncGenerator<Array<{ outboxId: string; events: StoredEvent[] }>> {
    let after = '0';
    for (;;) {
      const page = await query<{ outbox_id: string }>(this.pool, sql`
        -- One page of event groups for a feature rebuild, in outbox order.
        SELECT DISTINCT outbox_id FROM events WHERE outbox_id > ${after} ORDER BY outbox_id LIMIT ${groupsPerPage}`);
      if (!page.length) return;
      after = page.at(-1)!.outbox_id;
      yield [...(await this.byOutbox(page.map((r) => r.outbox_id)))].map(([outboxId, events]) => ({ outboxId, events }));
    }
  }

  /**
   * The events each of these outbox messages carries, in record order: what a worker applies for an
   * apply-events job (the message names its events by outbox_id). The category is the product's category when
   * read, as a feature rebuild reads it.
   */
  async byOutbox(outboxIds: string[], db: Sql = this.pool): Promise<Map<string, StoredEvent[]>> {
    const rows = await query<OutboxEventRow>(db, sql`
      SELECT e.outbox_id, e.id, e.type::text AS type, e.user_id, e.session_id, e.product_id, p.category, e.campaign_id,
             e.attributed_campaign_id, e.recommendation_id, e.quantity, e.unit_price::text, e.occurred_at,
             (extract(epoch FROM e.recorded_at) * 1000)::float8 AS recorded_ms
      FROM events e LEFT JOIN products p ON p.id = e.product_id
      WHERE e.outbox_id = ANY(${outboxIds}::bigint[])
      ORDER BY e.outbox_id, e.seq`);
    return groupByOutbox(rows);
  }

  /**
   * The catalog rows of `productIds` and `alsoIds` (in one round trip), and which of `productIds` the user may
   * still be recommended: in stock, never bought, and (optionally) never interacted with. Runs on every live
   * push: the rows are lean (price as float8, times as epoch ms, parsed far more cheaply than numeric and
   * timestamptz), and membership in `productIds` is checked here rather than by an `= ANY` per row.
   */
  async recommendable(
    userId: string | null,
    productIds: string[],
    excludeInteracted: boolean,
    alsoIds: string[] = [],
  ): Promise<{ allowed: Set<string>; products: Map<string, Product> }> {
    const ids = [...new Set([...productIds, ...alsoIds])];
    if (!ids.length) return { allowed: new Set(), products: new Map() };
    // Not a prepared statement: its generic plan cost Postgres twice the CPU of planning it each time (measured).
    const rows = await query<LeanProductRow & { ok: boolean }>(this.pool, sql`
      -- Candidate filter for recommendations: in stock, not purchased, not interacted with when asked; with the
      -- product rows the list shows (and names its reasons after), as lean rows (see LeanProductRow).
      SELECT p.id, p.name, p.category, p.price::float8 AS price, p.currency, p.stock, p.low_stock_threshold,
             (extract(epoch FROM p.created_at) * 1000)::float8 AS created_ms, (extract(epoch FROM p.updated_at) * 1000)::float8 AS updated_ms,
             p.stock > 0 AND (${userId}::text IS NULL OR NOT EXISTS (
               SELECT 1 FROM events e
               WHERE e.user_id = ${userId}::text AND e.product_id = p.id
                 AND (e.type = 'PURCHASE' OR (${excludeInteracted} AND e.type <> 'IMPRESSION')))) AS ok
      FROM products p
      WHERE p.id = ANY(${ids}::text[])`);
    const candidates = new Set(productIds);
    return {
      allowed: new Set(rows.filter((r) => r.ok && candidates.has(r.id)).map((r) => r.id)),
      products: new Map(rows.map((r) => [r.id, fromLeanRow(r)])),
    };
  }
}
