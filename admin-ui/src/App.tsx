// The app: sign-in, or a signed-in session with its own Apollo Client and live link, a header and the pages.
import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createClients, type Clients } from './apollo';
import { clock } from './format';
import { LiveContext, type LiveContextValue } from './live-context';
import { useLinkStatus, type LiveLink } from './live-link';
import { Campaign } from './pages/Campaign';
import { CampaignFormPage } from './pages/CampaignForm';
import { Campaigns } from './pages/Campaigns';
import { Inventory } from './pages/Inventory';
import { Models } from './pages/Models';
import { Product } from './pages/Product';
import { Sales } from './pages/Sales';
import { SignIn } from './pages/SignIn';
import { Storefront } from './pages/Storefront';
import { LINK_LABEL, System } from './pages/System';
import { Link, match, navigate, usePath } from './router';
import { lapse, signOut, useSession, type Session } from './session';

const NAV = [
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/sales', label: 'Sales' },
  { to: '/inventory', label: 'Inventory' },
  { to: '/models', label: 'Models' },
  { to: '/storefront', label: 'Storefront' },
  { to: '/system', label: 'System' },
];

/** setTimeout takes at most 2^31-1 ms (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function App() {
  const { session, lapsed, notice } = useSession();
  if (!session) return <SignIn notice={notice} />;
  // A lapsed session (token expired or refused) keeps its page, clients and subscriptions under the sign-in
  // dialog: the clients read the token per request and reconnection, so the new token simply takes over.
  return (
    <>
      <SignedIn session={session} />
      {lapsed && <SignIn notice={notice} dialog />}
    </>
  );
}

function SignedIn({ session }: { session: Session }) {
  const [clients, setClients] = useState<Clients | null>(null);
  useEffect(() => {
    const c = createClients((message) => lapse(message));
    setClients(c);
    return () => c.dispose();
  }, []);

  // A new token after a lapse: read again what failed meanwhile (the live link reconnects by itself).
  const firstToken = useRef(session.token);
  useEffect(() => {
    if (clients && session.token !== firstToken.current) void clients.apollo.refetchQueries({ include: 'active' });
  }, [clients, session.token]);

  // Ask for a new token when this one expires, rather than let the next request fail.
  useEffect(() => {
    const expiresAt = session.expiresAt;
    if (!expiresAt) return;
    const timer = setTimeout(
      () => lapse(`Your session expired at ${clock(expiresAt)}. Sign in again with a new admin token: you stay where you were.`),
      Math.min(MAX_TIMEOUT_MS, Math.max(0, expiresAt.getTime() - Date.now())),
    );
    return () => clearTimeout(timer);
  }, [session.expiresAt]);

  const live = useMemo<LiveContextValue | null>(
    () => (clients ? { link: clients.live, linkUp: () => clients.live.status().state === 'connected' } : null),
    [clients],
  );
  if (!clients || !live) return null;
  return (
    <ApolloProvider client={clients.apollo}>
      <LiveContext.Provider value={live}>
        <Shell session={session} link={clients.live}>
          <Page />
        </Shell>
      </LiveContext.Provider>
    </ApolloProvider>
  );
}

function Shell({ session, link, children }: { session: Session; link: LiveLink; children: ReactNode }) {
  const path = usePath();
  const status = useLinkStatus(link);
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/campaigns" className="brand">
          <span className="brand-dot" /> Flywheel
        </Link>
        <nav className="nav" aria-label="Pages">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={path.startsWith(n.to) ? 'active' : ''} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-end">
          <Link to="/system" className={`pill pill-${status.state}`} data-testid="link-pill" title="Live link">
            <span className={`dot dot-${status.state}`} />
            {LINK_LABEL[status.state]}
          </Link>
          <span className="who muted small" title={session.expiresAt ? `token valid until ${clock(session.expiresAt)}` : undefined}>
            {session.sub}
          </span>
          <button className="link-button" onClick={() => signOut('Signed out.')}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}

function Page() {
  const path = usePath();
  let params: Record<string, string> | null;
  let title = 'Not found';
  let page: ReactNode;
  if (path === '/') return <Redirect to="/campaigns" />;
  if (path === '/campaigns') [title, page] = ['Campaigns', <Campaigns />];
  else if (path === '/campaigns/new') [title, page] = ['New campaign', <CampaignFormPage />];
  else if ((params = match('/campaigns/:id/edit', path))) [title, page] = ['Edit campaign', <CampaignFormPage key={params.id} id={params.id} />];
  else if ((params = match('/campaigns/:id', path))) [title, page] = ['Campaign', <Campaign key={params.id} id={params.id!} />];
  else if (path === '/sales') [title, page] = ['Sales', <Sales />];
  else if ((params = match('/products/:id', path))) [title, page] = ['Product', <Product key={params.id} id={params.id!} />];
  else if (path === '/inventory') [title, page] = ['Inventory', <Inventory />];
  else if (path === '/models') [title, page] = ['Models', <Models />];
  else if (path === '/storefront') [title, page] = ['Storefront preview', <Storefront />];
  else if (path === '/system') [title, page] = ['System', <System />];
  else
    page = (
      <p>
        Nothing at <code>{path}</code>. <Link to="/campaigns">Go to campaigns</Link>
      </p>
    );
  return (
    <>
      <Title text={title} />
      {page}
    </>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Title({ text }: { text: string }) {
  useEffect(() => {
    document.title = `${text} · Flywheel admin`;
  }, [text]);
  return null;
}
