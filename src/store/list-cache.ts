// Recommendation lists kept per user (issue 22), so that a `recommendations` query whose inputs did not change is
// answered with one Redis round trip instead of a computation (a profile script, Postgres filters and product
// rows, the ranking: ≈ 2.5 ms of CPU across the API, Postgres and Redis).
//
// Validity is a per-user version that everything changing the user's inputs bumps: the API when it commits the
// user's events (a query may not show a product the shopper viewed a moment ago: the exact path excludes it from
// the commit on, from Postgres), and the worker when it applies them (recent items, cart, affinity, exclusions).
// A list is kept only if the version it was computed at is still the current one (check-and-set in one script),
// so a list computed from state older than a concurrent bump is never served. What a version does not cover is
// checked where it is served (services/recommendations.ts): the model or variant it came from, the stock and
// catalog rows of its items; the rest (co-occurrence, popularity: other shoppers' events) may be up to the time to
// live old. Key layouts are documented in keys.ts.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { luaScript } from './lua';

/** What is kept of a list: the items by id (product rows are read fresh where it is served). */
export interface KeptList {
  /** The user's list version it was computed at. */
  v: number;
  /** When it was computed (epoch ms). */
  at: number;
  /** Which model and variant it came from (RecommendationService's source key). */
  source: string;
  model: string;
  variant: string | null;
  items: Array<{ id: string; score: number; reason: string }>;
}

/** How long a user's list version outlives the user's last event: longer than any kept list (keys.ts). */
export const LIST_VERSION_TTL_SECONDS = 24 * 3600;

/** Kept lists per user (one per limit, product page and exclusion setting); beyond it, the user's are dropped. */
const MAX_LISTS_PER_USER = 32;

/** Longest a commit's answer waits for the bump (a Redis that stopped answering must not hold recordEvents). */
const INVALIDATE_WAIT_MS = 500;

const KEEP = { lua: luaScript('keep-list'), numberOfKeys: 2 };

type KeepCommand = { lcKeep(version: string, lists: string, at: number, field: string, json: string, ttl: number, most: number): Promise<number> };

export class ListCache {
  private readonly redis: Redis & KeepCommand;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    /** How long a kept list may be served (s). */
    readonly ttlSeconds: number,
  ) {
    if (!('lcKeep' in redis)) redis.defineCommand('lcKeep', KEEP);
    this.redis = redis as Redis & KeepCommand;
  }

  /** The user's list version, and the list kept for `field` if one is (not checked against the version). */
  async read(userId: string, field: string): Promise<{ version: number; kept: KeptList | null }> {
    const replies = await this.redis.pipeline().hget(this.keys.listVersion(userId), 'v').hget(this.keys.keptLists(userId), field).exec();
    if (!replies) throw new Error('Redis pipeline was discarded');
    for (const [err] of replies) if (err) throw err;
    const version = replies[0]?.[1] as string | null;
    const json = replies[1]?.[1] as string | null;
    return { version: Number(version ?? 0), kept: json ? (JSON.parse(json) as KeptList) : null };
  }

  /** Keeps `list` for `field` if the user's version is still `list.v`; whether it was kept. */
  async keep(userId: string, field: string, list: KeptList): Promise<boolean> {
    const kept = await this.redis.lcKeep(
      this.keys.listVersion(userId),
      this.keys.keptLists(userId),
      list.v,
      field,
      JSON.stringify(list),
      this.ttlSeconds,
      MAX_LISTS_PER_USER,
    );
    return kept === 1;
  }

  /** Bumps the list versions of `userIds` (their kept lists are served no more), in one round trip. */
  async invalidate(userIds: Iterable<string>): Promise<void> {
    // Not queued for a Redis that is away (ioredis would hold the call until it is back).
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    const pipeline = this.redis.pipeline();
    for (const u of userIds) pipeline.hincrby(this.keys.listVersion(u), 'v', 1).expire(this.keys.listVersion(u), LIST_VERSION_TTL_SECONDS);
    if (!pipeline.length) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer in time')), INVALIDATE_WAIT_MS);
    });
    try {
      const replies = await Promise.race([pipeline.exec(), late]);
      for (const [err] of replies ?? []) if (err) throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
