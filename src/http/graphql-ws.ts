// graphql-ws glue: authentication in onConnect (bad token → close 4403 before anything is subscribed; the socket is
// closed with 4403 when its token expires, and serves nothing new meanwhile),
// limits and validation in onSubscribe, the same error formatting as HTTP. No domain logic here.
import type { IncomingMessage } from 'node:http';
import { GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { TokenService, Viewer } from '../auth/tokens';
import { formatError } from '../errors';
import type { CompiledExecution } from '../graphql/execution';
import { createContext, type Context } from '../graphql/context';
import type { OperationLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Services } from '../services';
import { closeAtExpiry, TOKEN_EXPIRED_REASON } from './socket-expiry';
import type { WsLimits } from './ws-limits';

interface ConnectionExtra {
  viewer?: Viewer;
  /** Ids of this connection's live subscriptions, so the gauge is decremented exactly once per subscription. */
  subscriptions?: Set<string>;
  /** When the connection's token expires (ms since the epoch), and the timer that closes the socket then. */
  expiresAt?: number;
  cancelExpiry?: () => void;
  socket: WebSocket;
  request: IncomingMessage;
}

export function serveGraphqlWs(opts: {
  wss: WebSocketServer;
  schema: GraphQLSchema;
  execution: CompiledExecution;
  tokens: TokenService;
  services: Services;
  limits: OperationLimits;
  /** Per-client limits (connections, sockets, messages, operations per socket, idle timeout). */
  clientLimits: WsLimits;
  metrics: Metrics;
  log: Logger;
}) {
  const { schema, execution, tokens, services, limits, clientLimits, metrics, log } = opts;
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  // Before useServer, so that its message listener runs before graphql-ws's.
  clientLimits.watch(opts.wss);

  return useServer<Record<string, unknown> | undefined, { viewer: Viewer }>(
    {
      schema,
      execute: (args) => execution.execute(args),
      // Results of shared live values are shared by subscribers of the same operation and role: the live fields that
      // share (campaign KPIs, sales) are admin-only and read nothing of the viewer but its role.
      subscribe: (args) => execution.subscribe(args, (args.contextValue as Context).viewer.role),
      onConnect: async (ctx) => {
        try {
          const { viewer, expiresAt } = await tokens.authenticate(ctx.connectionParams?.authorization);
          (ctx.extra as ConnectionExtra).viewer = viewer;
          if (expiresAt !== undefined) (ctx.extra as ConnectionExtra).expiresAt = expiresAt;
        } catch {
          // graphql-ws closes with 4403 Forbidden when onConnect returns false.
          return false;
        }
        const extra = ctx.extra as ConnectionExtra;
        // Over a connection limit: closed with 4429 (onDisconnect is not called for a refused socket).
        if (!clientLimits.admit(ctx, extra.viewer!)) return false;
        if (extra.expiresAt !== undefined) extra.cancelExpiry = closeAtExpiry(extra.socket, extra.expiresAt);
        metrics.wsConnections.inc();
        return true;
      },
      onDisconnect: () => {
        metrics.wsConnections.dec();
      },
      onClose: (ctx) => {
        (ctx.extra as ConnectionExtra).cancelExpiry?.();
        clientLimits.closed(ctx);
        const subs = (ctx.extra as ConnectionExtra).subscriptions;
        if (subs?.size) metrics.wsSubscriptions.dec(subs.size);
        subs?.clear();
      },
      onComplete: (ctx, id) => {
        clientLimits.ended(ctx);
        if ((ctx.extra as ConnectionExtra).subscriptions?.delete(id)) metrics.wsSubscriptions.dec();
      },
      onSubscribe: (ctx, _id, payload) => {
        const { expiresAt, socket } = ctx.extra as ConnectionExtra;
        // The expiry timer may not have fired yet (a busy event loop): an expired token is served nothing new.
        if (expiresAt !== undefined && expiresAt <= Date.now()) {
          socket.close(CloseCode.Forbidden, TOKEN_EXPIRED_REASON);
          return [new GraphQLError(TOKEN_EXPIRED_REASON, { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const refused = clientLimits.operation(ctx);
        if (refused) return refused;
        const checked = limits.check(schema, payload.query, { operationName: payload.operationName, variables: payload.variables });
        if ('errors' in checked) return checked.errors;
        const viewer = (ctx.extra as ConnectionExtra).viewer ?? { role: 'anonymous' as const };
        const args: ExecutionArgs = {
          schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext(viewer, services, log),
        };
        return args;
      },
      onOperation: (ctx, id, _payload, args) => {
        const op = args.document.definitions.find((d) => d.kind === 'OperationDefinition');
        const type = op && 'operation' in op ? op.operation : 'unknown';
        metrics.graphqlRequests.inc({ transport: 'ws', operation: type, outcome: 'started' });
        if (type === 'subscription') {
          const extra = ctx.extra as ConnectionExtra;
          (extra.subscriptions ??= new Set()).add(id);
          metrics.wsSubscriptions.inc();
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    opts.wss,
  );
}
