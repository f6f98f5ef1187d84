// HTTP transport: Apollo Server on /graphql (straight from node:http, graphql-http.ts), graphql-ws on the same
// path, and Express 5 for health, readiness, metrics and the admin UI. It wires; the rules live in services.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { requireRole } from '../auth/guards';
import type { TokenService } from '../auth/tokens';
import type { Config } from '../config';
import { DomainError, formatError, retryableStatusPlugin } from '../errors';
import { createContext, type Context } from '../graphql/context';
import { CompiledExecution, compiledGateway } from '../graphql/execution';
import { apolloLimitOptions, createArmor, hideSuggestions, OperationLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Services } from '../services';
import { probe, type DependencyCheck } from '../store/health';
import { isUnavailable } from '../store/unavailable';
import { limitHttp, requestViewers, type ClientLimits } from './client-limits';
import { HttpDrain, type DrainState } from './drain';
import { graphqlHttpHandler, isGraphqlPath } from './graphql-http';
import { serveGraphqlWs } from './graphql-ws';
import { metricsAccess } from './metrics-access';
import { WsLimits } from './ws-limits';

export interface HttpServerDeps {
  config: Config;
  schema: GraphQLSchema;
  tokens: TokenService;
  services: Services;
  metrics: Metrics;
  log: Logger;
  readiness: DependencyCheck[];
  /** Where the built admin UI is. @default ADMIN_UI_DIR */
  adminUiDir?: string;
  /** Per-client rate and connection limits (both transports). */
  clientLimits: ClientLimits;
  /** Set when the process starts shutting down (/readyz 503, connections closed after their response). */
  drain: DrainState;
}

export interface RunningHttpServer {
  server: Server;
  port: number;
  /** Stops accepting, closes WebSockets with 1001, lets in-flight requests finish until `deadline` (ms since the
   * epoch) and cuts what is left then. */
  stop(deadline: number): Promise<void>;
}

function metricsPlugin(metrics: Metrics, log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const stopTimer = metrics.graphqlDuration.startTimer({ transport: 'http' });
      return {
        async didEncounterErrors({ errors }) {
          for (const err of errors) {
            const original = err.originalError;
            if (original && isUnavailable(original)) {
              // Answered SERVICE_UNAVAILABLE (errors.ts): an outage, reported by /readyz and the relay, not a bug.
              log.warn({ err: original.message, path: err.path }, 'dependency unavailable during a GraphQL operation');
            } else if (original && !(original instanceof DomainError) && !('extensions' in original && original.extensions)) {
              log.error({ err: original, path: err.path }, 'unexpected error in GraphQL operation');
            }
          }
        },
        async willSendResponse({ operation, errors }) {
          const type = operation?.operation ?? 'unknown';
          stopTimer({ operation: type });
          metrics.graphqlRequests.inc({ transport: 'http', operation: type, outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

/** /healthz (process alive), /readyz (200 only when every dependency answers, 503 from the start of a shutdown)
 * and /metrics (Prometheus, behind METRICS_TOKEN: see metrics-access.ts). */
export function mountOpsRoutes(
  app: Express,
  metrics: Metrics,
  readiness: DependencyCheck[],
  config: Pick<Config, 'NODE_ENV' | 'METRICS_TOKEN'>,
  drain: DrainState,
): void {
  app.use((req, res, next) => {
    res.on('finish', () => metrics.httpRequests.inc({ route: req.route?.path ?? req.path, status: res.statusCode }));
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // A load balancer stops sending new requests here while in-flight ones finish.
    if (drain.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const results = await Promise.all(readiness.map((c) => probe(c)));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : `down: ${r.error}`])),
    });
  });
  app.get('/metrics', metricsAccess(config), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/** The built admin single-page app (npm run build:ui) at /admin, with client-side routes falling back to index.html. */
export const ADMIN_UI_DIR = join(import.meta.dirname, '..', '..', 'admin-ui', 'dist');

/**
 * Security headers for the admin UI (helmet's defaults: nosniff, frame-ancestors 'none' and X-Frame-Options DENY,
 * no referrer, HSTS...) with a CSP that allows only what the built app loads: its own scripts, styles and fonts,
 * data: images (the favicon), and GraphQL over HTTP and WebSocket on the same origin (CSP 3's 'self' covers ws(s):
 * to the same host). Not on /graphql, whose Apollo landing page loads Apollo's CDN.
 */
const adminUiHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  frameguard: { action: 'deny' },
});

function mountAdminUi(app: Express, log: Logger, dir: string): void {
  app.use('/admin', adminUiHeaders);
  if (!existsSync(join(dir, 'index.html'))) {
    log.info('admin UI not built (npm run build:ui); /admin is not served');
    return;
  }
  app.use('/admin', express.static(dir, { index: 'index.html', maxAge: '1h' }));
  app.get(/^\/admin(\/.*)?$/, (_req, res) => {
    res.sendFile(join(dir, 'index.html'));
  });
  app.get('/', (_req, res) => res.redirect('/admin/'));
}

export async function startHttpServer(deps: HttpServerDeps): Promise<RunningHttpServer> {
  const { config, schema, tokens, services, metrics, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // A GraphQL answer is not revalidated by ETag; hashing every response body for one costs CPU per request.
  app.disable('etag');
  // /graphql is handed to Apollo once it has started (below); until then Express answers it with a 404.
  const routes: { graphql?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
  const server = createServer();
  const httpDrain = new HttpDrain(
    server,
    deps.drain,
    (req, res) => {
      if (routes.graphql && isGraphqlPath(req.url)) {
        res.on('finish', () => metrics.httpRequests.inc({ route: '/graphql', status: res.statusCode }));
        void routes.graphql(req, res);
      } else {
        app(req, res);
      }
    },
    metrics.httpInFlight,
  );
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: config.WS_MAX_PAYLOAD });
  const armor = createArmor(config);
  const limits = new OperationLimits(config, armor.validationRules);
  const { plugin: requestChecks, ...apolloLimits } = apolloLimitOptions<Context>(config, limits, schema);
  const execution = new CompiledExecution(
    (compiled) => metrics.graphqlCompilations.inc({ outcome: compiled ? 'compiled' : 'graphql-js' }),
    hideSuggestions(config),
  );
  const wsServer = serveGraphqlWs({ wss, schema, execution, tokens, services, limits, clientLimits: new WsLimits(deps.clientLimits), metrics, log });

  const apollo = new ApolloServer<Context>({
    gateway: compiledGateway(schema, execution),
    ...armor,
    ...apolloLimits,
    // Apollo's own messages (a failed request hook, a document store error) go to the platform's log.
    logger: log,
    plugins: [
      ...armor.plugins,
      requestChecks,
      // Nothing here is cacheable by HTTP caches (no @cacheControl hints; POST, or GET with a token), and the
      // cache-control plugin wraps every field resolver to compute a policy that is always "no cache".
      ApolloServerPluginCacheControlDisabled(),
      metricsPlugin(metrics, log),
      retryableStatusPlugin(),
    ],
    // The process's own handler (main.ts) owns SIGTERM and SIGINT and stops everything in order: Apollo's would
    // stop only itself and then re-send the signal, killing the process under its in-flight requests (issue 20).
    stopOnTerminationSignals: false,
    introspection: config.NODE_ENV !== 'production',
    csrfPrevention: true,
    formatError,
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();

  mountOpsRoutes(app, metrics, deps.readiness, config, deps.drain);
  mountAdminUi(app, log, deps.adminUiDir ?? ADMIN_UI_DIR);
  const viewerOf = requestViewers(tokens);
  const graphqlHttp = graphqlHttpHandler(
    apollo,
    async (req) => {
      try {
        return createContext(await viewerOf(req), services, log);
      } catch (err) {
        // A bad token is refused outright (even for reads that anonymous callers may make): 401.
        if (err instanceof DomainError) {
          throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
        }
        throw err;
      }
    },
    (err) => log.error({ err }, 'unhandled HTTP error on /graphql'),
  );
  // A client over its request rate is answered 429 before its request is read.
  routes.graphql = limitHttp(deps.clientLimits, viewerOf, graphqlHttp);
  // What the platform holds about one shopper, as one JSON document (admin; issue 23), streamed: the events a page at
  // a time. The status is sent with the first piece, so that a failure to read it is an error answer.
  app.get('/export/users/:userId', (req, res, next) => {
    void (async () => {
      const viewer = await viewerOf(req);
      requireRole(viewer, 'admin');
      const userId = services.userData.userId(req.params.userId);
      const pieces = services.userData.exportDocument(userId);
      const first = await pieces.next();
      res.status(200).type('application/json').setHeader('content-disposition', `attachment; filename="user-${userId}.json"`);
      if (!first.done) res.write(first.value);
      for await (const piece of pieces) if (!res.write(piece)) await once(res, 'drain');
      res.end();
    })().catch((err: unknown) => (res.headersSent ? res.destroy(err as Error) : next(err)));
  });
  // Errors of the other routes: a GraphQL-shaped error, never a stack trace.
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof DomainError) {
      res.status(err.code === 'UNAUTHENTICATED' ? 401 : err.code === 'FORBIDDEN' ? 403 : 400).json({
        errors: [{ message: err.message, extensions: { code: err.code } }],
      });
      return;
    }
    const status = typeof err?.status === 'number' && err.status < 500 ? err.status : 500;
    const message = status < 500 ? String(err?.message ?? 'Bad request') : 'Internal server error';
    if (status >= 500) log.error({ err }, 'unhandled HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }] });
  };
  app.use(onError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    stop(deadline) {
      // Once only: a second apollo.stop() waits on a promise that Apollo releases only when stopping fails.
      stopping ??= (async () => {
        for (const client of wss.clients) client.close(1001, 'Server shutting down');
        const [graceful] = await Promise.all([httpDrain.stop(deadline), wsServer.dispose()]);
        if (!graceful) log.warn('requests still in flight at the shutdown deadline were cut');
        // Nothing is connected any more: Apollo only disposes of its own state.
        await apollo.stop();
      })();
      return stopping;
    },
  };
}
