// The one configuration module: defaults → environment, validated at start.
// Every option is documented with its default in .env.example.
import { z } from 'zod';
import { EVENT_TYPES } from './domain/events';

const DEV_JWT_SECRET = 'flywheel-development-secret-do-not-use-in-production';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** HTTP and WebSocket port. @default 4000 */
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    /** Address to bind. @default 0.0.0.0 */
    HOST: z.string().min(1).default('0.0.0.0'),
    /** @default postgresql://postgres@127.0.0.1:5432/flywheel */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/flywheel'),
    /** @default redis://127.0.0.1:6379 */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    /** Prefix of every Redis key this deployment writes (queues, features, pub/sub). @default fw */
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('fw'),
    /** HS256 secret for bearer tokens. Required in production. */
    JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Longest token lifetime accepted (exp − iat; exp − now without iat), in seconds; every token needs `exp`. A
     * working day plus margin: the admin UI asks for a new token after it, a service re-signs. @default 86400 */
    AUTH_MAX_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(365 * 86400).default(86_400),
    /** Bearer token Prometheus sends to /metrics. Unset: /metrics is open in development and test, and answers 404
     * when NODE_ENV=production (nothing to scrape without it). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Which parts run in this process: api, worker or all. @default all */
    ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    /** pino level. @default info */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Apply pending migrations at start. @default true */
    MIGRATE_ON_START: bool.default(true),
    /** Largest WebSocket message accepted, in bytes. @default 1048576 */
    WS_MAX_PAYLOAD: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
    /** Query limits applied on HTTP and WebSocket alike. */
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(15),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(5000),
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).default(5000),
    /** Per-client limits (src/http/client-limits.ts): shopper tokens are counted by subject, anonymous callers by IP;
     * service and admin tokens (the storefront's backend, operators) are exempt unless listed otherwise here.
     * Rates are counted per RATE_LIMIT_WINDOW_SECONDS, shared across API instances through Redis. */
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Roles the per-client limits do not apply to: a comma-separated list, or `none`. @default service,admin */
    RATE_LIMIT_EXEMPT_ROLES: z
      .string()
      .default('service,admin')
      .transform((s, ctx) => {
        const roles = s.split(',').map((r) => r.trim()).filter((r) => r && r !== 'none');
        const bad = roles.filter((r) => !['shopper', 'service', 'admin'].includes(r));
        if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown role(s) ${bad.join(', ')}: expected shopper, service, admin or none` });
        return roles as Array<'shopper' | 'service' | 'admin'>;
      }),
    /** How often an API instance adds what it counted to the shared counters in Redis, in ms. @default 100 */
    RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(5).max(10_000).default(100),
    /** HTTP /graphql requests per window, per token subject and per IP (anonymous). @default 1200 / 2400 */
    HTTP_RATE_LIMIT_TOKEN: z.coerce.number().int().min(1).default(1200),
    HTTP_RATE_LIMIT_IP: z.coerce.number().int().min(1).default(2400),
    /** WebSocket connections opened per window, per token subject and per IP (anonymous). @default 60 / 300 */
    WS_CONNECT_RATE_LIMIT_TOKEN: z.coerce.number().int().min(1).default(60),
    WS_CONNECT_RATE_LIMIT_IP: z.coerce.number().int().min(1).default(300),
    /** graphql-ws messages received per window, per token subject and per IP (anonymous). @default 1200 / 2400 */
    WS_MESSAGE_RATE_LIMIT_TOKEN: z.coerce.number().int().min(1).default(1200),
    WS_MESSAGE_RATE_LIMIT_IP: z.coerce.number().int().min(1).default(2400),
    /** WebSockets open at once per token subject and per IP (anonymous), counted per API instance. @default 20 / 200 */
    WS_MAX_SOCKETS_TOKEN: z.coerce.number().int().min(1).default(20),
    WS_MAX_SOCKETS_IP: z.coerce.number().int().min(1).default(200),
    /** Operations open at once on one WebSocket (subscriptions, and queries still running). @default 100 */
    WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(100),
    /** A WebSocket with no open operation is closed after this long, in ms (0 = never). @default 60000 */
    WS_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
    /** Proxies in front of the API whose X-Forwarded-For is trusted, counted from the socket (0: the socket's
     * address is the client's, the header is ignored). As Express's numeric `trust proxy`. @default 0 */
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** Jobs processed at once per worker process (they are gathered into micro-batches). @default 64 */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
    /** Most jobs applied to the feature store in one Redis transaction. @default 64 */
    WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(64),
    /** How long a micro-batch waits for more jobs before it is written, in ms. @default 2 */
    WORKER_BATCH_LINGER_MS: z.coerce.number().min(0).max(1000).default(2),
    /** Job lock in ms, renewed by a live worker every half of it: a dead worker's lock lapses within this long.
     * @default 25000 */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(25_000),
    /** How often workers look for jobs whose lock lapsed and hand them to a live worker, in ms; at most half the
     * lock. A killed worker's jobs go to another within WORKER_LOCK_MS + WORKER_STALLED_CHECK_MS.
     * @default a fifth of WORKER_LOCK_MS (5000) */
    WORKER_STALLED_CHECK_MS: z.coerce.number().int().min(100).optional(),
    /** Poll interval of the outbox relay, which delivers rows their writer did not hand off, in ms. @default 500 */
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
    /** How long sent outbox messages are kept (for inspection) before the workers prune them, in hours. @default 168 */
    OUTBOX_RETENTION_HOURS: z.coerce.number().min(1).default(168),
    /** Least time between two pushes of one campaign's KPIs (or of sales metrics) to a subscriber, in ms. @default 250 */
    KPI_THROTTLE_MS: z.coerce.number().int().min(0).default(250),
    /** How long a live recommendation push may reuse the neighbour lists and popular products read for an earlier
     * push (per API instance), in ms; 0 reads them for every push. A shopper's own state is fresh every time. @default 5000 */
    LIVE_FEATURE_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
    /** How long a `recommendations` query may be answered with the list kept from an earlier one whose inputs did
     * not change (the user's events, model, stock), in seconds; other shoppers' activity reaches it at most this late.
     * 0 computes every list. @default 60 */
    RECOMMENDATION_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    /** How often the per-minute KPI and sales rollup runs, in ms. @default 5000 */
    KPI_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(500).default(5000),
    /** How often each worker checks that Redis still holds the feature store (its generation), in ms; a worker also
     * checks at start and when its Redis connection comes back. @default 5000 */
    FEATURE_STORE_CHECK_MS: z.coerce.number().int().min(100).default(5000),
    /** Model family trained by default: auto (ALS, EASE and their ensembles at five weights tried on each training's
     * hold-out, the best kept), als, ease, ensemble, sar, bpr or itemknn. @default auto */
    TRAIN_ALGORITHM: z.enum(['auto', 'ease', 'sar', 'als', 'bpr', 'itemknn', 'ensemble']).default('auto'),
    /** Scheduled retraining interval in ms (0 turns the schedule off). @default 600000 (10 min) */
    TRAIN_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
    /** Retrain early after this many new events (0 turns it off). @default 5000 */
    TRAIN_AFTER_EVENTS: z.coerce.number().int().min(0).default(5000),
    /** Interaction weight per event type, e.g. VIEW=1,CLICK=2,ADD_TO_CART=4,PURCHASE=8. */
    TRAIN_EVENT_WEIGHTS: z
      .string()
      .default('VIEW=1,CLICK=2,ADD_TO_CART=4,PURCHASE=8')
      .transform((s, ctx) => {
        const out: Record<string, number> = {};
        for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
          const [k, v] = part.split('=');
          const n = Number(v);
          if (!k || !(EVENT_TYPES as readonly string[]).includes(k) || !Number.isFinite(n) || n < 0) {
            ctx.addIssue({ code: 'custom', message: `bad entry "${part}": expected TYPE=weight with a known event type` });
            return z.NEVER;
          }
          out[k] = n;
        }
        return out;
      }),
    /** Half-life in days for decaying interactions in training, counted back from the latest event (0 = no decay), or
     * `auto`: each training tries 0 and 30 on its hold-out and keeps the better (model-training.ts). @default auto */
    TRAIN_HALF_LIFE_DAYS: z
      .union([z.literal('auto'), z.coerce.number().min(0)], { error: 'must be auto or a number of days ≥ 0' })
      .default('auto'),
    /** Most users sampled into one training (stable hash sample). @default 50000 */
    TRAIN_MAX_USERS: z.coerce.number().int().min(10).default(50_000),
    /** Most users held out to evaluate a training (the rest train only): bounds scoring on big stores. @default 5000 */
    TRAIN_EVAL_USERS: z.coerce.number().int().min(10).default(5000),
    /** A candidate is promoted when its NDCG@10 ≥ the active recipe's minus this. @default 0 */
    TRAIN_PROMOTION_TOLERANCE: z.coerce.number().min(0).max(1).default(0),
    /** Seconds from SIGTERM/SIGINT to exit, the delay below included: in-flight requests and jobs get all but the
     * last second (kept for closing connections); past it the process exits 1. Under a typical 10 s kill grace
     * period. @default 8 */
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).default(8),
    /** How long an API process keeps serving, with /readyz at 503, before it stops accepting: the time a load
     * balancer polling /readyz needs to stop sending it new requests. Not for ROLE=worker. @default 1000 */
    SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  })
  .superRefine((env, ctx) => {
    if (env.SHUTDOWN_DELAY_MS >= env.SHUTDOWN_TIMEOUT_SECONDS * 1000) {
      ctx.addIssue({ code: 'custom', path: ['SHUTDOWN_DELAY_MS'], message: 'must be shorter than SHUTDOWN_TIMEOUT_SECONDS' });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    // Above half the lock the bound is no longer lock + interval (src/workers/recovery.ts).
    if (env.WORKER_STALLED_CHECK_MS !== undefined && env.WORKER_STALLED_CHECK_MS * 2 > env.WORKER_LOCK_MS) {
      ctx.addIssue({ code: 'custom', path: ['WORKER_STALLED_CHECK_MS'], message: `must be at most half of WORKER_LOCK_MS (${env.WORKER_LOCK_MS})` });
    }
  })
  .transform((env) => ({ ...env, WORKER_STALLED_CHECK_MS: env.WORKER_STALLED_CHECK_MS ?? Math.round(env.WORKER_LOCK_MS / 5) }));

export type Config = Omit<z.infer<typeof schema>, 'JWT_SECRET'> & {
  JWT_SECRET: string;
  /** True when JWT_SECRET was not set and the development secret is in use. */
  usingDevSecret: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so that a blank line in .env falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const { JWT_SECRET, ...rest } = parsed.data;
  return { ...rest, JWT_SECRET: JWT_SECRET ?? DEV_JWT_SECRET, usingDevSecret: !JWT_SECRET };
}
