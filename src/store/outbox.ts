// The outbox table. Writers hand their rows to BullMQ right after commit and mark them sent (markSent); relays
// claim what was left behind (a crash, Redis down) with SKIP LOCKED, so several processes can relay at once.
import type pg from 'pg';
import { prepare, query, sql, transaction, type Database } from './db';

/** Topic of the message the ingest statement writes with each group's events (its job applies them). */
export const EVENTS_RECORDED_TOPIC = 'events.recorded';
/** Topic of a message of inventory alerts and stock-outs/restocks to announce. */
export const INVENTORY_CHANGED_TOPIC = 'inventory.changed';

export interface OutboxMessage {
  id: string;
  topic: string;
  /** null for an events.recorded message: its events are the events rows with this outbox_id. */
  payload: unknown;
}

export class OutboxStore {
  private readonly pool: pg.Pool;
  constructor(db: Database) {
    this.pool = db.pool;
  }

  /**
   * Claims up to `limit` unsent messages, marks them sent, hands them to `deliver`, and commits, in one
   * transaction: if `deliver` throws (Redis down) the transaction rolls back, so nothing is marked and the rows
   * stay for the next attempt; if the process dies after delivering but before commit, the next relay delivers
   * again with the same job ids. Claiming and marking are one statement. Rows younger than `minAgeMs` are left
   * to the writer that is handing them off.
   */
  async relayBatch(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>, minAgeMs = 0): Promise<number> {
    return transaction(this.pool, async (tx) => {
      const rows = await query<{ id: string; topic: string; payload: unknown }>(tx, prepare(sql`
        -- Claim (skipping rows another relay holds) and mark sent; the mark stands only if this transaction commits.
        UPDATE outbox o SET sent_at = now()
        FROM (SELECT id FROM outbox
              WHERE sent_at IS NULL AND created_at <= now() - make_interval(secs => ${minAgeMs / 1000}::float8)
              ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED) claimed
        WHERE o.id = claimed.id
        RETURNING o.id, o.topic, o.payload`));
      if (!rows.length) return 0;
      // RETURNING follows no particular order; jobs are enqueued in outbox order (ids are bigint, as strings).
      rows.sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await deliver(rows.map((r) => ({ id: r.id, topic: r.topic, payload: r.payload })));
      return rows.length;
    });
  }

  /** Marks messages that their writer delivered. */
  async markSent(ids: string[]): Promise<void> {
    await this.pool.query(prepare(sql`
      UPDATE outbox SET sent_at = now() WHERE id = ANY(${ids}::bigint[]) AND sent_at IS NULL`));
  }

  async pending(): Promise<number> {
    const [row] = await query<{ n: string }>(this.pool, sql`SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL`);
    return Number(row?.n ?? 0);
  }

  /**
   * Deletes up to `limit` messages sent over `olderThanMs` ago, oldest first (the workers' housekeeping): sent
   * messages are kept a while for inspection, and would otherwise grow without end (one per group commit). Read in
   * id order, which is the order of their age, so each call scans little more than what it deletes; an unsent one
   * is never deleted. Events keep their outbox_id, which rebuilds replay by (the row is not needed).
   */
  async pruneSent(olderThanMs: number, limit = 10_000): Promise<number> {
    const result = await this.pool.query(sql`
      -- Prune sent outbox messages, oldest first.
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => ${olderThanMs / 1000})
        ORDER BY id LIMIT ${limit})`);
    return result.rowCount ?? 0;
  }
}
