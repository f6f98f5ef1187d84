// The ingest statement: one SQL statement that records a group of recordEvents calls (services/group-commit.ts)
// with everything they imply: the new events (purchases credited by last click), the cart changes, the stock their
// purchases take (levels, ledger rows, alerts) and the outbox rows that carry all this to the workers. Built from
// parts, a variant per mix of event types, each prepared once. EventStore.recordGroup (events.ts) runs it.
import { MAX_ATTRIBUTION_WINDOW_HOURS } from '../domain/attribution';
import type { StoredEvent } from '../domain/events';
import { preparedText } from './db';
import { EVENTS_RECORDED_TOPIC, INVENTORY_CHANGED_TOPIC } from './outbox';

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
        -- Purchases take stock (the stock rules of domain/stock-rules.ts, for purchases): in group order, each
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
export function recordGroupStatement(batches: StoredEvent[][]): ReturnType<typeof preparedText> {
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

