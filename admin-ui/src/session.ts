// The signed-in admin: a pasted bearer token or a sign-in link's (see takeLinkToken), kept in sessionStorage (gone when the tab closes), and the notice
// shown on the sign-in page after the server refused the token or it expired. A session whose token expires (or is
// refused) *lapses* rather than ends: the page, its data and its subscriptions stay while the admin signs in again,
// and the clients (apollo.ts, live-link.ts) read the token anew for every request and every reconnection.
import { useSyncExternalStore } from 'react';
import { dateTime } from './format';

const STORAGE_KEY = 'flywheel.admin.token';

export interface Session {
  token: string;
  sub: string;
  role: string;
  /** From the token's `exp` claim; null when it has none. */
  expiresAt: Date | null;
}

export interface TokenClaims {
  sub: string;
  role: string;
  expiresAt: Date | null;
}

interface State {
  session: Session | null;
  /** The session's token expired or was refused: the sign-in dialog is shown over the page until a new one comes. */
  lapsed: boolean;
  /** Why the last session ended or lapsed, shown on the sign-in page. */
  notice: string | null;
}

/** Reads the claims of a JWT without verifying it: the server verifies; this only explains problems early. */
export function readClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const payload = JSON.parse(json) as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') return null;
    return { sub: payload.sub, role: payload.role, expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null };
  } catch {
    return null;
  }
}

function load(): Session | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  const claims = token ? readClaims(token) : null;
  if (!token || !claims) return null;
  if (claims.expiresAt && claims.expiresAt.getTime() <= Date.now()) {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  return { token, ...claims };
}

/** The query-string-like fragment of a one-click sign-in link (npm run admin-link, npm run demo): `#token=<JWT>`. */
const LINK_PARAM = 'token';

/**
 * A sign-in link carries its token in the URL fragment, which the browser sends to no server and writes to no access
 * log. It is taken once, at load: kept in sessionStorage like a pasted token when its claims are fit (admin, not
 * expired; the server then checks the signature with the first request, as for a pasted token), and removed from the
 * address bar and the history entry either way, so that it is not bookmarked, shared or shown over a shoulder.
 * Returns why the link's token was not kept, for the sign-in page, or null.
 */
function takeLinkToken(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get(LINK_PARAM);
  if (token === null) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  const claims = readClaims(token.trim());
  if (!claims) return 'This sign-in link is damaged (its token is cut or altered). Copy the whole link again, or paste a token below.';
  if (claims.role !== 'admin') return `This sign-in link is for a ${claims.role}; the admin UI needs an admin link or token.`;
  if (claims.expiresAt && claims.expiresAt.getTime() <= Date.now()) {
    return `This sign-in link expired on ${dateTime(claims.expiresAt)}. Make a new one with npm run admin-link.`;
  }
  sessionStorage.setItem(STORAGE_KEY, token.trim());
  return null;
}

const linkNotice = takeLinkToken();
let state: State = { session: load(), lapsed: false, notice: linkNotice };
const listeners = new Set<() => void>();
/** Waiting for the next sign-in (a live link refused with 4403 reconnects then). */
const signedInAgain: Array<() => void> = [];

function set(next: State): void {
  state = next;
  for (const l of listeners) l();
}

export function signIn(token: string, claims: TokenClaims): void {
  sessionStorage.setItem(STORAGE_KEY, token);
  set({ session: { token, ...claims }, lapsed: false, notice: null });
  for (const resolve of signedInAgain.splice(0)) resolve();
}

/** Ends the session; `notice` says why on the sign-in page. */
export function signOut(notice: string | null = null): void {
  if (!state.session && state.notice === notice) return;
  sessionStorage.removeItem(STORAGE_KEY);
  set({ session: null, lapsed: false, notice });
}

/** The token expired or was refused: keep the page and ask for a new token; `notice` says why. */
export function lapse(notice: string): void {
  if (!state.session) return signOut(notice);
  if (state.lapsed) return;
  sessionStorage.removeItem(STORAGE_KEY);
  set({ ...state, lapsed: true, notice });
}

/** The token to send now (the latest signed in), or null once signed out. */
export function currentToken(): string | null {
  return state.session?.token ?? null;
}

/** Resolves when a token other than `stale` is signed in and not lapsed (at once if one already is). */
export function tokenOtherThan(stale: string | null): Promise<void> {
  if (state.session && !state.lapsed && state.session.token !== stale) return Promise.resolve();
  return new Promise((resolve) => signedInAgain.push(resolve));
}

export function useSession(): State {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}
