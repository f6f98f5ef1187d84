// Configuring the A/B experiment from the Models page (configureExperiment): variants with a name, a share of
// shoppers and what serves them (the active model, popularity, co-occurrence or a trained version); and stopping a
// split, which serves every shopper one variant's model. Either replaces the experiment in force: its counts start
// again from zero. The server checks names, weights and models and names each bad field (variants.1.name).
import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { ErrorNote } from '../components/ui';
import { CONFIGURE_EXPERIMENT, type ExperimentResults, type ModelVersion } from '../graphql/models';

interface Row {
  name: string;
  weight: string;
  model: string;
}

const BUILT_IN = [
  { value: 'active', label: 'active model (whichever serves)' },
  { value: 'popularity', label: 'popularity only' },
  { value: 'co-occurrence', label: 'co-occurrence only (no model)' },
];

export function ExperimentForm({ versions, onDone, onCancel }: { versions: ModelVersion[]; onDone: () => void; onCancel: () => void }) {
  const [rows, setRows] = useState<Row[]>([
    { name: 'A', weight: '50', model: 'active' },
    { name: 'B', weight: '50', model: 'popularity' },
  ]);
  const [configure, { loading, error }] = useMutation(CONFIGURE_EXPERIMENT);
  const models = [...BUILT_IN, ...versions.map((v) => ({ value: v.id, label: `${v.algorithm} ${v.id} (${v.status.toLowerCase()}, NDCG@10 ${v.metrics.ndcgAt10.toFixed(3)})` }))];
  const set = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  const total = rows.reduce((s, r) => s + (Number(r.weight) > 0 ? Number(r.weight) : 0), 0);

  const start = async () => {
    try {
      await configure({ variables: { variants: rows.map((r) => ({ name: r.name.trim(), weight: Number(r.weight), model: r.model })) } });
      onDone();
    } catch {
      // Shown from the mutation's error state.
    }
  };

  return (
    <div className="experiment-form" data-testid="experiment-form">
      <p className="muted small">
        Each shopper always sees the same variant (a stable hash of their id). Starting replaces the experiment in force; its counts start from zero.
      </p>
      <div className="variant-rows">
        {rows.map((r, i) => (
          <div className="variant-row" key={i} data-testid="variant-row">
            <label>
              Name
              <input value={r.name} aria-label={`Variant ${i + 1} name`} onChange={(e) => set(i, { name: e.target.value })} />
            </label>
            <label>
              Serves
              <select value={r.model} aria-label={`Variant ${i + 1} model`} onChange={(e) => set(i, { model: e.target.value })}>
                {models.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Share
              <input
                type="number"
                min={1}
                step={1}
                value={r.weight}
                aria-label={`Variant ${i + 1} share`}
                onChange={(e) => set(i, { weight: e.target.value })}
              />
            </label>
            <span className="muted small variant-share">{total > 0 && Number(r.weight) > 0 ? `${Math.round((Number(r.weight) / total) * 100)} % of shoppers` : ''}</span>
            {rows.length > 2 && (
              <button className="link-button" onClick={() => setRows((rs) => rs.filter((_, k) => k !== i))}>
                Remove
              </button>
            )}
          </div>
        ))}
      </div>
      <ErrorNote error={error} what="Could not start the experiment" />
      <div className="actions">
        {rows.length < 10 && (
          <button onClick={() => setRows((rs) => [...rs, { name: String.fromCharCode(65 + rs.length), weight: '50', model: 'active' }])}>Add a variant</button>
        )}
        <button className="primary" disabled={loading} onClick={start}>
          {loading ? 'Starting…' : 'Start experiment'}
        </button>
        <button onClick={onCancel}>Cancel</button>
      </div>
    </div>
  );
}

/** Ends the split: every shopper gets the chosen variant's model (a one-variant experiment), counted from zero. */
export function StopExperiment({ results, onDone }: { results: ExperimentResults; onDone: () => void }) {
  const [keep, setKeep] = useState(results.variants[0]?.name ?? '');
  const [configure, { loading, error }] = useMutation(CONFIGURE_EXPERIMENT);
  const variant = results.variants.find((v) => v.name === keep);
  if (results.variants.length < 2) return null;
  const stop = async () => {
    if (!variant) return;
    try {
      await configure({ variables: { variants: [{ name: variant.name, weight: 1, model: variant.model }] } });
      onDone();
    } catch {
      // Shown from the mutation's error state.
    }
  };
  return (
    <div className="actions stop-experiment">
      <label className="small">
        Stop and serve everyone{' '}
        <select aria-label="Variant to keep" value={keep} onChange={(e) => setKeep(e.target.value)}>
          {results.variants.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name} ({v.model})
            </option>
          ))}
        </select>
      </label>
      <button disabled={loading || !variant} onClick={stop}>
        Stop experiment
      </button>
      <ErrorNote error={error} what="Could not stop the experiment" />
    </div>
  );
}
