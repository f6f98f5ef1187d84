// Recommendation lists kept per user (issue 22), so that a `recommendations` query whose inputs did not change is
// answered with one Redis round trip instead of a computation (a profile script, Postgres filters and product
// rows, the ranking: ≈ 2.5 ms of CPU across the API, Postgres and Redis).
//
// Validity is a per-user version that everything changing the user's inputs bumps: the API when it commits the
// user's events (a query may not show a product the shopper viewed a moment ago: the exact path excludes it from
// the commit on, from Postgres), and the worker when it applies them (recent items, cart, affinity, exclusions).
// A list is kept only if the version it was computed at is still the current one (check-and-set in one script),
// so a list computed from state older than a concurrent bump is never served. Only users whose list was asked
// for have a version (the read creates it; it outlives their kept lists): a bump of anyone else is an EXISTS, so
// ingest pays next to nothing for shoppers nobody asks lists of. What a version does not cover is
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

/** Kept lists per user (one per limit, product page and exclusion setting); beyond it, the user's are dropped. */
const MAX_LISTS_PER_USER = 32;

/** Longest a commit's answer waits for the bump (a Redis that stopped answering must not hold recordEvents). */
const INVALIDATE_WAIT_MS = 500;

const SCRIPTS = {
  lcRead: { lua: luaScript('read-list'), numberOfKeys: 2 },
  lcKeep: { lua: luaScript('keep-list'), numberOfKeys: 2 },
  lcBump: { lua: luaScript('bump-lists') },
} as const;

type Commands = {
  lcRead(version: string, lists: string, field: string, versionTtl: number): Promise<[string, string | null]>;
  lcKeep(version: string, lists: string, at: number, field: string, json: string, ttl: number, most: number): Promise<number>;
  lcBump(numberOfKeys: number, ...versions: string[]): Promise<number>;
};

export class ListCache {
  private readonly redis: Redis & Commands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    /** How long a kept list may be served (s). */
    readonly ttlSeconds: number,
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) if (!(name in redis)) redis.defineCommand(name, script);
    this.redis = redis as Redis & Commands;
  }

  /** The user's list version (created if absent), and the list kept for `field` if one is (not checked against the
   * version). */
  async read(userId: string, field: string): Promise<{ version: number; kept: KeptList | null }> {
    const [version, json] = await this.redis.lcRead(this.keys.listVersion(userId), this.keys.keptLists(userId), field, 2 * this.ttlSeconds);
    return { version: Number(version), kept: json ? (JSON.parse(json) as KeptList) : null };
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

  /** Bumps the list versions of `userIds` that have one (their kept lists are served no more), in one round trip. */
  async invalidate(userIds: Iterable<string>): Promise<void> {
    // Not queued for a Redis that is away (ioredis would hold the call until it is back).
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    const versions = [...userIds].map((u) => this.keys.listVersion(u));
    if (!versions.length) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer in time')), INVALIDATE_WAIT_MS);
    });
    try {
      await Promise.race([this.redis.lcBump(versions.length, ...versions), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
