// The signed-in admin: a pasted bearer token, kept in sessionStorage (gone when the tab closes), and the notice
// shown on the sign-in page after the server refused the token or it expired. A session whose token expires (or is
// refused) *lapses* rather than ends: the page, its data and its subscriptions stay while the admin signs in again,
// and the clients (apollo.ts, live-link.ts) read the token anew for every request and every reconnection.
import { useSyncExternalStore } from 'react';

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

let state: State = { session: load(), lapsed: false, notice: null };
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
