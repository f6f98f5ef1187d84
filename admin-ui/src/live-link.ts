// The live link: one graphql-ws connection per signed-in session that carries every subscription.
// It connects at once (not lazily) so that its state means something on the System page, notices a dead
// socket with ping/pong, retries forever with a capped back-off, and tells the app when the server refused
// the token (close code 4403: invalid, or expired while connected) so that the admin is asked for a new one; it then
// waits for that token instead of retrying in vain, and reconnects with it, its subscriptions kept.
import { createClient, type Client } from 'graphql-ws';
import { useSyncExternalStore } from 'react';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface LinkStatus {
  state: LinkState;
  /** When the state last changed. */
  since: Date;
  /** Failed attempts since the link was last connected. */
  failures: number;
  /** Times the link came back after being lost. */
  reconnects: number;
  lastClose: { code: number; reason: string; at: Date } | null;
}

/** graphql-ws: the server closes with 4403 when the token in connection_init is invalid or expired, and when the
 * token of an open connection expires (reason TOKEN_EXPIRED_REASON). */
export const FORBIDDEN_CLOSE_CODE = 4403;
export const TOKEN_EXPIRED_REASON = 'Token expired';
/** After this many failed attempts in a row the link counts as offline (it keeps retrying). */
const OFFLINE_AFTER_FAILURES = 3;
/** A ping unanswered for this long means the socket is dead even if the browser has not noticed. */
const PONG_TIMEOUT_MS = 5000;
const MAX_RETRY_WAIT_MS = 5000;

export interface LiveLink {
  client: Client;
  status(): LinkStatus;
  subscribe(listener: () => void): () => void;
  /** Drops the socket now; the link reconnects by itself (the System page's "Reconnect now"). */
  reconnect(): void;
  dispose(): void;
}

function isCloseEvent(e: unknown): e is CloseEvent {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as CloseEvent).code === 'number';
}

/** Why the live link closed, in words for the admin; the code itself stays on the System page for operators. */
export function closeInWords(code: number, reason: string): string {
  if (code === FORBIDDEN_CLOSE_CODE) return reason === TOKEN_EXPIRED_REASON ? 'your sign-in expired' : 'the server refused your sign-in';
  if (code === 4429) return `this browser asked too much at once${reason ? ` (${reason.replace(/^Too many /, 'too many ')})` : ''}`;
  if (code === 1000) return 'closed by the server (nothing was being watched)';
  if (code === 1001) return 'the platform restarted or shut down';
  if (code === 1006) return 'the connection was cut (network or platform gone)';
  // graphql-ws's own code for client.terminate(): the System page's "Reconnect now", or a ping left unanswered.
  if (code === 4499) return 'dropped by this page to reconnect';
  if (code === 4408) return 'the platform did not hear from this page in time';
  if (code >= 4400 && code < 4500) return 'the platform and this page disagreed on the protocol (reload the page)';
  if (code === 4500 || code === 1011) return 'the platform hit an internal error';
  return reason ? `closed: ${reason}` : 'closed';
}

export function graphqlWsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}

export function createLiveLink(
  auth: {
    /** The token to connect with, read at every (re)connection. */
    token: () => string | null;
    /** Resolves once a token other than the refused one is there (the admin signed in again). */
    renewed: (refused: string | null) => Promise<void>;
  },
  hooks: {
    /** The server refused the token (4403); the link waits for auth.renewed and goes on. */
    onRejected: (reason: string) => void;
    /** The link is back after being lost: subscriptions resubscribe by themselves; queries should be read again. */
    onReconnected: () => void;
  },
): LiveLink {
  let status: LinkStatus = { state: 'connecting', since: new Date(), failures: 0, reconnects: 0, lastClose: null };
  let everConnected = false;
  let disposed = false;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  /** The token of the latest connection attempt, and whether the server refused it. */
  let sentToken: string | null = null;
  let refused = false;
  const listeners = new Set<() => void>();

  const update = (patch: Partial<LinkStatus>) => {
    const next = { ...status, ...patch };
    if (next.state !== status.state) next.since = new Date();
    status = next;
    for (const l of listeners) l();
  };
  const lostState = (failures: number): LinkState =>
    !navigator.onLine || failures >= OFFLINE_AFTER_FAILURES ? 'offline' : everConnected ? 'reconnecting' : 'connecting';

  const client = createClient({
    url: graphqlWsUrl(),
    connectionParams: () => {
      sentToken = auth.token();
      return sentToken ? { authorization: `Bearer ${sentToken}` } : {};
    },
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    retryWait: async (retries) => {
      // Refused: retrying with the same token is in vain; wait for the admin to sign in again, then go at once.
      if (refused) return auth.renewed(sentToken).then(() => void (refused = false));
      await new Promise((r) => setTimeout(r, Math.min(MAX_RETRY_WAIT_MS, 300 * 2 ** retries) + Math.random() * 300));
    },
    // Every close is retried (graphql-ws itself gives up on protocol errors): after a 4403 with a new token.
    shouldRetry: () => true,
    // The default logs to the console; a refused token is handled through onRejected instead.
    onNonLazyError: () => undefined,
    on: {
      connecting: () => update({ state: everConnected || status.failures ? lostState(status.failures) : 'connecting' }),
      connected: () => {
        const wasLost = everConnected;
        everConnected = true;
        update({ state: 'connected', failures: 0, reconnects: status.reconnects + (wasLost ? 1 : 0) });
        if (wasLost) hooks.onReconnected();
      },
      closed: (e) => {
        clearTimeout(pongTimer);
        if (disposed) return;
        const close = isCloseEvent(e) ? { code: e.code, reason: e.reason, at: new Date() } : status.lastClose;
        if (isCloseEvent(e) && e.code === FORBIDDEN_CLOSE_CODE) {
          refused = true;
          update({ state: 'offline', lastClose: close });
          hooks.onRejected(e.reason || 'Forbidden');
          return;
        }
        const failures = status.state === 'connected' ? 0 : status.failures + 1;
        update({ state: lostState(failures), failures, lastClose: close });
      },
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const onNetwork = () => {
    if (status.state !== 'connected') update({ state: lostState(status.failures) });
  };
  window.addEventListener('online', onNetwork);
  window.addEventListener('offline', onNetwork);

  return {
    client,
    status: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnect: () => client.terminate(),
    dispose() {
      disposed = true;
      clearTimeout(pongTimer);
      window.removeEventListener('online', onNetwork);
      window.removeEventListener('offline', onNetwork);
      void client.dispose();
    },
  };
}

export function useLinkStatus(link: LiveLink): LinkStatus {
  return useSyncExternalStore(link.subscribe, link.status);
}
