// Every Redis key family of the platform, in one place: layout and lifetime.
// All keys start with the deployment prefix (REDIS_PREFIX, default `fw`) so that several deployments
// or test runs share one Redis without touching each other's keys. Redis holds derived state only:
// everything under `<p>:f:` can be rebuilt from Postgres with `npm run features:rebuild`.

export class RedisKeys {
  constructor(
    readonly prefix: string,
    /** The logical database (REDIS_URL's `/n`): keys live in it, but pub/sub channels are server-wide. */
    readonly database = 0,
  ) {}

  /** BullMQ's own keys: `<p>:bull:<queue>:*` (BullMQ's layout; lifetime: the retention set on each queue). */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** Everything the feature store owns, for SCAN-and-delete on rebuild. */
  get featurePattern(): string {
    return `${this.prefix}:f:*`;
  }

  /** ZSET productId → forward-decayed popularity (score grows by weight·2^((t−epoch)/half-life)). No TTL. */
  popularity(): string {
    return `${this.prefix}:f:pop`;
  }

  /** ZSET neighbour productId → co-occurrence weight with `productId` (same user or session). Trimmed to the top entries. No TTL. */
  coOccurrence(productId: string): string {
    return `${this.prefix}:f:co:${productId}`;
  }

  /** ZSET productId → step-decayed count of its being touched right after `productId` in a session (sequential
   * rules, feature-updates.ts). Trimmed to the top entries like co-occurrence. No TTL. */
  sequential(productId: string): string {
    return `${this.prefix}:f:sr:${productId}`;
  }

  /** HASH event type → count of events of that type for the product (exact, idempotent). No TTL. */
  productStats(productId: string): string {
    return `${this.prefix}:f:ps:${productId}`;
  }

  /** ZSET productId → last interaction time (epoch ms) of the user; bounded to the most recent entries. No TTL. */
  userItems(userId: string): string {
    return `${this.prefix}:f:u:${userId}:items`;
  }

  /** SET of every productId the user interacted with (any event type but IMPRESSION): what `excludeInteracted`
   * leaves out of live lists. Unbounded (at most the catalog). No TTL. */
  userSeen(userId: string): string {
    return `${this.prefix}:f:u:${userId}:seen`;
  }

  /** SET of every productId the user bought: never recommended to the user. No TTL. */
  userBought(userId: string): string {
    return `${this.prefix}:f:u:${userId}:bought`;
  }

  /** ZSET category → forward-decayed affinity of the user. No TTL. */
  userCategories(userId: string): string {
    return `${this.prefix}:f:u:${userId}:cat`;
  }

  /** ZSET productId → last interaction time (epoch ms) within a session; expires a day after its last write. */
  sessionItems(sessionId: string): string {
    return `${this.prefix}:f:s:${sessionId}:items`;
  }

  /** HASH of a campaign's live KPI counters (impressions, clicks, addToCarts, conversions, revenueCents, updatedAt ms).
   * Written with the feature store, once per job; rebuilt with it. No TTL. */
  campaignKpis(campaignId: string): string {
    return `${this.prefix}:f:kpi:${campaignId}`;
  }

  /** STRING id of the feature store's generation: set by a rebuild once it has cleared the store, and read by every
   * feature write (under WATCH), which refuses to write without one. Its absence means Redis lost its data (a
   * restart without persistence, a failover to an empty replica, a flush): workers then rebuild (services/feature-repair.ts).
   * Outside `<p>:f:` so that clearing the features leaves it to the rebuild. No TTL. */
  featureGeneration(): string {
    return `${this.prefix}:fs:gen`;
  }

  /** HASH describing the rebuild that made the current generation: generation, reason, startedAt, finishedAt (absent
   * while it replays), jobs, events, durationMs. No TTL (replaced by the next rebuild). */
  featureRebuild(): string {
    return `${this.prefix}:fs:rebuild`;
  }

  /** STRING token of the worker rebuilding the feature store: one at a time. Expires unless renewed (a dead worker's
   * lock lapses and another worker takes the rebuild over). */
  featureRebuildLock(): string {
    return `${this.prefix}:fs:lock`;
  }

  /** HASH with field `v`: the user's recommendation list version, created by the first list read and bumped (where it
   * exists) when the API commits the user's events and when a worker applies them; a kept list is served only at the
   * version it was computed at (list-cache.ts). Expires twice RECOMMENDATION_CACHE_SECONDS after its creation or the
   * last list kept, so it outlives the lists kept at it. */
  listVersion(userId: string): string {
    return `${this.prefix}:f:u:${userId}:lv`;
  }

  /** HASH list arguments (limit, product page, exclusion setting) → the user's kept list as JSON (list-cache.ts);
   * expires RECOMMENDATION_CACHE_SECONDS after the last list kept; at most 32 fields (then emptied). */
  keptLists(userId: string): string {
    return `${this.prefix}:f:u:${userId}:lists`;
  }

  /** HASH variant → lists served in an experiment (for click-through rates). No TTL. */
  experimentServed(experimentId: string): string {
    return `${this.prefix}:ab:${experimentId}:served`;
  }

  /** STRING counter of events applied since the last training was requested; reset when one is. No TTL. */
  eventsSinceTraining(): string {
    return `${this.prefix}:train:events-since`;
  }

  /** STRING marker that a job's messages were published (at most once in the normal case); expires after 7 days. */
  publishedJob(jobId: string): string {
    return `${this.prefix}:done:pub:${jobId}`;
  }

  /** STRING marker that a job's events were applied (idempotency under at-least-once delivery); expires after 7 days. */
  appliedJob(jobId: string): string {
    return `${this.prefix}:f:done:${jobId}`;
  }

  /** Prefix of one per-client rate limit's counters (rate-limiter-flexible appends `:<client>`, e.g.
   * `<p>:rl:http:t:<sub>` or `<p>:rl:http:ip:<address>`): STRING points counted in the current window, by every API
   * instance; expires with the window (RATE_LIMIT_WINDOW_SECONDS). */
  rateLimit(limit: string): string {
    return `${this.prefix}:rl:${limit}`;
  }

  /** Pub/sub channel names: `<p>:ps:<db>:<topic>` (no storage). Redis delivers a message to every subscriber of
   * the server whatever database it selected: the database number keeps two deployments with one prefix in
   * different databases from hearing each other (issue 20). */
  channel(topic: string): string {
    return `${this.prefix}:ps:${this.database}:${topic}`;
  }
}

/** Bare notices on a user's topic, with no state: what may have changed, the list reading the user's state itself.
 * Workers send a UserChange (announcements.ts); a tool may send these (bench:api-costs drives live pushes so). */
export const USER_CHANGED = {
  /** Features only (views, clicks, impressions). */
  events: 'events',
  /** Features and the cart (an ADD_TO_CART, REMOVE_FROM_CART or PURCHASE was among them). */
  cart: 'cart',
} as const;

/** On topics.allUsers: the feature store was rebuilt (Redis had lost its data): every live list reads its user's
 * state again, as its first list did (lists computed meanwhile came from a store still being replayed). */
export const FEATURES_REBUILT = 'rebuilt';

/** Pub/sub topics, shared by publishers (workers) and subscribers (API instances). */
export const topics = {
  /** Something changed that may change the user's recommendations (message: a UserChange as JSON, see
   * announcements.ts; or a bare USER_CHANGED notice). Workers announce only users someone listens to. */
  userFeatures: (userId: string) => `user:${userId}`,
  /** Something changed for every user: a product went out of stock or came back (message: {productId, inStock}),
   * or the feature store was rebuilt from Postgres (message: FEATURES_REBUILT). */
  allUsers: () => 'users:all',
  /** An inventory alert was raised (message: the alert as JSON). */
  inventoryAlerts: () => 'inventory:alerts',
  /** A campaign's KPIs changed. */
  campaign: (campaignId: string) => `campaign:${campaignId}`,
  /** Store-wide sales figures changed (rolled up). */
  sales: () => 'sales',
  /** Catalog fields (name, category, price, currency) of products changed (message: JSON array of their ids). */
  catalog: () => 'catalog',
  /** The active model or the experiment changed: API instances reload. */
  models: () => 'models',
  /** A model version was trained (message: {id}). */
  modelTrained: () => 'models:trained',
};
