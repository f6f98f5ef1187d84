// Models: versions with their hold-out metrics and which one serves, retraining with its progress, and the
// results of the A/B experiment in force.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { dateTime, duration, int, metric, money, pct } from '../format';
import { EXPERIMENT_RESULTS, MODEL_TRAINED, MODELS, RETRAIN, TRAINING_RUN, type ExperimentResults, type ModelVersion, type TrainingRun } from '../graphql/models';
import { useLive } from '../live-context';

/** `auto` (the platform's default) first: ALS, EASE and their ensemble, the best on the training's hold-out. */
const ALGORITHMS = ['auto', 'als', 'ease', 'ensemble', 'sar', 'bpr', 'itemknn'];
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
                  <th className="num">NDCG@10</th>
                  <th className="num">vs. active recipe</th>
                  <th className="num">P@10</th>
                  <th className="num">R@10</th>
                  <th className="num">MAP</th>
                  <th className="num">Hold-out users</th>
                  <th className="num">Events</th>
                  <th>Time decay</th>
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
                    <td data-label="Time decay" title={choices(v)}>
                      {decay(v.halfLifeDays)}
                      {v.choices.length > 1 && <span className="muted small"> (best of {v.choices.length} tried)</span>}
                    </td>
                    <td className="card-wide" data-label="Trained">
                      {dateTime(v.trainedAt)} <span className="muted small">({duration(v.durationMs / 1000)})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Experiment results={experiment.data?.experimentResults ?? null} loading={experiment.loading && !experiment.data} error={experiment.error} />
    </>
  );
}

const STEPS: Array<TrainingRun['status']> = ['QUEUED', 'RUNNING', 'SUCCEEDED'];

/** Starts a training and follows it: queued, running (with elapsed time), then the version it produced. */
function Retrain({ onFinished }: { onFinished: () => void }) {
  const [algorithm, setAlgorithm] = useState('auto');
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
      const res = await retrain({ variables: { algorithm } });
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
              <option key={a}>{a}</option>
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
        <p className="muted">Trains on all events so far, evaluates on a hold-out, and promotes the new version if it is at least as good.</p>
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

function Experiment({ results, loading, error }: { results: ExperimentResults | null; loading: boolean; error: unknown }) {
  return (
    <Panel title="A/B experiment">
      <ErrorNote error={error} what="Could not load the experiment" />
      {loading ? (
        <Loading />
      ) : !results ? (
        <Empty>
          No experiment runs. Configure one with <code>configureExperiment</code> (the demo splits users between the active model and popularity).
        </Empty>
      ) : (
        <>
          <p className="muted small">
            Since {dateTime(results.experiment.createdAt)}. Users are split by a stable hash of their id; clicks and purchases from a list count for its
            variant. p-value: two-proportion z-test of click-through against the first variant.
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
                  <th className="num">CTR</th>
                  <th className="num">Purchases</th>
                  <th className="num">Revenue</th>
                  <th className="num">p-value</th>
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
                    <td className="num" data-label="CTR">{pct(v.clickThroughRate, 2)}</td>
                    <td className="num" data-label="Purchases">{int(v.purchases)}</td>
                    <td className="num" data-label="Revenue">{money(v.revenue)}</td>
                    <td className="num" data-label="p-value">
                      {i === 0 ? (
                        <span className="muted">baseline</span>
                      ) : v.pValue === null ? (
                        <span className="muted" title="Not enough lists or clicks yet">—</span>
                      ) : v.pValue < 0.05 ? (
                        <strong title="Significant at 5%">{v.pValue.toFixed(3)}</strong>
                      ) : (
                        v.pValue.toFixed(3)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  );
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

/** What the training tried on its hold-out, for the cell's tooltip. */
function choices(v: ModelVersion): string | undefined {
  if (v.choices.length < 2) return undefined;
  return `Chosen on the hold-out: ${v.choices.map((c) => `${family(c.algorithm, c.parts)}, decay ${decay(c.halfLifeDays)} → NDCG@10 ${c.ndcgAt10.toFixed(3)}`).join('; ')}`;
}
