// One campaign: live counters (campaignKpisUpdated), per-minute charts, and its status actions.
// The charts take finished minutes from the per-minute rollups (re-read every minute) and grow the current
// minute's bar with each live push, so they move with the counters instead of waiting for the next rollup.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, COLORS } from '../components/charts';
import { CampaignStatusBadge, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { dateTime, int, minute, money, pct } from '../format';
import {
  CAMPAIGN_KPIS_UPDATED,
  CAMPAIGN_PAGE,
  SET_CAMPAIGN_STATUS,
  type CampaignStatus,
  type KpiPoint,
  type Kpis,
} from '../graphql/campaigns';
import { Link } from '../router';

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

/** The current minute, moving on a few seconds after each minute ends so that the rollup has covered it. */
function useMinuteWindow(): { from: string; to: string; current: number } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const next = MINUTE_MS - (Date.now() % MINUTE_MS) + 3000;
    const timer = setTimeout(() => setNow(Date.now()), next);
    return () => clearTimeout(timer);
  }, [now]);
  return useMemo(() => {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    return { from: new Date(current - (WINDOW_MINUTES - 1) * MINUTE_MS).toISOString(), to: new Date(current + MINUTE_MS).toISOString(), current };
  }, [now]);
}

type Counts = Pick<KpiPoint, 'impressions' | 'clicks' | 'conversions' | 'revenue'>;
const ZERO: Counts = { impressions: 0, clicks: 0, conversions: 0, revenue: 0 };

const ACTIONS: Record<CampaignStatus, Array<{ to: CampaignStatus; label: string }>> = {
  DRAFT: [{ to: 'ACTIVE', label: 'Activate' }],
  ACTIVE: [{ to: 'PAUSED', label: 'Pause' }],
  PAUSED: [{ to: 'ACTIVE', label: 'Resume' }],
  ENDED: [],
};

export function Campaign({ id }: { id: string }) {
  const span = useMinuteWindow();
  const { data, error, loading } = useQuery(CAMPAIGN_PAGE, { variables: { id, from: span.from, to: span.to } });
  const campaign = data?.campaign;

  // Live additions to the current minute since the series was read, from the differences between pushes.
  const last = useRef<Kpis | null>(null);
  const [liveMinute, setLiveMinute] = useState<{ at: number; counts: Counts }>({ at: span.current, counts: ZERO });
  const series = campaign?.series;
  // Keyed on the content: the cache hands out a new campaign object on every push, with the same series.
  const seriesKey = useMemo(() => JSON.stringify(series ?? null), [series]);
  useEffect(() => setLiveMinute({ at: span.current, counts: ZERO }), [seriesKey, span.current]);

  const { data: live } = useSubscription(CAMPAIGN_KPIS_UPDATED, {
    variables: { id },
    onData: ({ data: pushed }) => {
      const k = pushed.data?.campaignKpisUpdated;
      if (!k) return;
      const prev = last.current;
      last.current = k;
      if (!prev) return;
      const at = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
      setLiveMinute((m) => {
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
        .filter((p) => new Date(p.at).getTime() <= span.current)
        .map((p) => {
        const t = new Date(p.at).getTime();
        const add = t === liveMinute.at ? liveMinute.counts : ZERO;
        const impressions = p.impressions + add.impressions;
        const clicks = p.clicks + add.clicks;
        return {
          label: minute(p.at),
          impressions,
          clicks,
          conversions: p.conversions + add.conversions,
          revenue: Math.round((p.revenue + add.revenue) * 100) / 100,
          ctr: impressions ? Math.round((clicks / impressions) * 10000) / 100 : 0,
        };
      }),
    [series, liveMinute, span.current],
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
            {campaign.attributionWindowHours} h · {campaign.productIds.length} products
          </>
        }
        actions={<StatusActions id={campaign.id} status={campaign.status} />}
      />
      <div className="stats" data-testid="campaign-kpis">
        <Stat label="Impressions" value={int(k.impressions)} testId="kpi-impressions" />
        <Stat label="Clicks" value={int(k.clicks)} testId="kpi-clicks" />
        <Stat label="CTR" value={pct(k.ctr, 2)} testId="kpi-ctr" />
        <Stat label="Add to carts" value={int(k.addToCarts)} testId="kpi-carts" />
        <Stat label="Conversions" value={int(k.conversions)} hint={`${pct(k.conversionRate)} of clicks`} testId="kpi-conversions" />
        <Stat label="Revenue" value={money(k.revenue)} testId="kpi-revenue" />
      </div>
      <p className="muted small">Live · last change {dateTime(k.updatedAt)}</p>
      <div className="grid-2">
        <Panel title="Traffic per minute">
          <ChartFrame>
            <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Bar dataKey="impressions" name="Impressions" fill={COLORS.impressions} isAnimationActive={false} />
              <Line dataKey="clicks" name="Clicks" stroke={COLORS.clicks} dot={false} strokeWidth={2} isAnimationActive={false} />
              <Line dataKey="conversions" name="Conversions" stroke={COLORS.conversions} dot={false} strokeWidth={2} isAnimationActive={false} />
            </ComposedChart>
          </ChartFrame>
        </Panel>
        <Panel title="Revenue and CTR per minute">
          <ChartFrame>
            <ComposedChart data={points} margin={{ top: 8, right: -8, bottom: 0, left: -12 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} />
              <YAxis yAxisId="revenue" tick={{ fontSize: 11 }} />
              <YAxis yAxisId="ctr" orientation="right" unit="%" tick={{ fontSize: 11 }} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Bar yAxisId="revenue" dataKey="revenue" name="Revenue" fill={COLORS.revenue} isAnimationActive={false} />
              <Line yAxisId="ctr" dataKey="ctr" name="CTR %" stroke={COLORS.ctr} dot={false} strokeWidth={2} isAnimationActive={false} />
            </ComposedChart>
          </ChartFrame>
        </Panel>
      </div>
      <Panel title="Products">
        <p className="ids">{campaign.productIds.length ? campaign.productIds.join(', ') : 'Any product'}</p>
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
