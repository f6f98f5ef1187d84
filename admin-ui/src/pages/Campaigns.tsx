// Campaign list: status and headline KPIs, re-read every few seconds while the live link is up.
import { useQuery } from '@apollo/client/react';
import { Badge, CampaignStatusBadge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { dateTime, int, money, pct } from '../format';
import { CAMPAIGNS } from '../graphql/campaigns';
import { useLive } from '../live-context';
import { Link } from '../router';

export function Campaigns() {
  const { linkUp } = useLive();
  const { data, error, loading } = useQuery(CAMPAIGNS, { pollInterval: 5000, skipPollAttempt: () => !linkUp() });
  const campaigns = data?.campaigns.edges.map((e) => e.node) ?? [];
  return (
    <>
      <PageHead
        title="Campaigns"
        subtitle="Exact live KPIs: each event counted once."
        actions={
          <Link className="button primary" to="/campaigns/new">
            New campaign
          </Link>
        }
      />
      <ErrorNote error={error} what="Could not load campaigns" />
      <Panel>
        {loading && !data ? (
          <Loading />
        ) : campaigns.length === 0 ? (
          <Empty>
            No campaigns yet. Create one, or run <code>npm run demo</code> for demo campaigns with traffic.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table cards" data-testid="campaign-table">
              <thead>
                <tr>
                  <th>Campaign</th>
                  <th>Status</th>
                  <th className="num">Impressions</th>
                  <th className="num">Clicks</th>
                  <th className="num">CTR</th>
                  <th className="num">Conversions</th>
                  <th className="num">Revenue</th>
                </tr>
              </thead>
              <tbody>
                {campaigns.map((c) => (
                  <tr key={c.id}>
                    <td className="card-title">
                      <Link to={`/campaigns/${encodeURIComponent(c.id)}`} className="strong">
                        {c.name}
                      </Link>
                      <div className="muted small">
                        {dateTime(c.startsAt)} – {dateTime(c.endsAt)} · budget {money(c.budget)}
                      </div>
                    </td>
                    <td data-label="Status">
                      <CampaignStatusBadge status={c.status} />
                    </td>
                    <td className="num" data-label="Impressions">{int(c.kpis.impressions)}</td>
                    <td className="num" data-label="Clicks">{int(c.kpis.clicks)}</td>
                    <td className="num" data-label="CTR">{pct(c.kpis.ctr)}</td>
                    <td className="num" data-label="Conversions">{int(c.kpis.conversions)}</td>
                    <td className="num" data-label="Revenue">{money(c.kpis.revenue)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {campaigns.some((c) => c.status === 'ACTIVE') && (
          <p className="muted small">
            <Badge tone="green">active</Badge> campaigns count impressions, clicks, carts and purchases that carry their id, and purchases
            credited to them by attribution.
          </p>
        )}
      </Panel>
    </>
  );
}
