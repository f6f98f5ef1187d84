// Store-wide sales over the shared time range (components/range.tsx). A range of minutes ending now is live
// (salesMetricsUpdated pushes it at once and after every rollup that changes it); any other range is read with
// salesMetrics, again every minute while it ends now. Money and counts on charts of their own; orders and revenue
// next to the period just before, as long.
import { useQuery, useSubscription } from '@apollo/client/react';
import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, COLORS, moneyTick } from '../components/charts';
import { axisLabel, RangePicker, useRange } from '../components/range';
import { Empty, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { clock, int, money } from '../format';
import { SALES_METRICS, SALES_METRICS_UPDATED, SALES_SHORTFALLS } from '../graphql/sales';
import { useLive } from '../live-context';
import { Link } from '../router';

/** Against the period before, as long: "+12 % vs. period before" (undefined until it is read). */
function change(now: number, before: number | undefined): string | undefined {
  if (before === undefined) return undefined;
  if (before === 0) return now === 0 ? 'same as the period before' : 'none in the period before';
  const ratio = (now - before) / before;
  return `${ratio >= 0 ? '+' : '−'}${Math.abs(ratio * 100).toFixed(0)} % vs. the period before`;
}

/** The longest window salesMetricsUpdated keeps live (windowMinutes 1..1440). */
const LIVE_MAX_MINUTES = 1440;

export function Sales() {
  const { linkUp } = useLive();
  const range = useRange();
  const minutes = Math.round((range.to.getTime() - range.from.getTime()) / 60_000);
  const live = range.rolling && range.bucket === 'MINUTE' && minutes <= LIVE_MAX_MINUTES;
  const [pushedAt, setPushedAt] = useState<Date | null>(null);
  const pushed = useSubscription(SALES_METRICS_UPDATED, { variables: { windowMinutes: minutes }, skip: !live, onData: () => setPushedAt(new Date()) });
  const read = useQuery(SALES_METRICS, {
    variables: { from: range.from.toISOString(), to: range.to.toISOString(), bucket: range.bucket },
    skip: live,
    pollInterval: range.rolling ? 60_000 : 0,
    skipPollAttempt: () => !linkUp(),
  });
  // The period just before, as long, for comparison (read, not live: it is over).
  const spanMs = range.to.getTime() - range.from.getTime();
  const previous = useQuery(SALES_METRICS, {
    variables: { from: new Date(range.from.getTime() - spanMs).toISOString(), to: range.from.toISOString(), bucket: range.bucket },
    pollInterval: range.rolling ? 60_000 : 0,
    skipPollAttempt: () => !linkUp(),
  });
  const before = previous.data?.salesMetrics;
  const shortfalls = useQuery(SALES_SHORTFALLS, { pollInterval: 30_000, skipPollAttempt: () => !linkUp() });
  const m = live ? pushed.data?.salesMetricsUpdated : read.data?.salesMetrics;
  const error = live ? pushed.error : read.error;
  const loading = live ? pushed.loading : read.loading;

  // Units a purchase asked for beyond the stock, per product, within the range.
  const beyondStock = useMemo(() => {
    const from = range.from.getTime();
    const to = range.to.getTime();
    const byProduct = new Map<string, number>();
    for (const { node: a } of shortfalls.data?.inventoryAlerts.edges ?? []) {
      const at = new Date(a.createdAt).getTime();
      if (a.shortfall > 0 && at >= from && at < to) byProduct.set(a.product.id, (byProduct.get(a.product.id) ?? 0) + a.shortfall);
    }
    return byProduct;
  }, [shortfalls.data, range]);
  const totalBeyond = [...beyondStock.values()].reduce((s, n) => s + n, 0);

  // The range ends at the next full bucket; its last bucket has not begun yet.
  const points = (m?.series ?? [])
    .filter((p) => new Date(p.at).getTime() <= Date.now())
    .map((p) => ({ label: axisLabel(p.at, range), orders: p.orders, units: p.units, revenue: p.revenue }));
  const per = range.bucket === 'HOUR' ? 'per hour' : 'per minute';
  const x = <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={28} />;

  return (
    <>
      <PageHead
        title="Sales"
        subtitle={
          <span data-testid="range-title">
            {range.title}
            {live ? (pushedAt ? ` · live, last push ${clock(pushedAt)}` : ' · live') : range.rolling ? ' · read every minute' : ''}
          </span>
        }
        actions={<RangePicker range={range} />}
      />
      <ErrorNote error={error} what={live ? 'Live sales failed' : 'Could not read sales'} />
      {loading && !m ? (
        <Loading />
      ) : m ? (
        <>
          <div className="stats" data-testid="sales-stats">
            <Stat label="Orders" value={int(m.orders)} hint={change(m.orders, before?.orders)} testId="sales-orders" />
            <Stat
              label="Units"
              value={int(m.units)}
              hint={totalBeyond ? `${int(totalBeyond)} beyond stock (not delivered)` : undefined}
              testId="sales-units"
            />
            <Stat label="Revenue" value={money(m.revenue)} hint={`USD${before ? ` · ${change(m.revenue, before.revenue)}` : ''}`} testId="sales-revenue" />
            <Stat label="Average order" value={money(m.averageOrderValue)} hint="USD" testId="sales-aov" />
          </div>
          <div className="grid-2">
            <Panel title={`Revenue ${per} (USD)`}>
              <ChartFrame height={220}>
                <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -4 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
                  {x}
                  <YAxis tick={{ fontSize: 11 }} tickFormatter={moneyTick} />
                  <Tooltip formatter={(v) => [money(Number(v)), 'Revenue']} />
                  <Bar dataKey="revenue" name="Revenue" fill={COLORS.revenue} isAnimationActive={false} />
                </BarChart>
              </ChartFrame>
            </Panel>
            <Panel title={`Orders and units ${per}`}>
              <ChartFrame height={220}>
                <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
                  {x}
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line dataKey="orders" name="Orders" stroke={COLORS.orders} dot={false} strokeWidth={2} isAnimationActive={false} />
                  <Line dataKey="units" name="Units" stroke={COLORS.clicks} dot={false} strokeWidth={2} isAnimationActive={false} />
                </LineChart>
              </ChartFrame>
            </Panel>
          </div>
          <Panel title="Best sellers">
            {m.topProducts.length === 0 ? (
              <Empty>No purchases in this range.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table cards" data-testid="best-sellers">
                  <thead>
                    <tr>
                      <th>Product</th>
                      <th>Category</th>
                      <th className="num">Units</th>
                      <th className="num">Revenue</th>
                      <th className="num">In stock</th>
                    </tr>
                  </thead>
                  <tbody>
                    {m.topProducts.map((t) => {
                      const beyond = beyondStock.get(t.product.id) ?? 0;
                      return (
                        <tr key={t.product.id} data-product={t.product.id}>
                          <td className="card-title">
                            <Link className="strong" to={`/products/${encodeURIComponent(t.product.id)}`}>
                              {t.product.name}
                            </Link>{' '}
                            <span className="muted small">{t.product.id}</span>
                          </td>
                          <td data-label="Category">{t.product.category}</td>
                          <td className="num" data-label="Units">
                            {int(t.units)}
                            {beyond > 0 && (
                              <div
                                className="text-red small"
                                data-testid="beyond-stock"
                                title="Purchases asked for these units after the stock ran out: the stock stopped at 0 and they count here in units and revenue, but could not be delivered."
                              >
                                {int(beyond)} beyond stock
                              </div>
                            )}
                          </td>
                          <td className="num" data-label="Revenue">{money(t.revenue)}</td>
                          <td className={`num ${t.product.stock === 0 ? 'text-red' : ''}`} data-label="In stock">
                            {int(t.product.stock)}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {totalBeyond > 0 && (
              <p className="muted small">
                Units <span className="text-red">beyond stock</span>: purchases recorded after the stock ran out. The order system sent them, so they count,
                but the shop had nothing left to send.
              </p>
            )}
          </Panel>
        </>
      ) : null}
    </>
  );
}
