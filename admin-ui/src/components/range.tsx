// The time range of the charts, shared by the campaign and sales pages (picking "last 7 days" on one shows the
// same range on the other, for the tab's lifetime): a rolling preset or a custom span, and the bucket per point.
// The server's series hold at most 2,000 buckets (Campaign.series, salesMetrics), so a bucket is offered only when
// the range fits in 2,000 of them.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { toLocalInput } from '../format';

export type Bucket = 'MINUTE' | 'HOUR';
export type Preset = '15m' | '1h' | '1d' | '7d';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const BUCKET_MS: Record<Bucket, number> = { MINUTE: MINUTE_MS, HOUR: HOUR_MS };
const MAX_BUCKETS = 2000;

export const PRESETS: Record<Preset, { label: string; title: string; ms: number; bucket: Bucket }> = {
  '15m': { label: '15 min', title: 'Last 15 minutes', ms: 15 * MINUTE_MS, bucket: 'MINUTE' },
  '1h': { label: '1 h', title: 'Last hour', ms: HOUR_MS, bucket: 'MINUTE' },
  '1d': { label: '1 day', title: 'Last 24 hours', ms: 24 * HOUR_MS, bucket: 'HOUR' },
  '7d': { label: '7 days', title: 'Last 7 days', ms: 7 * 24 * HOUR_MS, bucket: 'HOUR' },
};

/** What the admin picked: a preset (rolling with the clock) or fixed custom bounds; and the bucket. */
export type RangeChoice = { preset: Preset; bucket: Bucket } | { preset: 'custom'; from: string; to: string; bucket: Bucket };

/** A range resolved against the clock, as the pages query it. */
export interface Range {
  choice: RangeChoice;
  from: Date;
  to: Date;
  bucket: Bucket;
  /** The range ends now and moves with the clock: live pushes add to its last bucket. */
  rolling: boolean;
  /** How the range reads in a subtitle ("Last 7 days, per hour"). */
  title: string;
}

const STORAGE_KEY = 'flywheel.admin.range';
const listeners = new Set<() => void>();

function loadChoice(): RangeChoice {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as RangeChoice | null;
    if (stored && (stored.preset === 'custom' || stored.preset in PRESETS) && (stored.bucket === 'MINUTE' || stored.bucket === 'HOUR')) return stored;
  } catch {
    // A damaged entry: the default.
  }
  return { preset: '1h', bucket: 'MINUTE' };
}

let choice = loadChoice();

export function setRangeChoice(next: RangeChoice): void {
  choice = next;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  for (const l of listeners) l();
}

/** Whether `bucket` can draw a span of `ms` within the server's 2,000 buckets. */
export const bucketFits = (bucket: Bucket, ms: number): boolean => ms / BUCKET_MS[bucket] <= MAX_BUCKETS;

/** The current minute, moving on a few seconds after each minute ends so that the per-minute rollup has covered it. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setTimeout(() => setNow(Date.now()), MINUTE_MS - (Date.now() % MINUTE_MS) + 3000);
    return () => clearTimeout(timer);
  }, [now]);
  return Math.floor(now / MINUTE_MS) * MINUTE_MS;
}

/** The shared range, resolved against the clock: bounds aligned to the bucket, the last bucket the current one. */
export function useRange(): Range {
  const c = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => choice,
  );
  const minute = useMinuteClock();
  return useMemo(() => {
    const size = BUCKET_MS[c.bucket];
    const by = c.bucket === 'HOUR' ? 'per hour' : 'per minute';
    if (c.preset === 'custom') {
      const from = new Date(Math.floor(new Date(c.from).getTime() / size) * size);
      const to = new Date(Math.ceil(new Date(c.to).getTime() / size) * size);
      return { choice: c, from, to, bucket: c.bucket, rolling: false, title: `${rangeLabel(from, to)}, ${by}` };
    }
    const p = PRESETS[c.preset];
    const to = Math.floor(minute / size) * size + size;
    return { choice: c, from: new Date(to - p.ms), to: new Date(to), bucket: c.bucket, rolling: true, title: `${p.title}, ${by}` };
  }, [c, minute]);
}

const day = (d: Date) => d.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const rangeLabel = (from: Date, to: Date) => `${day(from)} – ${day(to)}`;

/** A point's label on the time axis: the time, with the day when the range spans more than one. */
export function axisLabel(at: string | Date, range: Pick<Range, 'from' | 'to'>): string {
  const d = new Date(at);
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return range.to.getTime() - range.from.getTime() > 24 * HOUR_MS ? `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${hm}` : hm;
}

/** The picker: presets, a custom span (two local date-times), and the bucket. */
export function RangePicker({ range }: { range: Range }) {
  const c = range.choice;
  const [draft, setDraft] = useState(() => ({ from: toLocalInput(range.from), to: toLocalInput(range.to) }));
  const [problem, setProblem] = useState<string | null>(null);
  const spanMs = range.to.getTime() - range.from.getTime();

  const pick = (preset: Preset) => {
    setProblem(null);
    setRangeChoice({ preset, bucket: PRESETS[preset].bucket });
  };
  const applyCustom = () => {
    const from = new Date(draft.from);
    const to = new Date(draft.to);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return setProblem('Give both a start and an end.');
    if (to <= from) return setProblem('The end must come after the start.');
    const ms = to.getTime() - from.getTime();
    const bucket: Bucket = ms <= 6 * HOUR_MS && bucketFits('MINUTE', ms) ? 'MINUTE' : 'HOUR';
    if (!bucketFits(bucket, ms)) return setProblem('At most 2,000 hours (about 83 days) at once.');
    setProblem(null);
    setRangeChoice({ preset: 'custom', from: from.toISOString(), to: to.toISOString(), bucket });
  };

  return (
    <div className="range" data-testid="range-picker">
      <div className="segmented" role="group" aria-label="Time range">
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <button key={p} className={c.preset === p ? 'on' : ''} aria-pressed={c.preset === p} title={PRESETS[p].title} onClick={() => pick(p)}>
            {PRESETS[p].label}
          </button>
        ))}
        <button
          className={c.preset === 'custom' ? 'on' : ''}
          aria-pressed={c.preset === 'custom'}
          aria-expanded={c.preset === 'custom'}
          onClick={() => {
            setDraft({ from: toLocalInput(range.from), to: toLocalInput(range.to) });
            setRangeChoice({ preset: 'custom', from: range.from.toISOString(), to: range.to.toISOString(), bucket: range.bucket });
          }}
        >
          Custom
        </button>
      </div>
      <div className="segmented" role="group" aria-label="Bucket">
        {(['MINUTE', 'HOUR'] as Bucket[]).map((b) => (
          <button
            key={b}
            className={range.bucket === b ? 'on' : ''}
            aria-pressed={range.bucket === b}
            disabled={!bucketFits(b, spanMs)}
            title={bucketFits(b, spanMs) ? undefined : 'Too many points for this range'}
            onClick={() => setRangeChoice({ ...c, bucket: b })}
          >
            {b === 'MINUTE' ? 'per minute' : 'per hour'}
          </button>
        ))}
      </div>
      {c.preset === 'custom' && (
        <div className="range-custom">
          <label>
            From <input type="datetime-local" aria-label="From" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
          </label>
          <label>
            to <input type="datetime-local" aria-label="To" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          </label>
          <button onClick={applyCustom}>Apply</button>
          {problem && (
            <span className="field-problem" role="alert">
              {problem}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
