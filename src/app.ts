// Assembles one platform process from its configuration: the API (ROLE=api), the background
// workers (ROLE=worker) or both (ROLE=all). main.ts and the tests both start it through here.
import { TokenService } from './auth/tokens';
import type { Config } from './config';
import { buildSchema } from './graphql/schema';
import { ClientLimits } from './http/client-limits';
import { DrainState } from './http/drain';
import { startHttpServer, type RunningHttpServer } from './http/server';
import { startOpsServer } from './http/ops-server';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createServices, type ServiceDeps, type Services } from './services';
import { FeatureStore } from './store/feature-store';
import { EventStore } from './store/events';
import { dependencyChecks } from './store/health';
import { RedisKeys } from './store/keys';
import { KpiStore } from './store/kpis';
import { migrate } from './store/migrator';
import { OutboxStore } from './store/outbox';
import { connectDatabase, type Database } from './store/db';
import type { PrismaClient } from './store/prisma';
import { RedisPubSub } from './store/pubsub';
import { SharedRateCounters } from './store/rate-limits';
import { Queues } from './store/queues';
import { createRedis, type Redis } from './store/redis';
import { startWorkers, type RunningWorkers } from './workers';
import { applyEventsJob } from './jobs/apply-events';
import { OutboxRelay } from './workers/outbox-relay';
import { Housekeeping } from './workers/housekeeping';
import { publishInventoryChangesJob } from './jobs/publish-inventory-changes';
import { rollupKpisJob } from './jobs/rollup-kpis';
import { trainModelJob } from './jobs/train-model';

export interface Platform {
  config: Config;
  /** Port the HTTP server listens on (the GraphQL API, or only ops endpoints for ROLE=worker). */
  port: number;
  services: Services;
  prisma: PrismaClient;
  /** Postgres: Prisma and the pg pool it runs on. */
  db: Database;
  redis: Redis;
  keys: RedisKeys;
  queues: Queues;
  relay: OutboxRelay;
  log: Logger;
  /** The first step of a shutdown, before anything closes: /readyz answers 503 and HTTP responses close their
   * connections, so that a load balancer moves new requests elsewhere; everything keeps working meanwhile. */
  drain(): void;
  /**
   * Stops in order: stop accepting, let in-flight requests (and jobs) finish until `deadline` (ms since the epoch;
   * by default what SHUTDOWN_TIMEOUT_SECONDS leaves from now, see shutdownDeadline), close WebSockets with 1001,
   * hand off and mark what the outbox relay holds, then close Postgres and Redis. Once only.
   */
  stop(deadline?: number): Promise<void>;
}

/** How often workers do their housekeeping (workers/housekeeping.ts). */
const HOUSEKEEPING_MS = 30_000;

/** Kept after the in-flight work's deadline for closing the outbox relay, Postgres and Redis. */
const CLOSE_RESERVE_MS = 1000;

/** When in-flight requests and jobs are cut, for a shutdown that must end SHUTDOWN_TIMEOUT_SECONDS after `since`. */
export function shutdownDeadline(config: Pick<Config, 'SHUTDOWN_TIMEOUT_SECONDS'>, since = Date.now()): number {
  const budget = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  return since + Math.max(budget / 2, budget - CLOSE_RESERVE_MS);
}

/** What a test may put in place of the real thing: `fit`, to hold a training at a point it controls; `adminUiDir`, to
 * serve a stand-in admin UI without building the real one. */
export type PlatformSeams = Pick<ServiceDeps, 'fit'> & { adminUiDir?: string };

export async function startPlatform(config: Config, log: Logger = createLogger(config), seams: PlatformSeams = {}): Promise<Platform> {
  if (config.usingDevSecret) {
    log.warn('JWT_SECRET is not set: using the fixed development secret. Set JWT_SECRET in production.');
  }
  if (config.NODE_ENV === 'production' && !config.METRICS_TOKEN) {
    log.info('METRICS_TOKEN is not set: /metrics answers 404 (set it, and give Prometheus the same bearer token, to scrape)');
  }
  if (config.MIGRATE_ON_START) await migrate(config.DATABASE_URL, log);

  const db = connectDatabase(config.DATABASE_URL);
  const { prisma } = db;
  // A command waits through one reconnection at most (≈ 0.2–4 s with the back-off of createRedis), then fails with
  // MaxRetriesPerRequestError: a request answers SERVICE_UNAVAILABLE + Retry-After instead of hanging through
  // ioredis's default 20 reconnections (≈ 31 s); a worker's job fails and BullMQ runs it again (jobs are idempotent).
  const redis = createRedis(config.REDIS_URL, `flywheel-${config.ROLE}`, { maxRetriesPerRequest: 1 });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const keys = new RedisKeys(config.REDIS_PREFIX, redis.options.db ?? 0);
  const subscriber = createRedis(config.REDIS_URL, `flywheel-${config.ROLE}-sub`);
  // The producer fails fast while Redis is down (no offline queue): the outbox keeps the work meanwhile.
  const producer = createRedis(config.REDIS_URL, `flywheel-${config.ROLE}-producer`, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  for (const c of [subscriber, producer]) c.on('error', () => undefined);
  const pubsub = new RedisPubSub(redis, subscriber, keys);
  const queues = new Queues(producer, keys);
  // Created up front so that their depths are reported from the start.
  for (const job of [applyEventsJob, publishInventoryChangesJob, rollupKpisJob, trainModelJob]) queues.queue(job.queue);
  const outbox = new OutboxStore(db);
  const relay = new OutboxRelay(outbox, queues, log, { pollMs: config.OUTBOX_POLL_MS });
  const metrics = new Metrics();
  metrics.observeQueues(queues, pubsub);
  metrics.observeOutbox(outbox);
  const services = createServices({
    db,
    redis,
    keys,
    pubsub,
    queues,
    config,
    fit: seams.fit,
    handOff: (messages) => relay.handOff(messages),
    onRecorded: ({ accepted, duplicates }) => {
      metrics.eventsRecorded.inc({ outcome: 'accepted' }, accepted);
      metrics.eventsRecorded.inc({ outcome: 'duplicate' }, duplicates);
    },
    onLiveComputed: (source) => metrics.liveComputations.inc({ source }),
    onListServed: (path) => metrics.recommendationLists.inc({ path }),
  });
  metrics.observeLiveSources(() => ({ campaign_kpis: services.campaigns.liveCampaigns, sales_metrics: services.sales.liveWindows }));
  await services.serving.start();
  // Every role relays: a worker-only deployment still drains rows left by an API instance that crashed.
  relay.start();
  let workers: RunningWorkers | undefined;
  let housekeeping: Housekeeping | undefined;
  if (config.ROLE !== 'api') {
    housekeeping = new Housekeeping(
      [
        { name: 'erasures', run: () => services.userErasure.sweep() },
        { name: 'outbox', run: () => outbox.pruneSent(config.OUTBOX_RETENTION_HOURS * 3600_000) },
      ],
      HOUSEKEEPING_MS,
      log,
    );
    housekeeping.start();
    workers = startWorkers({ config, keys, events: new EventStore(db), features: new FeatureStore(redis, keys), kpis: new KpiStore(redis, keys, db), models: services.models, training: services.training, queues, pubsub, metrics, log });
  }
  const readiness = dependencyChecks(db, redis);
  const drain = new DrainState();

  let http: RunningHttpServer;
  let clientLimits: ClientLimits | undefined;
  if (config.ROLE === 'worker') {
    http = await startOpsServer({ config, metrics, readiness, drain });
  } else {
    clientLimits = new ClientLimits(config, new SharedRateCounters(redis, keys, config.RATE_LIMIT_SYNC_MS, log), metrics);
    http = await startHttpServer({
      config,
      schema: buildSchema(),
      tokens: new TokenService(config.JWT_SECRET, config.AUTH_MAX_TOKEN_TTL_SECONDS),
      services,
      metrics,
      log,
      readiness,
      adminUiDir: seams.adminUiDir,
      clientLimits,
      drain,
    });
  }
  log.info({ port: http.port, role: config.ROLE }, 'platform started');

  let stopping: Promise<void> | undefined;
  return {
    config,
    port: http.port,
    services,
    prisma,
    db,
    redis,
    keys,
    queues,
    relay,
    log,
    drain() {
      drain.draining = true;
    },
    stop(deadline = shutdownDeadline(config)) {
      stopping ??= (async () => {
        drain.draining = true;
        // The API's requests and the workers' jobs finish side by side; a worker's ops server (/readyz at 503,
        // /healthz, /metrics) stays up until the end.
        await Promise.all([config.ROLE === 'worker' ? undefined : http.stop(deadline), workers?.stop(deadline)]);
        clientLimits?.stop();
        await housekeeping?.stop();
        // After the requests: each one hands its committed messages off before answering.
        await relay.stop();
        await services.serving.stop();
        await services.productCache.stop();
        await queues.close();
        await pubsub.close();
        await db.close();
        await Promise.all([redis, producer].map((c) => c.quit().catch(() => c.disconnect())));
        if (config.ROLE === 'worker') await http.stop(deadline);
        log.info('platform stopped');
      })();
      return stopping;
    },
  };
}
