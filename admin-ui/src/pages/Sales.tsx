// Store-wide sales, live: salesMetricsUpdated pushes the window at once and after every rollup that changes it.
import { useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, COLORS } from '../components/charts';
import { Empty, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { clock, int, minute, money } from '../format';
import { SALES_METRICS_UPDATED } from '../graphql/sales';

const WINDOWS = [15, 60, 240];

export function Sales() {
  const [windowMinutes, setWindowMinutes] = useState(60);
  const [pushedAt, setPushedAt] = useState<Date | null>(null);
  const { data, error, loading } = useSubscription(SALES_METRICS_UPDATED, { variables: { windowMinutes }, onData: () => setPushedAt(new Date()) });
  const m = data?.salesMetricsUpdated;
  // The window ends at the next full minute; its last bucket has not begun yet.
  const points = (m?.series ?? [])
    .filter((p) => new Date(p.at).getTime() <= Date.now())
    .map((p) => ({ label: minute(p.at), orders: p.orders, revenue: p.revenue }));

  return (
    <>
      <PageHead
        title="Sales"
        subtitle={pushedAt ? `Last ${windowMinutes} minutes · live, last push ${clock(pushedAt)}` : `Last ${windowMinutes} minutes`}
        actions={
          <div className="segmented" role="group" aria-label="Window">
            {WINDOWS.map((w) => (
              <button key={w} className={w === windowMinutes ? 'on' : ''} aria-pressed={w === windowMinutes} onClick={() => setWindowMinutes(w)}>
                {w < 60 ? `${w} min` : `${w / 60} h`}
              </button>
            ))}
          </div>
        }
      />
      <ErrorNote error={error} what="Live sales failed" />
      {loading && !m ? (
        <Loading />
      ) : m ? (
        <>
          <div className="stats" data-testid="sales-stats">
            <Stat label="Orders" value={int(m.orders)} testId="sales-orders" />
            <Stat label="Units" value={int(m.units)} testId="sales-units" />
            <Stat label="Revenue" value={money(m.revenue)} testId="sales-revenue" />
            <Stat label="Average order" value={money(m.averageOrderValue)} testId="sales-aov" />
          </div>
          <Panel title="Revenue and orders per minute">
            <ChartFrame height={260}>
              <ComposedChart data={points} margin={{ top: 8, right: -8, bottom: 0, left: -8 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
                <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} />
                <YAxis yAxisId="revenue" tick={{ fontSize: 11 }} />
                <YAxis yAxisId="orders" orientation="right" allowDecimals={false} tick={{ fontSize: 11 }} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar yAxisId="revenue" dataKey="revenue" name="Revenue" fill={COLORS.revenue} isAnimationActive={false} />
                <Line yAxisId="orders" dataKey="orders" name="Orders" stroke={COLORS.orders} dot={false} strokeWidth={2} isAnimationActive={false} />
              </ComposedChart>
            </ChartFrame>
          </Panel>
          <Panel title="Best sellers">
            {m.topProducts.length === 0 ? (
              <Empty>No purchases in this window.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table cards">
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
                    {m.topProducts.map((t) => (
                      <tr key={t.product.id}>
                        <td className="card-title">
                          <span className="strong">{t.product.name}</span> <span className="muted small">{t.product.id}</span>
                        </td>
                        <td data-label="Category">{t.product.category}</td>
                        <td className="num" data-label="Units">{int(t.units)}</td>
                        <td className="num" data-label="Revenue">{money(t.revenue)}</td>
                        <td className={`num ${t.product.stock === 0 ? 'text-red' : ''}`} data-label="In stock">
                          {int(t.product.stock)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
        </>
      ) : null}
    </>
  );
}
