// Events and cart state in Postgres, the durable half of the flywheel: a group of events recorded (the statement is
// ingest-statement.ts), and the reads of events (by outbox message, for workers and rebuilds), carts and candidates.
import type pg from 'pg';
import { prepare, query, sql, type Database, type Sql } from './db';
import type { EventType, StoredEvent } from '../domain/events';
import { recordGroupStatement } from './ingest-statement';
import { EVENTS_RECORDED_TOPIC, INVENTORY_CHANGED_TOPIC, type OutboxMessage } from './outbox';
import { fromLeanRow, type LeanProductRow, type Product } from './products';

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
