// Small building blocks shared by the pages.
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { closeInWords, FORBIDDEN_CLOSE_CODE } from '../live-link';

/** A headline figure; it flashes when its value changes so that live updates catch the eye. */
export function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  const previous = useRef(value);
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    if (previous.current !== value) {
      previous.current = value;
      setChanges((n) => n + 1);
    }
  }, [value]);
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">{label}</div>
      {/* A new key restarts the CSS animation on every change. */}
      <div key={changes} className={changes ? 'stat-value flash' : 'stat-value'} data-testid={testId ? `${testId}-value` : undefined}>
        {value}
      </div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function Panel({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`}>
      {(title || actions) && (
        <header className="panel-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="panel-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function PageHead({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function Badge({ tone, children }: { tone: 'green' | 'amber' | 'red' | 'blue' | 'grey'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE = { ACTIVE: 'green', PAUSED: 'amber', DRAFT: 'blue', ENDED: 'grey' } as const;
export function CampaignStatusBadge({ status }: { status: keyof typeof STATUS_TONE }) {
  return <Badge tone={STATUS_TONE[status]}>{status.toLowerCase()}</Badge>;
}

interface Problem {
  field: string;
  message: string;
}

/** Messages of a failed operation, with each bad field the server named (extensions.problems). */
export function errorMessages(error: unknown): string[] {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.flatMap((e) => {
      const problems = e.extensions?.problems as Problem[] | undefined;
      return problems?.length ? problems.map((p) => `${p.field}: ${p.message}`) : [e.message];
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return [liveLinkMessage(message) ?? message];
}

/**
 * Apollo's WebSocket link turns a close of the live link under a subscription into `Socket closed with event 4403
 * Forbidden`: protocol jargon. What it means for the page, in words (the code stays on the System page).
 */
function liveLinkMessage(message: string): string | null {
  const m = /^Socket closed(?: with event (\d+))?\s*(.*)$/.exec(message);
  if (!m) return null;
  const code = m[1] ? Number(m[1]) : 1006;
  if (code === FORBIDDEN_CLOSE_CODE) return 'Live updates stopped: the server no longer accepts your sign-in. Sign in again to resume them.';
  return `Live updates stopped: ${closeInWords(code, m[2] ?? '')}. They resume by themselves once the platform answers; reload the page if they do not.`;
}

export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  return (
    <div className="note note-error" role="alert">
      {what && <strong>{what}: </strong>}
      {errorMessages(error).join('; ')}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading() {
  return <p className="muted">Loading…</p>;
}
