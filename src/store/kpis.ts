// Campaign KPIs and sales figures: live counters in Redis (written by the workers with the feature store),
// per-minute rollups in Postgres (recomputed from the events), and recounts straight from the events. Its Postgres
// statements are aggregations over the events, run on every rollup and dashboard read, not CRUD: they go through the
// `sql` helpers (see db.ts on which stores use which).
import type { Redis } from 'ioredis';
import { emptyCounts, planKpiWrites, type KpiCounts } from '../domain/campaign-kpis';
import type { StoredEvent } from '../domain/events';
import type { Transaction } from './redis';
import type { RedisKeys } from './keys';
import type pg from 'pg';
import { query, sql, transaction, type Database } from './db';

const COUNTER_FIELDS = ['impressions', 'clicks', 'addToCarts', 'conversions', 'revenueCents'] as const;

export type Bucket = 'MINUTE' | 'HOUR';

export interface KpiPointRow {
  at: Date;
  impressions: number;
  clicks: number;
  addToCarts: number;
  conversions: number;
  units: number;
  revenue: number;
}

export const ROLLUP_STATE = 'kpi-rollup';
/** Events recorded this long before the last rollup are looked at again: a transaction may commit late. */
const ROLLUP_OVERLAP_MS = 30_000;
/** A rollup recounts whole minutes of events: a statement may take long on a big store (Prisma's transaction timeout,
 * which it ran under before, was 60 s). */
const ROLLUP_STATEMENT_TIMEOUT_MS = 60_000;

export class KpiStore {
  private readonly pool: pg.Pool;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    db: Database,
  ) {
    this.pool = db.pool;
  }

  /** Adds the KPI effects of newly applied events to `tx` (the unit of work's once-per-job transaction, event-unit-of-work.ts). */
  write(events: StoredEvent[], tx: Transaction, now = Date.now()): string[] {
    const { campaigns } = planKpiWrites(events);
    for (const [id, c] of campaigns) {
      const key = this.keys.campaignKpis(id);
      for (const f of COUNTER_FIELDS) if (c[f]) tx.hincrby(key, f, c[f]);
      tx.hset(key, 'updatedAt', String(now));
    }
    return [...campaigns.keys()];
  }

  async live(campaignId: string): Promise<{ counts: KpiCounts; updatedAt: Date | null }> {
    const raw = await this.redis.hgetall(this.keys.campaignKpis(campaignId));
    const counts = emptyCounts();
    for (const f of COUNTER_FIELDS) counts[f] = Number(raw[f] ?? 0);
    return { counts, updatedAt: raw.updatedAt ? new Date(Number(raw.updatedAt)) : null };
  }

  /** The campaign's KPIs counted again from the events in Postgres (the truth the live counters must equal). */
  async recount(campaignId: string): Promise<KpiCounts> {
    const [row] = await query<{ impressions: number; clicks: number; add_to_carts: number; conversions: number; revenue_cents: string | null }>(this.pool, sql`
      -- Recount of one campaign's KPIs from its events (own campaignId, or credited purchases).
      SELECT count(*) FILTER (WHERE type = 'IMPRESSION' AND campaign_id = ${campaignId})::int AS impressions,
             count(*) FILTER (WHERE type = 'CLICK' AND campaign_id = ${campaignId})::int AS clicks,
             count(*) FILTER (WHERE type = 'ADD_TO_CART' AND campaign_id = ${campaignId})::int AS add_to_carts,
             count(*) FILTER (WHERE type = 'PURCHASE')::int AS conversions,
             sum(round(quantity * COALESCE(unit_price, 0) * 100)) FILTER (WHERE type = 'PURCHASE')::text AS revenue_cents
      FROM events
      WHERE campaign_id = ${campaignId} OR (campaign_id IS NULL AND attributed_campaign_id = ${campaignId})`);
    return {
      impressions: row?.impressions ?? 0,
      clicks: row?.clicks ?? 0,
      addToCarts: row?.add_to_carts ?? 0,
      conversions: row?.conversions ?? 0,
      revenueCents: Number(row?.revenue_cents ?? 0),
    };
  }

  /**
   * Recomputes (not increments) the per-minute rollups of every minute touched by events recorded since the last
   * run, so a repeated or overlapping run changes nothing. Returns the scopes it refreshed.
   */
  async rollup(): Promise<{ scopes: string[]; minutes: number }> {
    return transaction(this.pool, async (tx) => {
      await query(tx, sql`INSERT INTO job_state (name, value) VALUES (${ROLLUP_STATE}, 0) ON CONFLICT (name) DO NOTHING`);
      // bigint comes back as a string from pg.
      const [state] = await query<{ value: string }>(tx, sql`SELECT value FROM job_state WHERE name = ${ROLLUP_STATE} FOR UPDATE`);
      const since = new Date(Number(state?.value ?? 0) - ROLLUP_OVERLAP_MS);
      const [{ now }] = (await query<{ now: Date }>(tx, sql`SELECT now() AS now`)) as [{ now: Date }];
      const touched = await query<{ scope: string; minute: Date }>(tx, sql`
        -- Minutes (per campaign and store-wide) that events recorded since the last rollup fall into.
        WITH recent AS (
          SELECT type, date_trunc('minute', occurred_at) AS minute,
                 COALESCE(campaign_id, CASE WHEN type = 'PURCHASE' THEN attributed_campaign_id END) AS campaign
          FROM events WHERE recorded_at >= ${since}
        )
        SELECT DISTINCT 'campaign:' || campaign AS scope, minute FROM recent WHERE campaign IS NOT NULL
        UNION
        SELECT DISTINCT 'sales', minute FROM recent WHERE type = 'PURCHASE'`);
      if (touched.length) {
        const scopes = touched.map((t) => t.scope);
        const minutes = touched.map((t) => t.minute.toISOString());
        await query(tx, sql`
          -- Recount of the touched (scope, minute) cells from the events.
          WITH cells AS (
            SELECT * FROM unnest(${scopes}::text[], ${minutes}::timestamptz[]) AS c(scope, minute)
          ),
          span AS (
            SELECT min(minute) AS lo, max(minute) + interval '1 minute' AS hi FROM cells
          ),
          ev AS (
            SELECT e.type, e.quantity, e.unit_price, date_trunc('minute', e.occurred_at) AS minute,
                   COALESCE(e.campaign_id, CASE WHEN e.type = 'PURCHASE' THEN e.attributed_campaign_id END) AS campaign
            FROM events e, span WHERE e.occurred_at >= span.lo AND e.occurred_at < span.hi
          ),
          tagged AS (
            SELECT 'campaign:' || campaign AS scope, ev.* FROM ev WHERE campaign IS NOT NULL
            UNION ALL
            SELECT 'sales', ev.* FROM ev WHERE type = 'PURCHASE'
          ),
          counted AS (
            SELECT c.scope, c.minute,
                   count(t.type) FILTER (WHERE t.type = 'IMPRESSION')::int AS impressions,
                   count(t.type) FILTER (WHERE t.type = 'CLICK')::int AS clicks,
                   count(t.type) FILTER (WHERE t.type = 'ADD_TO_CART')::int AS add_to_carts,
                   count(t.type) FILTER (WHERE t.type = 'PURCHASE')::int AS conversions,
                   COALESCE(sum(t.quantity) FILTER (WHERE t.type = 'PURCHASE'), 0)::int AS units,
                   COALESCE(sum(round(t.quantity * COALESCE(t.unit_price, 0), 2)) FILTER (WHERE t.type = 'PURCHASE'), 0) AS revenue
            FROM cells c LEFT JOIN tagged t ON t.scope = c.scope AND t.minute = c.minute
            GROUP BY c.scope, c.minute
          )
          INSERT INTO kpi_minutes (scope, minute, impressions, clicks, add_to_carts, conversions, units, revenue)
          SELECT * FROM counted
          ON CONFLICT (scope, minute) DO UPDATE SET
            impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks, add_to_carts = EXCLUDED.add_to_carts,
            conversions = EXCLUDED.conversions, units = EXCLUDED.units, revenue = EXCLUDED.revenue`);
        const salesMinutes = touched.filter((t) => t.scope === 'sales').map((t) => t.minute.toISOString());
        if (salesMinutes.length) {
          await query(tx, sql`
            -- Recount of per-product sales in the touched minutes.
            DELETE FROM product_sales_minutes WHERE minute = ANY(${salesMinutes}::timestamptz[])`);
          await query(tx, sql`
            INSERT INTO product_sales_minutes (product_id, minute, units, revenue)
            SELECT product_id, date_trunc('minute', occurred_at), sum(quantity)::int, sum(round(quantity * COALESCE(unit_price, 0), 2))
            FROM events
            WHERE type = 'PURCHASE' AND occurred_at >= (SELECT min(m) FROM unnest(${salesMinutes}::timestamptz[]) m)
              AND date_trunc('minute', occurred_at) = ANY(${salesMinutes}::timestamptz[])
            GROUP BY 1, 2`);
        }
      }
      await query(tx, sql`UPDATE job_state SET value = ${now.getTime()}, updated_at = now() WHERE name = ${ROLLUP_STATE}`);
      return { scopes: [...new Set(touched.map((t) => t.scope))], minutes: touched.length };
    }, { statementTimeoutMs: ROLLUP_STATEMENT_TIMEOUT_MS });
  }

  /** Buckets of a scope's rollup between `from` and `to`, zero-filled, oldest first. */
  async series(scope: string, from: Date, to: Date, bucket: Bucket): Promise<KpiPointRow[]> {
    const unit = bucket === 'HOUR' ? 'hour' : 'minute';
    const rows = await query<{ at: Date; impressions: number; clicks: number; add_to_carts: number; conversions: number; units: number; revenue: string }>(this.pool, sql`
      -- Zero-filled KPI series for charts.
      WITH buckets AS (
        SELECT generate_series(date_trunc(${unit}, ${from}::timestamptz), ${to}::timestamptz, ('1 ' || ${unit})::interval) AS at
      )
      SELECT b.at,
             COALESCE(sum(k.impressions), 0)::int AS impressions, COALESCE(sum(k.clicks), 0)::int AS clicks,
             COALESCE(sum(k.add_to_carts), 0)::int AS add_to_carts, COALESCE(sum(k.conversions), 0)::int AS conversions,
             COALESCE(sum(k.units), 0)::int AS units, COALESCE(sum(k.revenue), 0)::text AS revenue
      FROM buckets b
      LEFT JOIN kpi_minutes k ON k.scope = ${scope} AND k.minute >= b.at AND k.minute < b.at + ('1 ' || ${unit})::interval
                             AND k.minute >= ${from}::timestamptz AND k.minute < ${to}::timestamptz
      GROUP BY b.at ORDER BY b.at`);
    return rows.map((r) => ({
      at: r.at, impressions: r.impressions, clicks: r.clicks, addToCarts: r.add_to_carts, conversions: r.conversions,
      units: r.units, revenue: Number(r.revenue),
    }));
  }

  async topProducts(from: Date, to: Date, limit: number): Promise<Array<{ productId: string; units: number; revenue: number }>> {
    const rows = await query<{ product_id: string; units: number; revenue: string }>(this.pool, sql`
      -- Best-selling products of a period, from the per-minute sales rollup.
      SELECT product_id, sum(units)::int AS units, sum(revenue)::text AS revenue FROM product_sales_minutes
      WHERE minute >= ${from} AND minute < ${to}
      GROUP BY product_id ORDER BY sum(revenue) DESC, product_id LIMIT ${limit}`);
    return rows.map((r) => ({ productId: r.product_id, units: r.units, revenue: Number(r.revenue) }));
  }
}
