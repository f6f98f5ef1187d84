// Per-client limits on graphql-ws (issue 19), called from graphql-ws.ts's hooks. Connection-level limits close
// the socket with 4429 (graphql-ws clients retry it with back-off): connections opened per window and sockets
// open at once, checked at connection_init once the viewer is known; messages per window, checked on every
// message. The cap of operations per socket refuses the one operation with RATE_LIMITED and keeps the socket.
// A socket with no operation for WS_IDLE_TIMEOUT_MS is closed with 1000. Exempt roles skip all of it.
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Viewer } from '../auth/tokens';
import { retryAfterSeconds, RATE_LIMITED, type Client, type ClientLimits } from './client-limits';

/** graphql-ws close code of a connection-level refusal (HTTP 429's, as graphql-ws's codes mirror HTTP's). */
export const CLOSE_RATE_LIMITED = 4429;

/** The parts of graphql-ws's connection context used here. */
interface LimitedContext {
  /** graphql-ws's operations of the socket, by id: set as soon as a subscribe message is read. */
  subscriptions: Record<string, unknown>;
  extra: { socket: WebSocket; request: IncomingMessage };
}

interface SocketState {
  client?: Client;
  /** Last time an operation started or ended (epoch ms), for the idle timeout. */
  activeAt: number;
  idleTimer?: NodeJS.Timeout;
}

export class WsLimits {
  private readonly states = new WeakMap<WebSocket, SocketState>();

  constructor(private readonly limits: ClientLimits) {}

  /**
   * Counts every message of an acknowledged, limited socket against its client's rate. Must be registered before
   * graphql-ws's own listener, so that a message over the rate finds its socket closing (operation() refuses it).
   */
  watch(wss: WebSocketServer): void {
    wss.on('connection', (socket) => {
      const state: SocketState = { activeAt: Date.now() };
      this.states.set(socket, state);
      socket.on('message', () => {
        if (!state.client || socket.readyState !== socket.OPEN) return;
        const refusal = this.limits.wsMessage(state.client);
        if (refusal) socket.close(CLOSE_RATE_LIMITED, `Too many messages: retry in ${retryAfterSeconds(refusal)} s`);
      });
    });
  }

  /** At connection_init: false when the client is over its connection rate or socket count (closed with 4429). */
  admit(ctx: LimitedContext, viewer: Viewer): boolean {
    const { socket, request } = ctx.extra;
    const state = this.states.get(socket);
    const client = this.limits.client(viewer, request);
    if (!state || !client) return true;
    // Closed while its token was verified: onClose has run already and would not give a counted socket back.
    if (socket.readyState !== socket.OPEN) return false;
    const refused = this.limits.openSocket(client);
    if (refused) {
      const what = refused.limit === 'ws_sockets' ? 'sockets open' : 'connections';
      // graphql-ws then closes with 4403 for the `false`; the socket is closing already, so this code stands.
      socket.close(CLOSE_RATE_LIMITED, `Too many ${what}: retry in ${retryAfterSeconds(refused.refusal)} s`);
      return false;
    }
    state.client = client;
    state.activeAt = Date.now();
    this.armIdle(ctx, state, this.limits.config.WS_IDLE_TIMEOUT_MS);
    return true;
  }

  /** At subscribe: errors when the socket holds its maximum of operations (or is closing after a refusal). */
  operation(ctx: LimitedContext): GraphQLError[] | undefined {
    const { socket } = ctx.extra;
    const state = this.states.get(socket);
    if (!state?.client) return undefined;
    state.activeAt = Date.now();
    if (socket.readyState !== socket.OPEN) return [new GraphQLError('Connection closing', { extensions: { code: RATE_LIMITED, limit: 'ws_messages' } })];
    // The new operation is already in `subscriptions`.
    const open = Object.keys(ctx.subscriptions).length;
    const max = this.limits.config.WS_MAX_SUBSCRIPTIONS;
    if (open <= max) return undefined;
    this.limits.refused('ws_subscriptions');
    return [
      new GraphQLError(`Too many operations on this connection: at most ${max} at once`, {
        extensions: { code: RATE_LIMITED, limit: 'ws_subscriptions', max },
      }),
    ];
  }

  /** An operation ended: the idle timeout counts from now if it was the last. */
  ended(ctx: LimitedContext): void {
    const state = this.states.get(ctx.extra.socket);
    if (state) state.activeAt = Date.now();
  }

  closed(ctx: LimitedContext): void {
    const state = this.states.get(ctx.extra.socket);
    if (!state?.client) return;
    clearTimeout(state.idleTimer);
    this.limits.releaseSocket(state.client);
    state.client = undefined;
  }

  /** Checks at the deadline rather than on every start and end of an operation: no timer churn on busy sockets. */
  private armIdle(ctx: LimitedContext, state: SocketState, delay: number): void {
    const timeout = this.limits.config.WS_IDLE_TIMEOUT_MS;
    if (timeout <= 0) return;
    state.idleTimer = setTimeout(() => {
      if (!state.client) return;
      const open = Object.keys(ctx.subscriptions).length > 0;
      const idleFor = Date.now() - state.activeAt;
      if (open || idleFor < timeout) return this.armIdle(ctx, state, open ? timeout : timeout - idleFor);
      this.limits.refused('ws_idle');
      ctx.extra.socket.close(1000, 'Idle: no subscription');
    }, delay).unref();
  }
}
