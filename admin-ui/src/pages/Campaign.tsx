// One campaign: live counters (campaignKpisUpdated), charts over the shared time range (components/range.tsx), its
// products, and its status actions. The charts take finished buckets from the per-minute rollups (re-read every
// minute) and grow the current bucket with each live push, so they move with the counters instead of waiting for
// the next rollup. Counts and rates never share an axis: one small chart per unit.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, COLORS, moneyTick } from '../components/charts';
import { axisLabel, BUCKET_MS, RangePicker, useRange } from '../components/range';
import { CampaignStatusBadge, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { dateTime, int, money, pct } from '../format';
import {
  CAMPAIGN_KPIS_UPDATED,
  CAMPAIGN_PAGE,
  SET_CAMPAIGN_STATUS,
  type CampaignStatus,
  type KpiPoint,
  type Kpis,
} from '../graphql/campaigns';
import { Link } from '../router';

type Counts = Pick<KpiPoint, 'impressions' | 'clicks' | 'conversions' | 'revenue'>;
const ZERO: Counts = { impressions: 0, clicks: 0, conversions: 0, revenue: 0 };

const ACTIONS: Record<CampaignStatus, Array<{ to: CampaignStatus; label: string }>> = {
  DRAFT: [{ to: 'ACTIVE', label: 'Activate' }],
  ACTIVE: [{ to: 'PAUSED', label: 'Pause' }],
  PAUSED: [{ to: 'ACTIVE', label: 'Resume' }],
  ENDED: [],
};

const GRID = <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />;

export function Campaign({ id }: { id: string }) {
  const range = useRange();
  const size = BUCKET_MS[range.bucket];
  const current = Math.floor(range.to.getTime() / size) * size - size;
  const { data, error, loading } = useQuery(CAMPAIGN_PAGE, {
    variables: { id, from: range.from.toISOString(), to: range.to.toISOString(), bucket: range.bucket },
    // An hour's bucket fills minute by minute: read it again as the rollup adds to it.
    pollInterval: range.rolling ? 60_000 : 0,
  });
  const campaign = data?.campaign;

  // Live additions to the current bucket since the series was read, from the differences between pushes.
  const last = useRef<Kpis | null>(null);
  const [liveBucket, setLiveBucket] = useState<{ at: number; counts: Counts }>({ at: current, counts: ZERO });
  const series = campaign?.series;
  // Keyed on the content: the cache hands out a new campaign object on every push, with the same series.
  const seriesKey = useMemo(() => JSON.stringify(series ?? null), [series]);
  useEffect(() => setLiveBucket({ at: current, counts: ZERO }), [seriesKey, current]);

  const { data: live } = useSubscription(CAMPAIGN_KPIS_UPDATED, {
    variables: { id },
    onData: ({ data: pushed }) => {
      const k = pushed.data?.campaignKpisUpdated;
      if (!k) return;
      const prev = last.current;
      last.current = k;
      if (!prev || !range.rolling) return;
      const at = Math.floor(Date.now() / size) * size;
      setLiveBucket((m) => {
        const base = m.at === at ? m.counts : ZERO;
        return {
          at,
          counts: {
            impressions: base.impressions + Math.max(0, k.impressions - prev.impressions),
            clicks: base.clicks + Math.max(0, k.clicks - prev.clicks),
            conversions: base.conversions + Math.max(0, k.conversions - prev.conversions),
            revenue: base.revenue + Math.max(0, k.revenue - prev.revenue),
          },
        };
      });
    },
  });

  const points = useMemo(
    () =>
      (series ?? [])
        .filter((p) => new Date(p.at).getTime() <= Date.now())
        .map((p) => {
          const add = new Date(p.at).getTime() === liveBucket.at ? liveBucket.counts : ZERO;
          const impressions = p.impressions + add.impressions;
          const clicks = p.clicks + add.clicks;
          return {
            label: axisLabel(p.at, range),
            impressions,
            clicks,
            conversions: p.conversions + add.conversions,
            revenue: Math.round((p.revenue + add.revenue) * 100) / 100,
            ctr: impressions ? Math.round((clicks / impressions) * 10000) / 100 : 0,
          };
        }),
    [series, liveBucket, range],
  );

  if (loading && !data) return <Loading />;
  if (error && !data) return <ErrorNote error={error} what="Could not load the campaign" />;
  if (!campaign) {
    return (
      <Panel>
        <p>
          No campaign with id <code>{id}</code>. <Link to="/campaigns">Back to campaigns</Link>
        </p>
      </Panel>
    );
  }
  const k = live?.campaignKpisUpdated ?? campaign.kpis;
  const per = range.bucket === 'HOUR' ? 'per hour' : 'per minute';
  const x = <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={28} />;

  return (
    <>
      <PageHead
        title={
          <>
            {campaign.name} <CampaignStatusBadge status={campaign.status} />
          </>
        }
        subtitle={
          <>
            {dateTime(campaign.startsAt)} – {dateTime(campaign.endsAt)} · budget {money(campaign.budget)} · attribution window{' '}
            {campaign.attributionWindowHours} h · {campaign.productIds.length ? `${int(campaign.productIds.length)} products` : 'every product'}
          </>
        }
        actions={<StatusActions id={campaign.id} status={campaign.status} />}
      />
      <div className="stats" data-testid="campaign-kpis">
        <Stat label="Impressions" value={int(k.impressions)} testId="kpi-impressions" />
        <Stat label="Clicks" value={int(k.clicks)} testId="kpi-clicks" />
        <Stat label="Click-through" value={pct(k.ctr, 2)} hint="clicks per impression" testId="kpi-ctr" />
        <Stat label="Add to carts" value={int(k.addToCarts)} testId="kpi-carts" />
        <Stat label="Conversions" value={int(k.conversions)} hint={`${pct(k.conversionRate)} of clicks`} testId="kpi-conversions" />
        <Stat label="Revenue" value={money(k.revenue)} hint="USD" testId="kpi-revenue" />
      </div>
      <p className="muted small">Totals since the start, live · last change {dateTime(k.updatedAt)}</p>
      <Panel
        title={
          <>
            Over time <span className="muted small" data-testid="range-title">{range.title}</span>
          </>
        }
        actions={<RangePicker range={range} />}
        className="charts"
      >
        <div className="grid-2" data-testid="campaign-charts">
          <div>
            <h3 className="chart-title">Impressions {per}</h3>
            <ChartFrame height={200}>
              <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
                {GRID}
                {x}
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                <Tooltip formatter={(v) => [int(Number(v)), 'Impressions']} />
                <Bar dataKey="impressions" name="Impressions" fill={COLORS.impressions} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
          </div>
          <div>
            <h3 className="chart-title">Clicks and conversions {per}</h3>
            <ChartFrame height={200}>
              <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
                {GRID}
                {x}
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Line dataKey="clicks" name="Clicks" stroke={COLORS.clicks} dot={false} strokeWidth={2} isAnimationActive={false} />
                <Line dataKey="conversions" name="Conversions" stroke={COLORS.conversions} dot={false} strokeWidth={2} isAnimationActive={false} />
              </LineChart>
            </ChartFrame>
          </div>
          <div>
            <h3 className="chart-title">Revenue {per} (USD)</h3>
            <ChartFrame height={200}>
              <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -4 }}>
                {GRID}
                {x}
                <YAxis tick={{ fontSize: 11 }} tickFormatter={moneyTick} />
                <Tooltip formatter={(v) => [money(Number(v)), 'Revenue']} />
                <Bar dataKey="revenue" name="Revenue" fill={COLORS.revenue} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
          </div>
          <div>
            <h3 className="chart-title">Click-through rate {per} (% of impressions)</h3>
            <ChartFrame height={200}>
              <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
                {GRID}
                {x}
                <YAxis unit="%" tick={{ fontSize: 11 }} />
                <Tooltip formatter={(v) => [`${Number(v).toFixed(2)} %`, 'Click-through']} />
                <Line dataKey="ctr" name="Click-through" stroke={COLORS.ctr} dot={false} strokeWidth={2} isAnimationActive={false} />
              </LineChart>
            </ChartFrame>
          </div>
        </div>
      </Panel>
      <Panel title={campaign.products.length ? `Products (${int(campaign.products.length)})` : 'Products'}>
        {campaign.products.length === 0 ? (
          <p className="muted" data-testid="campaign-products">
            No product list: every event that carries this campaign's id counts for it, whatever the product.
          </p>
        ) : (
          <ul className="product-links" data-testid="campaign-products">
            {campaign.products.map((p) => (
              <li key={p.id}>
                <Link to={`/products/${encodeURIComponent(p.id)}`}>{p.name}</Link>{' '}
                <span className={`muted small ${p.stock === 0 ? 'text-red' : ''}`}>
                  {p.category} · {p.stock === 0 ? 'out of stock' : `${int(p.stock)} in stock`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </>
  );
}

/** Status changes; ending asks for a second click because an ended campaign stays ended. */
function StatusActions({ id, status }: { id: string; status: CampaignStatus }) {
  const [setStatus, { loading, error }] = useMutation(SET_CAMPAIGN_STATUS);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const change = (to: CampaignStatus) => setStatus({ variables: { id, status: to } }).catch(() => undefined);
  return (
    <div className="actions">
      {ACTIONS[status].map((a) => (
        <button key={a.to} disabled={loading} onClick={() => change(a.to)}>
          {a.label}
        </button>
      ))}
      {status !== 'ENDED' &&
        (confirmEnd ? (
          <>
            <button className="danger" disabled={loading} onClick={() => change('ENDED').then(() => setConfirmEnd(false))}>
              Confirm: end for good
            </button>
            <button onClick={() => setConfirmEnd(false)}>Keep running</button>
          </>
        ) : (
          <button onClick={() => setConfirmEnd(true)}>End</button>
        ))}
      <Link className="button" to={`/campaigns/${encodeURIComponent(id)}/edit`}>
        Edit
      </Link>
      {error && <ErrorNote error={error} />}
    </div>
  );
}
