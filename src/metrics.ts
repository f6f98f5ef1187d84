// Prometheus metrics (prom-client). One registry per platform instance so tests can run several in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CHECK_TIMEOUT_MS, withTimeout } from './store/health';
import type { OutboxStore } from './store/outbox';
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
  readonly httpInFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet answered (what a shutdown waits for)',
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
  readonly rateLimited = new Counter({
    name: 'rate_limited_total',
    help: 'Requests, connections and operations refused by a per-client limit, and sockets closed idle, by limit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly eventsRecorded = new Counter({
    name: 'events_recorded_total',
    help: 'Events given to recordEvents/recordEvent that were recorded (accepted), or were duplicates of recorded ones',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsApplied = new Counter({
    name: 'events_applied_total',
    help: 'Events a worker applied to the feature store (each event once, however often its job was delivered)',
    registers: [this.registry],
  });
  // The loop's health at a glance: it grows when workers fall behind, and while Redis is away.
  readonly featureLag = new Histogram({
    name: 'feature_lag_seconds',
    help: "From an event's commit in Postgres to the worker transaction that applied it to the feature store and announced it to live lists (Postgres's clock against the worker's)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly recommendationLists = new Counter({
    name: 'recommendation_lists_total',
    help: '`recommendations` queries by how their list was served: kept (a list kept from an earlier query, its inputs unchanged) or computed',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly liveComputations = new Counter({
    name: 'live_computations_total',
    help: 'Computations of shared live values (source campaign_kpis, sales_metrics): one per change notice and key in this process, however many subscribe to it',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  // A Redis that lost its data is rebuilt by a worker (services/feature-repair.ts): alert on `lost` or `unfinished`.
  readonly featureRepairs = new Counter({
    name: 'feature_store_repairs_total',
    help: "Feature store rebuilds this worker made on its own: cause lost (Redis lost its data: no generation), unfinished (a rebuild's worker stopped before its end), initial (no generation and no events yet: a new deployment)",
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });
  readonly featureLastRepair = new Gauge({
    name: 'feature_store_last_repair_timestamp_seconds',
    help: 'When this worker last finished rebuilding the feature store (Unix time; 0: never)',
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

  /** Shared live values with subscribers, per source (read from the services when Prometheus scrapes). */
  observeLiveSources(count: () => Record<string, number>): void {
    new Gauge({
      name: 'live_sources_active',
      help: 'Shared live values in this process with at least one subscriber, by source (campaign_kpis: campaigns; sales_metrics: window lengths)',
      labelNames: ['source'] as const,
      registers: [this.registry],
      collect() {
        for (const [source, n] of Object.entries(count())) this.set({ source }, n);
      },
    });
  }

  /** Outbox messages committed but not handed to BullMQ yet: near 0, and growing while Redis is down. */
  observeOutbox(outbox: OutboxStore): void {
    new Gauge({
      name: 'outbox_pending',
      help: 'Outbox messages (groups of recorded events, stock alerts) committed but not yet enqueued in BullMQ',
      registers: [this.registry],
      async collect() {
        try {
          this.set(await withTimeout(outbox.pending(), CHECK_TIMEOUT_MS));
        } catch {
          // Postgres away or hanging: the gauge keeps its last value rather than fail or stall the scrape.
        }
      },
    });
  }

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
