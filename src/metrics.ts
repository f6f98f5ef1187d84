// Prometheus metrics (prom-client). One registry per platform instance so tests can run several in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PubSub } from './store/pubsub';
import type { Queues } from './store/queues';

export class Metrics {
  readonly registry = new Registry();
  readonly graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations by transport, type and outcome',
    labelNames: ['transport', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to execute a GraphQL query or mutation',
    labelNames: ['transport', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly graphqlCompilations = new Counter({
    name: 'graphql_compiled_documents_total',
    help: 'Operations compiled for execution (graphql-jit), and those left to graphql-js because they would not compile',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'ws_connections_active',
    help: 'Open graphql-ws connections',
    registers: [this.registry],
  });
  readonly wsSubscriptions = new Gauge({
    name: 'ws_subscriptions_active',
    help: 'Active GraphQL subscriptions over WebSocket',
    registers: [this.registry],
  });

  /** Queue depths and pub/sub topics are read when Prometheus scrapes, not kept up to date in between. */
  observeQueues(queues: Queues, pubsub: PubSub): void {
    new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const [queue, counts] of Object.entries(await queues.depths())) {
            for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
          }
        } catch {
          // Redis away: report nothing rather than fail the whole scrape.
        }
      },
    });
    new Gauge({
      name: 'pubsub_topics_active',
      help: 'Pub/sub topics with local listeners',
      registers: [this.registry],
      collect() {
        this.set(pubsub.topicCount);
      },
    });
  }

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
