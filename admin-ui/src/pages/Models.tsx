// Models: versions with their hold-out metrics (each explained in a sentence) and which one serves, their quality
// over time, what each training chose for this store, retraining with its progress, and the results of the A/B
// experiment in force with a verdict in words.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, COLORS } from '../components/charts';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { dateTime, duration, int, metric, money } from '../format';
import { EXPERIMENT_RESULTS, MODEL_TRAINED, MODELS, RETRAIN, TRAINING_RUN, type ExperimentResults, type ModelVersion, type TrainingRun } from '../graphql/models';
import { useLive } from '../live-context';
import { verdict } from '../verdict';
import { ExperimentForm, StopExperiment } from './ExperimentForm';

/** '' sends no algorithm: the platform trains what TRAIN_ALGORITHM says (auto by default), as its scheduled runs do. */
const ALGORITHMS: Array<{ value: string; label: string }> = [
  { value: '', label: 'platform default' },
  { value: 'auto', label: 'auto (best of ALS, EASE, blends)' },
  ...['als', 'ease', 'ensemble', 'sar', 'bpr', 'itemknn'].map((a) => ({ value: a, label: a })),
];

/** One sentence per figure, on hover over the column (and listed under the table for touch screens). */
const METRIC_HELP = {
  ndcg: 'NDCG@10: how high the products a shopper went on to use sit in their top 10 (1 = all at the very top, 0 = none in the list).',
  baseline: 'vs. active recipe: NDCG@10 of the model serving now, retrained on the same data, for a fair comparison; the new version is promoted only if it does at least as well.',
  precision: 'P@10 (precision): the share of the 10 recommended products that the shopper went on to use.',
  recall: "R@10 (recall): the share of the products the shopper went on to use that made it into the top 10.",
  map: 'MAP: like precision, but rewards putting the right products first; averaged over shoppers.',
  users: 'Hold-out users: shoppers whose latest interactions were hidden from training and used to grade it.',
  events: 'Events: the interactions the version was trained on.',
  decay: 'Time decay: how fast older interactions lose weight in training, chosen on the hold-out for this store.',
} as const;
const STATUS_TONE: Record<ModelVersion['status'], 'green' | 'blue' | 'red' | 'grey'> = {
  ACTIVE: 'green',
  CANDIDATE: 'blue',
  REJECTED: 'red',
  RETIRED: 'grey',
};

export function Models() {
  const { linkUp } = useLive();
  const models = useQuery(MODELS);
  const experiment = useQuery(EXPERIMENT_RESULTS, { pollInterval: 5000, skipPollAttempt: () => !linkUp() });
  // A version trained anywhere (schedule, event count, another admin) shows up at once.
  useSubscription(MODEL_TRAINED, { onData: () => void models.refetch() });
  const versions = models.data?.models.edges.map((e) => e.node) ?? [];
  const activeId = models.data?.activeModel?.id;

  return (
    <>
      <PageHead title="Models" subtitle="Each training is evaluated on a hold-out and promoted only if its NDCG@10 is at least as good." />
      <Retrain onFinished={() => void models.refetch()} />
      <Panel title="Versions">
        <ErrorNote error={models.error} what="Could not load models" />
        {models.loading && !models.data ? (
          <Loading />
        ) : versions.length === 0 ? (
          <Empty>No model trained yet: recommendations come from real-time co-occurrence and popularity. Train one above.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table cards" data-testid="model-table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Status</th>
                  <th className="num help" title={METRIC_HELP.ndcg}>NDCG@10</th>
                  <th className="num help" title={METRIC_HELP.baseline}>vs. active recipe</th>
                  <th className="num help" title={METRIC_HELP.precision}>P@10</th>
                  <th className="num help" title={METRIC_HELP.recall}>R@10</th>
                  <th className="num help" title={METRIC_HELP.map}>MAP</th>
                  <th className="num help" title={METRIC_HELP.users}>Hold-out users</th>
                  <th className="num help" title={METRIC_HELP.events}>Events</th>
                  <th className="help" title={METRIC_HELP.decay}>Time decay</th>
                  <th>Trained</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} className={v.id === activeId ? 'row-active' : ''}>
                    <td className="card-title">
                      <span className="strong">{family(v.algorithm, ensembleParts(v.params))}</span> <code className="small">{v.id}</code>
                    </td>
                    <td data-label="Status">
                      <Badge tone={STATUS_TONE[v.status]}>{v.id === activeId ? 'active · serving' : v.status.toLowerCase()}</Badge>
                    </td>
                    <td className="num strong" data-label="NDCG@10">{metric(v.metrics.ndcgAt10)}</td>
                    <td className="num" data-label="vs. active recipe">{metric(v.metrics.baselineNdcgAt10)}</td>
                    <td className="num" data-label="P@10">{metric(v.metrics.precisionAt10)}</td>
                    <td className="num" data-label="R@10">{metric(v.metrics.recallAt10)}</td>
                    <td className="num" data-label="MAP">{metric(v.metrics.map)}</td>
                    <td className="num" data-label="Hold-out users">{int(v.metrics.users)}</td>
                    <td className="num" data-label="Events">{int(v.trainingEvents)}</td>
                    <td data-label="Time decay">{decay(v.halfLifeDays)}</td>
                    <td className="card-wide" data-label="Trained">
                      {dateTime(v.trainedAt)} <span className="muted small">({duration(v.durationMs / 1000)})</span>
                      {v.choices.length > 1 && <Tuning version={v} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {versions.length > 0 && (
          <details className="explain">
            <summary>What these figures mean</summary>
            <ul className="small" data-testid="metric-help">
              {Object.values(METRIC_HELP).map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ul>
          </details>
        )}
      </Panel>
      {versions.length > 1 && <QualityOverTime versions={versions} activeId={activeId} />}
      <Experiment
        results={experiment.data?.experimentResults ?? null}
        loading={experiment.loading && !experiment.data}
        error={experiment.error}
        versions={versions}
        onChanged={() => void experiment.refetch()}
      />
    </>
  );
}

const STEPS: Array<TrainingRun['status']> = ['QUEUED', 'RUNNING', 'SUCCEEDED'];

/** Starts a training and follows it: queued, running (with elapsed time), then the version it produced. */
function Retrain({ onFinished }: { onFinished: () => void }) {
  const [algorithm, setAlgorithm] = useState('');
  const [retrain, started] = useMutation(RETRAIN);
  const [runId, setRunId] = useState<string | null>(null);
  const run = useQuery(TRAINING_RUN, { variables: { id: runId ?? '' }, skip: !runId, pollInterval: 1000, fetchPolicy: 'network-only' });
  const r = run.data?.trainingRun ?? started.data?.retrainModel;
  // SKIPPED too: the request may have joined a scheduled run waiting on a store with too little data.
  const finished = r?.status === 'SUCCEEDED' || r?.status === 'FAILED' || r?.status === 'SKIPPED';
  const ended = r?.status === 'FAILED' ? 'Failed' : r?.status === 'SKIPPED' ? 'Skipped' : 'Done';
  const [, tick] = useState(0);

  useEffect(() => {
    if (finished) {
      run.stopPolling();
      onFinished();
      return;
    }
    if (!runId) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
    // Runs once per change of the run's state, not on every poll result.
  }, [finished, runId]);

  const start = async () => {
    try {
      const res = await retrain({ variables: { algorithm: algorithm || null } });
      if (res.data) setRunId(res.data.retrainModel.id);
    } catch {
      // Shown from the mutation's error state.
    }
  };
  const since = r?.startedAt ?? r?.requestedAt;
  const elapsed = since ? ((r?.finishedAt ? new Date(r.finishedAt).getTime() : Date.now()) - new Date(since).getTime()) / 1000 : 0;
  const stepIndex = r ? (r.status === 'FAILED' || r.status === 'SKIPPED' ? 2 : STEPS.indexOf(r.status)) : -1;

  return (
    <Panel
      title="Retrain"
      actions={
        <div className="actions">
          <select aria-label="Algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.target.value)}>
            {ALGORITHMS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
          <button className="primary" onClick={start} disabled={started.loading || (!!r && !finished)}>
            {r && !finished ? 'Training…' : 'Retrain now'}
          </button>
        </div>
      }
    >
      <ErrorNote error={started.error} what="Could not start training" />
      {!r ? (
        <p className="muted">
          Trains on all events so far, evaluates on a hold-out, and promotes the new version if it is at least as good. The platform default
          (TRAIN_ALGORITHM, <code>auto</code> unless set) is what scheduled trainings use.
        </p>
      ) : (
        <div className="progress" data-testid="training-progress" data-status={r.status}>
          <ol className="steps">
            {['Queued', 'Running', ended].map((label, i) => (
              <li key={label} className={i < stepIndex || finished ? 'done' : i === stepIndex ? 'current' : ''}>
                {label}
              </li>
            ))}
          </ol>
          {!finished && <div className="bar indeterminate" />}
          <p className="small">
            Run <code>{r.id}</code> ({r.algorithm}, {r.trigger.toLowerCase()}): {r.status.toLowerCase()}
            {since && ` · ${duration(elapsed)}`}
            {r.status === 'SUCCEEDED' && r.model && (
              <>
                {' '}
                · version <code>{r.model.id}</code> NDCG@10 {metric(r.model.metrics.ndcgAt10)},{' '}
                {r.model.status === 'ACTIVE' ? 'promoted: it serves now' : `${r.model.status.toLowerCase()}: the active model stays`}
              </>
            )}
            {r.status === 'FAILED' && <span className="text-red"> · {r.error}</span>}
            {r.status === 'SKIPPED' && <span> · {r.error}</span>}
          </p>
        </div>
      )}
    </Panel>
  );
}

function Experiment(props: {
  results: ExperimentResults | null;
  loading: boolean;
  error: unknown;
  versions: ModelVersion[];
  onChanged: () => void;
}) {
  const { results, loading, error, versions, onChanged } = props;
  const [editing, setEditing] = useState(false);
  const base = results?.variants[0];
  return (
    <Panel
      title="A/B experiment"
      actions={
        !editing && (
          <button className="primary" onClick={() => setEditing(true)}>
            New experiment
          </button>
        )
      }
    >
      <ErrorNote error={error} what="Could not load the experiment" />
      {editing && (
        <ExperimentForm
          versions={versions}
          onCancel={() => setEditing(false)}
          onDone={() => {
            setEditing(false);
            onChanged();
          }}
        />
      )}
      {loading ? (
        <Loading />
      ) : !results || !base ? (
        <Empty>No experiment runs: every shopper gets the active model. Start one to compare models on real shoppers.</Empty>
      ) : (
        <>
          <ul className="verdicts" data-testid="experiment-verdicts">
            {results.variants.slice(1).map((v) => {
              const { tone, text } = verdict(v, base);
              return (
                <li key={v.name} className={`note note-${tone === 'green' ? 'ok' : tone === 'red' ? 'error' : 'plain'}`} data-variant={v.name}>
                  {text}
                </li>
              );
            })}
          </ul>
          <p className="muted small">
            Since {dateTime(results.experiment.createdAt)}. Shoppers are split by a stable hash of their id; clicks and purchases from a list count for its
            variant. Clicks per list served: the storefront sends no impressions of the lists, so this is clicks divided by lists served, not a click-through
            rate on items seen (it may exceed 1). Significance: a two-proportion z-test against the first variant.
          </p>
          <div className="table-wrap">
            <table className="table cards" data-testid="experiment-table">
              <thead>
                <tr>
                  <th>Variant</th>
                  <th>Model</th>
                  <th className="num">Weight</th>
                  <th className="num">Lists</th>
                  <th className="num">Clicks</th>
                  <th className="num help" title="Clicks divided by lists served (not by items seen).">
                    Clicks per list
                  </th>
                  <th className="num">Purchases</th>
                  <th className="num">Revenue</th>
                  <th className="num help" title="The chance of a difference at least this large if the variants were equally good: below 0.05 is significant at 95 %.">
                    p-value
                  </th>
                </tr>
              </thead>
              <tbody>
                {results.variants.map((v, i) => (
                  <tr key={v.name}>
                    <td className="strong card-title">{v.name}</td>
                    <td data-label="Model">
                      <code className="small">{v.model}</code>
                    </td>
                    <td className="num" data-label="Weight">{v.weight}</td>
                    <td className="num" data-label="Lists">{int(v.listsServed)}</td>
                    <td className="num" data-label="Clicks">{int(v.clicks)}</td>
                    <td className="num" data-label="Clicks per list">{v.clickThroughRate.toFixed(3)}</td>
                    <td className="num" data-label="Purchases">{int(v.purchases)}</td>
                    <td className="num" data-label="Revenue">{money(v.revenue)}</td>
                    <td className="num" data-label="p-value">
                      {i === 0 ? (
                        <span className="muted">baseline</span>
                      ) : v.pValue === null ? (
                        <span className="muted" title="Not enough lists or clicks yet">—</span>
                      ) : v.pValue < 0.05 ? (
                        <strong title="Significant at 95 %">{v.pValue.toFixed(3)}</strong>
                      ) : (
                        v.pValue.toFixed(3)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <StopExperiment key={results.experiment.id} results={results} onDone={onChanged} />
        </>
      )}
    </Panel>
  );
}

/** NDCG@10 of each version in training order, next to the active recipe's on the same data. */
function QualityOverTime({ versions, activeId }: { versions: ModelVersion[]; activeId: string | undefined }) {
  const points = [...versions]
    .sort((a, b) => new Date(a.trainedAt).getTime() - new Date(b.trainedAt).getTime())
    .map((v) => ({
      label: dateTime(v.trainedAt),
      ndcg: Number(v.metrics.ndcgAt10.toFixed(4)),
      baseline: v.metrics.baselineNdcgAt10 === null || v.metrics.baselineNdcgAt10 === undefined ? null : Number(v.metrics.baselineNdcgAt10.toFixed(4)),
      version: `${family(v.algorithm, ensembleParts(v.params))}${v.id === activeId ? ' (serving)' : ''}`,
    }));
  return (
    <Panel title="Quality over time" actions={<span className="muted small help" title={METRIC_HELP.ndcg}>NDCG@10 per version, higher is better</span>}>
      <ChartFrame height={220}>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={28} />
          <YAxis tick={{ fontSize: 11 }} domain={[0, 'auto']} />
          <Tooltip
            formatter={(value, name) => [Number(value).toFixed(4), name]}
            labelFormatter={(label, payload) => `${label} · ${(payload?.[0]?.payload as { version?: string } | undefined)?.version ?? ''}`}
          />
          <Line dataKey="ndcg" name="NDCG@10" stroke={COLORS.clicks} strokeWidth={2} isAnimationActive={false} />
          <Line dataKey="baseline" name="active recipe on the same data" stroke="#98a2b3" strokeDasharray="4 3" isAnimationActive={false} connectNulls />
        </LineChart>
      </ChartFrame>
    </Panel>
  );
}

/** What the training tried for this store on its hold-out, and what it kept. */
function Tuning({ version }: { version: ModelVersion }) {
  const best = Math.max(...version.choices.map((c) => c.ndcgAt10));
  return (
    <details className="tuning" data-testid="tuning">
      <summary className="small">
        chose {family(version.algorithm, ensembleParts(version.params))}, decay {decay(version.halfLifeDays)}: best of {version.choices.length} tried
      </summary>
      <ul className="small">
        {[...version.choices]
          .sort((a, b) => b.ndcgAt10 - a.ndcgAt10)
          .map((c, i) => (
            <li key={i} className={c.ndcgAt10 === best ? 'strong' : ''}>
              {family(c.algorithm, c.parts)}, decay {decay(c.halfLifeDays)} → NDCG@10 {c.ndcgAt10.toFixed(4)}
            </li>
          ))}
      </ul>
      {settings(version.params) && <p className="small muted">Settings kept: {settings(version.params)}</p>}
    </details>
  );
}

/** The hyper-parameters stored with a version, per family for an ensemble ("als: factors 64, alpha 2; ease: lambda 250"). */
function settings(params: unknown): string {
  const scalars = (p: unknown) =>
    p && typeof p === 'object'
      ? Object.entries(p)
          .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')
          .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`)
          .join(', ')
      : '';
  const parts = (params as { parts?: unknown } | null)?.parts;
  if (Array.isArray(parts)) {
    return parts
      .map((part: { algorithm?: unknown; params?: unknown }) => (scalars(part?.params) ? `${String(part?.algorithm)}: ${scalars(part.params)}` : ''))
      .filter(Boolean)
      .join('; ');
  }
  return scalars(params);
}

/** A half-life as a marketer reads it. */
function decay(halfLifeDays: number | null): string {
  if (halfLifeDays === null) return '—';
  return halfLifeDays > 0 ? `halves every ${halfLifeDays} d` : 'none';
}

/** A family, or an ensemble with its blend ("ensemble (als 0.8 + ease 0.2)"). */
function family(algorithm: string, parts: ReadonlyArray<{ algorithm: string; weight: number }> | null | undefined): string {
  return parts?.length ? `${algorithm} (${parts.map((p) => `${p.algorithm} ${Number(p.weight.toFixed(3))}`).join(' + ')})` : algorithm;
}

/** An ensemble version's parts, from its stored parameters. */
function ensembleParts(params: unknown): Array<{ algorithm: string; weight: number }> | null {
  const parts = (params as { parts?: unknown } | null)?.parts;
  return Array.isArray(parts) ? parts.filter((p): p is { algorithm: string; weight: number } => typeof p?.algorithm === 'string' && typeof p?.weight === 'number') : null;
}
