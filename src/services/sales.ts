// Store-wide sales monitoring from the per-minute rollups: orders, units, revenue, average order value, top products.
import type { Bucket, KpiStore } from '../store/kpis';
import { topics } from '../store/keys';
import type { Product, ProductStore } from '../store/products';
import type { PubSub } from '../store/pubsub';
import { LiveQuery } from '../realtime/live-query';
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

export class SalesService {
  constructor(
    private readonly kpis: KpiStore,
    private readonly products: ProductStore,
    private readonly pubsub: PubSub,
    private readonly throttleMs: number,
  ) {}

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

  /** The last `windowMinutes` per minute, pushed whenever the rollup changes it (throttled). */
  live(windowMinutes: number): AsyncIterableIterator<SalesMetrics> {
    return new LiveQuery({
      pubsub: this.pubsub,
      topics: [topics.sales()],
      compute: () => {
        const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
        return this.metrics({ from: new Date(to.getTime() - windowMinutes * 60_000), to, bucket: 'MINUTE' });
      },
      minIntervalMs: this.throttleMs,
    });
  }
}
