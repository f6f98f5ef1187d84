// Stock levels, the stock movement ledger and inventory alerts in Postgres. Changes are applied to rows
// locked FOR UPDATE (in id order, so concurrent batches cannot deadlock), with the rules of domain/stock-rules.ts.
import { planStockChanges, type InventoryAlertKind, type StockChange, type StockLevel, type StockPlan } from '../domain/stock-rules';
import type pg from 'pg';
import { prepare, query, sql, transaction, type Database } from './db';
import { INVENTORY_CHANGED_TOPIC, type OutboxMessage } from './outbox';

export interface StoredAlert {
  id: string;
  productId: string;
  kind: InventoryAlertKind;
  stock: number;
  threshold: number;
  shortfall: number;
  createdAt: Date;
}

export interface StoredMovement {
  id: string;
  productId: string;
  kind: string;
  delta: number;
  resultingStock: number;
  reason: string;
  actor: string;
  eventId: string | null;
  createdAt: Date;
}

interface AlertRow {
  /** bigint: a string from `pg`. */
  id: string;
  product_id: string;
  kind: InventoryAlertKind;
  stock: number;
  threshold: number;
  shortfall: number;
  created_at: Date;
}

function toAlert(r: AlertRow): StoredAlert {
  return { id: String(r.id), productId: r.product_id, kind: r.kind, stock: r.stock, threshold: r.threshold, shortfall: r.shortfall, createdAt: r.created_at };
}

export class InventoryStore {
  private readonly pool: pg.Pool;
  /** Outbox messages written by applyChanges in each open transaction of this store, for handing off at commit. */
  private readonly written = new WeakMap<pg.PoolClient, OutboxMessage[]>();

  constructor(
    db: Database,
    /** Given the outbox messages of each committed transaction, to enqueue at once (the relay). */
    private readonly handOff: (messages: OutboxMessage[]) => void = () => undefined,
  ) {
    this.pool = db.pool;
  }

  /**
   * Runs `fn` in one transaction (for callers that combine inventory changes with other writes), retried when
   * Postgres picks it as a deadlock victim: batches touching the same carts in another order can cross.
   */
  async transaction<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    let messages: OutboxMessage[] = [];
    const result = await transaction(this.pool, async (tx) => {
      messages = [];
      this.written.set(tx, messages);
      try {
        return await fn(tx);
      } finally {
        this.written.delete(tx);
      }
    });
    if (messages.length) this.handOff(messages);
    return result;
  }

  /**
   * Locks the products, plans the changes with the stock rules and writes levels, ledger rows, alerts and an
   * outbox message (for live alerts and recommendations) in `db`, which must be a transaction of this store's
   * transaction() (which hands the message to the relay once it commits).
   */
  async applyChanges(db: pg.PoolClient, changes: StockChange[]): Promise<{ plan: StockPlan; alerts: StoredAlert[] }> {
    const ids = [...new Set(changes.map((c) => c.productId))].sort();
    const rows = await query<{ id: string; stock: number; low_stock_threshold: number }>(db, prepare(sql`
      SELECT id, stock, low_stock_threshold FROM products WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`));
    const levels = new Map<string, StockLevel>(rows.map((r) => [r.id, { productId: r.id, stock: r.stock, threshold: r.low_stock_threshold }]));
    const plan = planStockChanges(levels, changes);
    const touched = [...plan.levels.values()];
    const m = plan.movements;
    const a = plan.alerts;
    const inserted = await query<AlertRow>(db, prepare(sql`
      -- Writes a planned stock change: new levels, ledger rows, alert rows, and one outbox message announcing them.
      WITH levels AS (
        UPDATE products p SET stock = l.stock, low_stock_threshold = l.threshold, updated_at = now()
        FROM unnest(${touched.map((l) => l.productId)}::text[], ${touched.map((l) => l.stock)}::int[],
                    ${touched.map((l) => l.threshold)}::int[]) AS l(id, stock, threshold)
        WHERE p.id = l.id
        RETURNING p.id
      ),
      ledger AS (
        INSERT INTO stock_movements (product_id, kind, delta, resulting_stock, reason, actor, event_id)
        SELECT * FROM unnest(${m.map((x) => x.productId)}::text[], ${m.map((x) => x.kind)}::"StockMovementKind"[],
                             ${m.map((x) => x.delta)}::int[], ${m.map((x) => x.resultingStock)}::int[],
                             ${m.map((x) => x.reason)}::text[], ${m.map((x) => x.actor)}::text[], ${m.map((x) => x.eventId)}::text[])
        RETURNING id
      )
      INSERT INTO inventory_alerts (product_id, kind, stock, threshold, shortfall)
      SELECT * FROM unnest(${a.map((x) => x.productId)}::text[], ${a.map((x) => x.kind)}::"InventoryAlertKind"[],
                           ${a.map((x) => x.stock)}::int[], ${a.map((x) => x.threshold)}::int[], ${a.map((x) => x.shortfall)}::int[])
      RETURNING id, product_id, kind, stock, threshold, shortfall, created_at`));
    const alerts = inserted.map(toAlert).sort((x, y) => Number(x.id) - Number(y.id));
    if (alerts.length || plan.availability.length) {
      const payload = {
        alerts: alerts.map((x) => ({ ...x, createdAt: x.createdAt.getTime() })),
        availability: plan.availability,
      };
      const [box] = await query<{ id: string }>(db, sql`
        INSERT INTO outbox (topic, payload) VALUES (${INVENTORY_CHANGED_TOPIC}, ${JSON.stringify(payload)}::json) RETURNING id`);
      this.written.get(db)?.push({ id: box!.id, topic: INVENTORY_CHANGED_TOPIC, payload });
    }
    return { plan, alerts };
  }

  async alerts(opts: { limit: number; beforeId?: string; kind?: InventoryAlertKind }): Promise<StoredAlert[]> {
    const rows = await query<AlertRow>(this.pool, sql`
      SELECT id, product_id, kind, stock, threshold, shortfall, created_at FROM inventory_alerts
      WHERE (${opts.beforeId ?? null}::bigint IS NULL OR id < ${opts.beforeId ?? null}::bigint)
        AND (${opts.kind ?? null}::text IS NULL OR kind::text = ${opts.kind ?? null}::text)
      ORDER BY id DESC LIMIT ${opts.limit}`);
    return rows.map(toAlert);
  }

  /**
   * When each of these alerts was resolved: the first stock movement of its product after the statement that raised
   * it (its movements share the alert's created_at, the statement's now()) that left the stock above the alert's
   * threshold. Alerts not resolved yet, and BACK_IN_STOCK alerts (news, not problems), are absent.
   */
  async resolutions(alertIds: string[]): Promise<Map<string, Date>> {
    if (!alertIds.length) return new Map();
    const rows = await query<{ id: string; resolved_at: Date }>(this.pool, sql`
      -- Resolution time of each alert: the product's first movement above the threshold after the raising statement.
      SELECT a.id, r.created_at AS resolved_at
      FROM inventory_alerts a
      CROSS JOIN LATERAL (
        SELECT max(m.id) AS id FROM stock_movements m WHERE m.product_id = a.product_id AND m.created_at = a.created_at
      ) raised
      CROSS JOIN LATERAL (
        SELECT m.created_at FROM stock_movements m
        -- A threshold change raises an alert without a movement: then the first movement after it in time.
        WHERE m.product_id = a.product_id AND m.resulting_stock > a.threshold
          AND (m.id > raised.id OR (raised.id IS NULL AND m.created_at > a.created_at))
        ORDER BY m.id LIMIT 1
      ) r
      WHERE a.id = ANY(${alertIds}::bigint[]) AND a.kind <> 'BACK_IN_STOCK'`);
    return new Map(rows.map((r) => [String(r.id), r.resolved_at]));
  }

  async movements(productId: string, opts: { limit: number; beforeId?: string }): Promise<StoredMovement[]> {
    const rows = await query<
      { id: string; product_id: string; kind: string; delta: number; resulting_stock: number; reason: string; actor: string; event_id: string | null; created_at: Date }
    >(this.pool, sql`SELECT id, product_id, kind::text, delta, resulting_stock, reason, actor, event_id, created_at FROM stock_movements
      WHERE product_id = ${productId} AND (${opts.beforeId ?? null}::bigint IS NULL OR id < ${opts.beforeId ?? null}::bigint)
      ORDER BY id DESC LIMIT ${opts.limit}`);
    return rows.map((r) => ({
      id: String(r.id), productId: r.product_id, kind: r.kind, delta: r.delta, resultingStock: r.resulting_stock,
      reason: r.reason, actor: r.actor, eventId: r.event_id, createdAt: r.created_at,
    }));
  }
}
