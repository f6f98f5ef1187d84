// Store-wide sales monitoring from the per-minute rollups: orders, units, revenue, average order value, top products.
import type { Bucket, KpiStore } from '../store/kpis';
import { topics } from '../store/keys';
import type { Product, ProductStore } from '../store/products';
import { SharedLiveValues, type SharedLiveOptions } from '../realtime/shared-live';
import { seriesArgs } from './campaigns';

export interface SalesPoint {
  at: Date;
  orders: number;
  units: number;
  revenue: number;
}

export interface SalesMetrics {
  from: Date;
  to: Date;
  orders: number;
  units: number;
  revenue: number;
  averageOrderValue: number;
  series: SalesPoint[];
  topProducts: Array<{ product: Product; units: number; revenue: number }>;
}

const TOP_PRODUCTS = 10;

/** The end of a live window: the end of the current minute (its bucket is counted as it fills). */
const windowEnd = (now = Date.now()): number => Math.ceil(now / 60_000) * 60_000;

export class SalesService {
  /** One live value per window length in this process, shared by all its `salesMetricsUpdated` subscribers. */
  private readonly liveMetrics: SharedLiveValues<SalesMetrics>;

  constructor(
    private readonly kpis: KpiStore,
    private readonly products: ProductStore,
    /** The pub/sub, throttle (KPI_THROTTLE_MS) and metrics of live sales. */
    live: SharedLiveOptions,
  ) {
    this.liveMetrics = new SharedLiveValues(live);
  }

  async metrics(raw: { from: Date; to: Date; bucket: Bucket }): Promise<SalesMetrics> {
    const { from, to, bucket } = seriesArgs(raw, 'salesMetrics');
    const [rows, top] = await Promise.all([this.kpis.series('sales', from, to, bucket), this.kpis.topProducts(from, to, TOP_PRODUCTS)]);
    const series = rows.map((r) => ({ at: r.at, orders: r.conversions, units: r.units, revenue: r.revenue }));
    const orders = series.reduce((s, p) => s + p.orders, 0);
    const revenue = Math.round(series.reduce((s, p) => s + p.revenue, 0) * 100) / 100;
    const products = new Map((await this.products.findByIds(top.map((t) => t.productId))).map((p) => [p.id, p]));
    return {
      from,
      to,
      orders,
      units: series.reduce((s, p) => s + p.units, 0),
      revenue,
      averageOrderValue: orders ? Math.round((revenue / orders) * 100) / 100 : 0,
      series,
      topProducts: top.flatMap((t) => (products.has(t.productId) ? [{ ...t, product: products.get(t.productId)! }] : [])),
    };
  }

  /**
   * The last `windowMinutes` per minute, pushed whenever the rollup changes it (throttled), computed once per change
   * for all subscribers of that window length in this process.
   */
  live(windowMinutes: number): Promise<AsyncIterableIterator<SalesMetrics>> {
    return this.liveMetrics.subscribe(String(windowMinutes), {
      topics: [topics.sales()],
      compute: () => {
        const to = new Date(windowEnd());
        return this.metrics({ from: new Date(to.getTime() - windowMinutes * 60_000), to, bucket: 'MINUTE' });
      },
      // A window computed in an earlier minute is not a new subscriber's current one (no rollup may have come since).
      current: (metrics) => metrics.to.getTime() >= windowEnd(),
    });
  }

  /** Window lengths with live subscribers in this process (metrics). */
  get liveWindows(): number {
    return this.liveMetrics.size;
  }
}
