// Sign-in with a pasted admin token (a sign-in link, npm run admin-link, signs in without this page: session.ts). The token is checked here before it is kept: its claims (shape, role,
// expiry) locally for a precise message, then its signature by the server ({ viewer }).
import { useState, type FormEvent } from 'react';
import { whyRejected } from '../apollo';
import { dateTime } from '../format';
import { readClaims, signIn } from '../session';

async function askServer(token: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { id role } }' }),
    });
  } catch {
    return 'The platform is not answering. Is it running (npm start)?';
  }
  const body = (await res.json().catch(() => ({}))) as { errors?: Array<{ message: string }>; data?: { viewer: { role: string } | null } };
  if (res.status === 401) {
    const reason = body.errors?.[0]?.message ?? 'unauthorized';
    return `The server rejected the token: ${reason}. ${whyRejected(reason)}`.trim();
  }
  if (!res.ok || body.errors?.length) return `The server answered ${res.status}: ${body.errors?.[0]?.message ?? 'unexpected response'}.`;
  if (body.data?.viewer?.role !== 'admin') return `This token's role is ${body.data?.viewer?.role ?? 'anonymous'}; the admin UI needs an admin token.`;
  return null;
}

/** The sign-in page, or (`dialog`) the same form over a lapsed session's page, which stays as it was behind it. */
export function SignIn({ notice, dialog = false }: { notice: string | null; dialog?: boolean }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const raw = token.trim().replace(/^Bearer\s+/i, '');
    const claims = readClaims(raw);
    if (!claims) return setProblem('This is not a token: expected a JWT (three base64url parts separated by dots) with sub and role claims.');
    if (claims.role !== 'admin') return setProblem(`This token's role is ${claims.role}; the admin UI needs an admin token.`);
    if (claims.expiresAt && claims.expiresAt.getTime() <= Date.now()) {
      return setProblem(`This token expired on ${dateTime(claims.expiresAt)}. Create a new one.`);
    }
    setBusy(true);
    const refused = await askServer(raw);
    setBusy(false);
    if (refused) return setProblem(refused);
    signIn(raw, claims);
  };

  // Over a page, a dialog (the page has its own <main>).
  const Root = dialog ? 'div' : 'main';
  return (
    <Root className={dialog ? 'signin signin-dialog' : 'signin'} role={dialog ? 'dialog' : undefined} aria-modal={dialog || undefined} aria-labelledby="signin-title">
      <form className="panel signin-card" onSubmit={submit}>
        <h1 id="signin-title">
          <span className="brand-dot" /> Flywheel admin
        </h1>
        <p className="muted">
          Open the sign-in link that <code>npm run admin-link</code> or <code>npm run demo</code> prints, or paste an admin token here. It is kept in
          this tab only (session storage) and sent with every request.
        </p>
        {notice && (
          <div className="note note-warn" role="status" data-testid="signin-notice">
            {notice}
          </div>
        )}
        <label htmlFor="token">Admin token</label>
        <textarea
          id="token"
          name="token"
          rows={5}
          spellCheck={false}
          autoComplete="off"
          placeholder="eyJhbGciOiJIUzI1NiIs…"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        {problem && (
          <div className="note note-error" role="alert" data-testid="signin-error">
            {problem}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          Get a token with <code>npm run -s token -- --role admin</code>, or take the one <code>npm run demo</code> prints. Make it where the
          platform runs: a token signed with another <code>JWT_SECRET</code> (e.g. on the host for Docker Compose) is refused.
        </p>
      </form>
    </Root>
  );
}
