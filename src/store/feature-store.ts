// The Redis feature store's reads: what a recommendation list reads about its user and the neighbours of its seeds,
// as scripts (a script is one command and one reply, where a pipeline is a command, a reply and a promise per key,
// and a live list is read on every event of its user). Writes are feature-writes.ts, inside the unit of work of
// event-unit-of-work.ts; announcements are announcements.ts. Key layouts are documented in keys.ts.
import type { Redis } from 'ioredis';
import { RECENT_READ } from '../domain/feature-updates';
import { neighbourList, type NeighbourFamily, type NeighbourList } from '../domain/neighbours';
import { parseUserChange, withUserState, type UserChange } from './announcements';
import type { RedisKeys } from './keys';
import { luaScript } from './lua';
import { replyList, replyPairs } from './redis';

const READ_SCRIPTS = {
  fwUserProfile: { lua: luaScript('user-profile'), numberOfKeys: 4, readOnly: true },
  fwUserState: { lua: luaScript('read-user-state', withUserState), numberOfKeys: 4, readOnly: true },
  fwNeighbours: { lua: luaScript('neighbours'), readOnly: true },
} as const;

type ReadScripts = {
  fwUserProfile(...keysThenArgs: Array<string | number>): Promise<string>;
  fwUserState(...keysThenArgs: Array<string | number>): Promise<string>;
  fwNeighbours(numberOfKeys: number, ...keysThenLimit: Array<string | number>): Promise<string[][]>;
};

/** What a recommendation list reads about its user (see FeatureStore.userProfile). */
export interface UserProfile {
  /** Most recently interacted items, newest first. */
  recent: string[];
  /** Category → affinity. */
  affinity: Map<string, number>;
  /** The store's most popular products → decayed popularity, without excluded ones. */
  popular: Map<string, number>;
  /** The popularity of the most popular product, excluded or not. */
  popularTop: number;
  /** Top neighbours (→ co-occurrence weight) of the seeds read with the profile, without excluded ones. */
  neighbours: Map<string, Map<string, number>>;
  /** Each seed's top co-occurrence weight, excluded neighbour or not. */
  neighbourTops: Map<string, number>;
  /** What is touched after each of the first `sequentialSeeds` seeds (sequential rules), without excluded ones. */
  sequential: Map<string, NeighbourList>;
}

export class FeatureStore {
  private readonly reader: Redis & ReadScripts;

  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
  ) {
    for (const [name, script] of Object.entries(READ_SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, script);
    }
    this.reader = redis as Redis & ReadScripts;
  }

  /**
   * What one recommendation list reads about its user, in one round trip: recent items, category affinity, the
   * most popular products, and the neighbours of up to `maxSeeds` seeds: `seeds` first, then recent items.
   * Popular products and neighbours leave out what the user bought and, with `excludeInteracted`, everything the
   * user interacted with, as far as the applied events tell (Postgres knows an event from its commit on).
   */
  async userProfile(
    userId: string,
    opts: {
      popular: number;
      popularKeep: number;
      seeds: string[];
      maxSeeds: number;
      neighboursPerSeed: number;
      /** How many of the seeds (given ones first, then recent items) also read their sequential rules (default 0). */
      sequentialSeeds?: number;
      excludeInteracted: boolean;
    },
  ): Promise<UserProfile> {
    const reply = await this.reader.fwUserProfile(
      this.keys.userItems(userId),
      this.keys.userCategories(userId),
      this.keys.popularity(),
      this.exclusionKey(userId, opts.excludeInteracted),
      this.keys.coOccurrence(''),
      RECENT_READ,
      opts.popular,
      opts.popularKeep,
      opts.neighboursPerSeed,
      opts.maxSeeds,
      this.keys.sequential(''),
      opts.sequentialSeeds ?? 0,
      ...opts.seeds,
    );
    // Lua's cjson writes an empty table as {}: read anything but an array as empty.
    const parts = JSON.parse(reply) as unknown[];
    const seeds = replyList<string>(parts[3]);
    const neighbours = replyList<unknown>(parts[4]).map((n) => replyList<string>(n));
    const sequential = replyList<unknown>(parts[5]).map((n) => replyList<string>(n));
    const popular = replyList<string>(parts[2]);
    return {
      recent: replyList<string>(parts[0]),
      affinity: replyPairs(replyList(parts[1])),
      popular: replyPairs(popular, 1),
      popularTop: Number(popular[0] ?? 0),
      neighbours: new Map(seeds.map((p, i) => [p, replyPairs(neighbours[i] ?? [], 1)])),
      neighbourTops: new Map(seeds.map((p, i) => [p, Number(neighbours[i]?.[0] ?? 0)])),
      sequential: new Map(sequential.map((n, i) => [seeds[i]!, neighbourList(replyPairs(n, 1), Number(n[0] ?? 0))])),
    };
  }

  /** The user's own state, as an announcement would carry it; exclusion sets of over `most` members left out. */
  async userState(userId: string, most = 1000): Promise<UserChange> {
    const reply = await this.reader.fwUserState(
      this.keys.userItems(userId),
      this.keys.userCategories(userId),
      this.keys.userSeen(userId),
      this.keys.userBought(userId),
      most,
    );
    return parseUserChange(reply)!;
  }

  /** Which of `productIds` the user may not be shown: bought, or (with `excludeInteracted`) interacted with. */
  async excluded(userId: string, productIds: string[], excludeInteracted: boolean): Promise<Set<string>> {
    if (!productIds.length) return new Set();
    const flags = await this.redis.smismember(this.exclusionKey(userId, excludeInteracted), ...productIds);
    return new Set(productIds.filter((_, i) => flags[i] === 1));
  }

  private exclusionKey(userId: string, excludeInteracted: boolean): string {
    // Every purchase is an interaction: the seen set holds the bought one.
    return excludeInteracted ? this.keys.userSeen(userId) : this.keys.userBought(userId);
  }

  /** Top co-occurrence neighbours of each product, in one round trip. */
  async neighbours(productIds: string[], limit = 50): Promise<Map<string, Map<string, number>>> {
    const lists = await this.neighbourLists(productIds.map((productId) => ({ productId, family: 'coOccurrence' as const })), limit);
    return new Map(productIds.map((p, i) => [p, lists[i]!]));
  }

  /** Top neighbours of each (product, family) asked, in the order asked, in one round trip. */
  async neighbourLists(asked: Array<{ productId: string; family: NeighbourFamily }>, limit = 50): Promise<Array<Map<string, number>>> {
    if (!asked.length) return [];
    const keys = asked.map(({ productId, family }) => (family === 'sequential' ? this.keys.sequential(productId) : this.keys.coOccurrence(productId)));
    const lists = await this.reader.fwNeighbours(keys.length, ...keys, limit);
    return asked.map((_, i) => replyPairs(lists[i] ?? []));
  }

  async popular(limit = 100): Promise<Map<string, number>> {
    return replyPairs(await this.redis.zrevrange(this.keys.popularity(), 0, limit - 1, 'WITHSCORES'));
  }

  async productStats(productId: string): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.keys.productStats(productId));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  /** Deletes every feature key (before a rebuild). */
  async clear(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', this.keys.featurePattern, 'COUNT', 1000);
      cursor = next;
      if (batch.length) deleted += await this.redis.unlink(...batch);
    } while (cursor !== '0');
    return deleted;
  }
}
