// Per-client limits on both transports (issue 19): who is counted, against which limit, and how a refusal is
// answered on HTTP (429 with Retry-After). The WebSocket side is ws-limits.ts; the shared counters rate-limits.ts.
//
// A shopper token is counted by its subject (however many tokens were issued for it), an anonymous caller by its
// address (client-ip.ts). Service and admin tokens are exempt by default (RATE_LIMIT_EXEMPT_ROLES): a service
// token is the storefront's backend, whose rate is the whole shop's traffic, and an admin is an operator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenService, Viewer } from '../auth/tokens';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import { SharedRateLimiter, type Refusal, type SharedRateCounters } from '../store/rate-limits';
import { clientIp } from './client-ip';

/** The `extensions.code` of every refusal. */
export const RATE_LIMITED = 'RATE_LIMITED';

/** The `limit` label of `rate_limited_total`, and `extensions.limit` of a refusal. */
export type LimitName = 'http_requests' | 'ws_connections' | 'ws_sockets' | 'ws_messages' | 'ws_subscriptions' | 'ws_idle';

export interface Client {
  /** `t:<sub>` or `ip:<address>`: the key of the client's counters. */
  key: string;
  byToken: boolean;
}

type LimitsConfig = Pick<
  Config,
  | 'RATE_LIMIT_WINDOW_SECONDS'
  | 'RATE_LIMIT_EXEMPT_ROLES'
  | 'HTTP_RATE_LIMIT_TOKEN'
  | 'HTTP_RATE_LIMIT_IP'
  | 'WS_CONNECT_RATE_LIMIT_TOKEN'
  | 'WS_CONNECT_RATE_LIMIT_IP'
  | 'WS_MESSAGE_RATE_LIMIT_TOKEN'
  | 'WS_MESSAGE_RATE_LIMIT_IP'
  | 'WS_MAX_SOCKETS_TOKEN'
  | 'WS_MAX_SOCKETS_IP'
  | 'WS_MAX_SUBSCRIPTIONS'
  | 'WS_IDLE_TIMEOUT_MS'
  | 'TRUST_PROXY'
>;

export class ClientLimits {
  private readonly exempt: ReadonlySet<string>;
  private readonly http: SharedRateLimiter;
  private readonly wsConnections: SharedRateLimiter;
  private readonly wsMessages: SharedRateLimiter;
  /** Open sockets per client on this instance (not shared: a socket lives on one instance). */
  private readonly sockets = new Map<string, number>();

  constructor(
    readonly config: LimitsConfig,
    counters: SharedRateCounters,
    private readonly metrics: Metrics,
  ) {
    this.exempt = new Set(config.RATE_LIMIT_EXEMPT_ROLES);
    const window = config.RATE_LIMIT_WINDOW_SECONDS;
    this.http = new SharedRateLimiter(counters, 'http', window);
    this.wsConnections = new SharedRateLimiter(counters, 'ws-connect', window);
    this.wsMessages = new SharedRateLimiter(counters, 'ws-message', window);
  }

  /** Who the limits count for this viewer and request; undefined for an exempt role. */
  client(viewer: Viewer, req: IncomingMessage): Client | undefined {
    if (viewer.role === 'anonymous') return { key: `ip:${clientIp(req, this.config.TRUST_PROXY)}`, byToken: false };
    if (this.exempt.has(viewer.role)) return undefined;
    return { key: `t:${viewer.sub}`, byToken: true };
  }

  /** Counts an HTTP /graphql request. */
  httpRequest(client: Client): Refusal | undefined {
    const c = this.config;
    return this.counted('http_requests', this.http.consume(client.key, client.byToken ? c.HTTP_RATE_LIMIT_TOKEN : c.HTTP_RATE_LIMIT_IP));
  }

  /** Counts a WebSocket connection and takes one of the client's sockets; `releaseSocket` gives it back. */
  openSocket(client: Client): { limit: LimitName; refusal: Refusal } | undefined {
    const c = this.config;
    const open = this.sockets.get(client.key) ?? 0;
    if (open >= (client.byToken ? c.WS_MAX_SOCKETS_TOKEN : c.WS_MAX_SOCKETS_IP)) {
      // Until one of them closes; a client retrying with back-off finds out soon enough.
      this.metrics.rateLimited.inc({ limit: 'ws_sockets' });
      return { limit: 'ws_sockets', refusal: { retryAfterMs: 1000 } };
    }
    const refusal = this.counted('ws_connections', this.wsConnections.consume(client.key, client.byToken ? c.WS_CONNECT_RATE_LIMIT_TOKEN : c.WS_CONNECT_RATE_LIMIT_IP));
    if (refusal) return { limit: 'ws_connections', refusal };
    this.sockets.set(client.key, open + 1);
    return undefined;
  }

  releaseSocket(client: Client): void {
    const open = (this.sockets.get(client.key) ?? 1) - 1;
    if (open > 0) this.sockets.set(client.key, open);
    else this.sockets.delete(client.key);
  }

  /** Counts a graphql-ws message. */
  wsMessage(client: Client): Refusal | undefined {
    const c = this.config;
    return this.counted('ws_messages', this.wsMessages.consume(client.key, client.byToken ? c.WS_MESSAGE_RATE_LIMIT_TOKEN : c.WS_MESSAGE_RATE_LIMIT_IP));
  }

  /** Counts a refusal (or an idle close) that was decided elsewhere. */
  refused(limit: LimitName): void {
    this.metrics.rateLimited.inc({ limit });
  }

  private counted(limit: LimitName, refusal: Refusal | undefined): Refusal | undefined {
    if (refusal) this.metrics.rateLimited.inc({ limit });
    return refusal;
  }

  stop(): void {
    for (const limiter of [this.http, this.wsConnections, this.wsMessages]) limiter.stop();
  }
}

/** Whole seconds to wait, for Retry-After and `extensions.retryAfter`: at least 1. */
export function retryAfterSeconds(refusal: Refusal): number {
  return Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
}

/**
 * The viewer of an HTTP request, verified once: the limit needs it before the request is read, Apollo's context
 * after, and a second verification (even a cached one) would cost about a microsecond per request.
 */
export function requestViewers(tokens: TokenService): (req: IncomingMessage) => Promise<Viewer> {
  const viewers = new WeakMap<IncomingMessage, Promise<Viewer>>();
  return (req) => {
    let viewer = viewers.get(req);
    if (!viewer) viewers.set(req, (viewer = tokens.viewerFromAuthorization(req.headers.authorization)));
    return viewer;
  };
}

/**
 * Wraps the /graphql HTTP handler: a request over its client's rate is answered 429 with Retry-After before its
 * body is read or parsed. A bad token goes through untouched (the handler answers 401).
 */
export function limitHttp(
  limits: ClientLimits,
  viewerOf: (req: IncomingMessage) => Promise<Viewer>,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let viewer: Viewer;
    try {
      viewer = await viewerOf(req);
    } catch {
      return handler(req, res);
    }
    const client = limits.client(viewer, req);
    const refusal = client && limits.httpRequest(client);
    if (!refusal) return handler(req, res);
    const seconds = retryAfterSeconds(refusal);
    res.statusCode = 429;
    res.setHeader('retry-after', String(seconds));
    res.setHeader('content-type', 'application/json; charset=utf-8');
    // Node reads and discards the unread body after the response, so the connection stays usable.
    res.end(
      JSON.stringify({
        errors: [{ message: `Too many requests: retry in ${seconds} s`, extensions: { code: RATE_LIMITED, limit: 'http_requests', retryAfter: seconds } }],
      }),
    );
  };
}
