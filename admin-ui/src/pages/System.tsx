// System: the live link's state (it reconnects by itself and then re-reads every value on screen), and the
// platform's dependencies, outbox backlog, queue depths and workers (systemStatus, polled while the link is up).
import { useQuery } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { Badge, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { clock, duration, int } from '../format';
import { SYSTEM_STATUS, type SystemStatus } from '../graphql/system';
import { useLive } from '../live-context';
import { closeInWords, useLinkStatus, type LinkState } from '../live-link';

export const LINK_LABEL: Record<LinkState, string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

const HEALTH: Record<SystemStatus['queues'][number]['health'], { tone: 'green' | 'amber' | 'grey'; label: string }> = {
  OK: { tone: 'green', label: 'healthy' },
  NO_WORKERS: { tone: 'amber', label: 'no workers' },
  UNKNOWN: { tone: 'grey', label: 'unknown' },
};

const FEATURE_STORE: Record<SystemStatus['featureStore']['health'], string> = {
  OK: 'complete',
  REBUILDING: 'rebuilding',
  LOST: 'lost, rebuild due',
  UNKNOWN: '?',
};

export function System() {
  const { link, linkUp } = useLive();
  const status = useLinkStatus(link);
  const { data, error, loading } = useQuery(SYSTEM_STATUS, { pollInterval: 2000, skipPollAttempt: () => !linkUp() });
  const s = data?.systemStatus;
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <PageHead title="System" subtitle="The live link of this browser, and the platform behind it." />
      <Panel
        title="Live link"
        actions={
          <button onClick={() => link.reconnect()} disabled={status.state !== 'connected'}>
            Reconnect now
          </button>
        }
      >
        <div className="link-state" data-testid="link-state" data-state={status.state}>
          <span className={`dot dot-${status.state}`} />
          <span className="link-label">{LINK_LABEL[status.state]}</span>
          <span className="muted small">for {duration((Date.now() - status.since.getTime()) / 1000)}</span>
        </div>
        <dl className="facts">
          <dt>Reconnections</dt>
          <dd data-testid="link-reconnects">{status.reconnects}</dd>
          <dt>Failed attempts</dt>
          <dd>{status.failures}</dd>
          <dt>Last close</dt>
          <dd data-testid="link-last-close">
            {status.lastClose ? (
              <>
                {closeInWords(status.lastClose.code, status.lastClose.reason)} at {clock(status.lastClose.at)}{' '}
                <span className="muted small">(code {status.lastClose.code})</span>
              </>
            ) : (
              '—'
            )}
          </dd>
        </dl>
        <p className="muted small">
          Subscriptions share one WebSocket. When it drops, it retries by itself (back-off up to 5 s); once back, every subscription resumes with its
          current value and every figure on screen is read again. If the server refuses your sign-in (expired or revoked), you are asked to sign in again and stay on the page.
        </p>
      </Panel>
      <ErrorNote error={error} what="Could not read the system status" />
      {loading && !s ? (
        <Loading />
      ) : s ? (
        <>
          <div className="stats">
            {s.dependencies.map((d) => (
              <Stat
                key={d.name}
                label={d.name === 'postgres' ? 'Postgres' : d.name === 'redis' ? 'Redis' : d.name}
                value={d.ok ? 'up' : 'down'}
                hint={d.ok ? `${d.latencyMs?.toFixed(1)} ms` : (d.error ?? undefined)}
                testId={`dep-${d.name}`}
              />
            ))}
            <Stat label="Outbox backlog" value={s.outboxPending === null ? '?' : int(s.outboxPending)} hint="events not yet queued" testId="outbox" />
            <Stat
              label="Feature store"
              value={FEATURE_STORE[s.featureStore.health]}
              hint={
                s.featureStore.lastRebuild
                  ? `rebuilt ${clock(s.featureStore.lastRebuild.finishedAt ?? s.featureStore.lastRebuild.startedAt)}: ${s.featureStore.lastRebuild.reason}`
                  : undefined
              }
              testId="feature-store"
            />
            <Stat label="This instance" value={s.instance.role} hint={`up ${duration(s.instance.uptimeSeconds)}`} />
          </div>
          <Panel title="Queues and workers" actions={<span className="muted small">read {clock(s.checkedAt)}</span>}>
            <div className="table-wrap">
              <table className="table cards" data-testid="queue-table">
                <thead>
                  <tr>
                    <th>Queue</th>
                    <th>Health</th>
                    <th className="num">Waiting</th>
                    <th className="num">Active</th>
                    <th className="num">Delayed</th>
                    <th className="num">Failed</th>
                    <th className="num">Completed</th>
                    <th>Workers</th>
                  </tr>
                </thead>
                <tbody>
                  {s.queues.map((q) => (
                    <tr key={q.name} data-queue={q.name}>
                      <td className="strong card-title">{q.name}</td>
                      <td data-label="Health">
                        <Badge tone={HEALTH[q.health].tone}>{HEALTH[q.health].label}</Badge>
                      </td>
                      <td className="num" data-label="Waiting">{int(q.waiting)}</td>
                      <td className="num" data-label="Active">{int(q.active)}</td>
                      <td className="num" data-label="Delayed">{int(q.delayed)}</td>
                      <td className={`num ${q.failed ? 'text-red' : ''}`} data-label="Failed">
                        {int(q.failed)}
                      </td>
                      <td className="num" data-label="Completed">{int(q.completed)}</td>
                      <td className="small card-wide" data-label="Workers">
                        {q.workers.length === 0
                          ? '—'
                          : q.workers.map((w) => (
                              <div key={w.name + w.address}>
                                {w.address} <span className="muted">· up {duration(w.ageSeconds)} · idle {w.idleSeconds} s</span>
                              </div>
                            ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </>
      ) : null}
    </>
  );
}
