// The Redis feature store: applies feature write plans idempotently and serves the reads that
// recommendations need. Key layouts are documented in keys.ts.
import type { Redis } from 'ioredis';
import { planFeatureWrites, type FeatureWritePlan, type RecentItems } from '../domain/feature-updates';
import type { StoredEvent } from '../domain/events';
import { neighbourList, type NeighbourFamily, type NeighbourList } from '../domain/neighbours';
import { REPLAYING } from './feature-generation';
import { topics, type RedisKeys } from './keys';

/** Bounds that keep per-user and per-product keys small. */
export const USER_ITEMS_KEPT = 200;
export const CO_OCCURRENCE_KEPT = 100;
const SESSION_TTL_SECONDS = 24 * 3600;
const APPLIED_MARKER_TTL_SECONDS = 7 * 24 * 3600;
export const RECENT_READ = 20;

export interface JobEvents {
  jobId: string;
  events: StoredEvent[];
}

/**
 * A user's own state as one JSON string (a UserChange): recent items (newest first), category affinity, the seen
 * and bought sets when they have at most `most` members (false otherwise), whether the cart may have changed,
 * and the version: the Redis clock when the state was read. Scripts run one at a time, so a later version never
 * carries an older state. A Lua function, shared by the scripts that read it (fwUserState, ANNOUNCE).
 */
const USER_STATE = `local function userState(items, cats, seen, bought, most, cart)
      local t = redis.call('TIME')
      local function members(key)
        if redis.call('SCARD', key) > most then return false end
        return redis.call('SMEMBERS', key)
      end
      return cjson.encode({v = t[1] .. string.format('%06d', tonumber(t[2])), cart = cart,
        recent = redis.call('ZREVRANGE', items, 0, ${RECENT_READ} - 1),
        affinity = redis.call('ZREVRANGE', cats, 0, 9, 'WITHSCORES'),
        seen = members(seen), bought = members(bought)})
    end`;

/**
 * The reads of a recommendation list, as scripts: a script is one command and one reply, where a pipeline is a
 * command, a reply and a promise per key, and a live list is read on every event of its user.
 */
const READ_SCRIPTS = {
  fwUserProfile: {
    // What one list reads about its user: recent items (newest first), category affinity, the most popular
    // products, and the top neighbours of the seeds (given ones first, then recent items), in one round trip.
    // Popular products and neighbours come without the members of the exclusion set (what the user may not be
    // shown), each list led by its unfiltered top score, which normalises it.
    // The first `sequential seeds` seeds also bring what is touched after them (sequential rules), read the same way.
    // KEYS: the user's items, the user's categories, popularity, the exclusion set. ARGV: co-occurrence key
    // prefix, recent items to read, popular products to read, popular products to keep, neighbours per seed,
    // most seeds, sequential-rule key prefix, sequential seeds, then the given seeds.
    // The co-occurrence keys are derived here rather than declared in KEYS, which a Redis Cluster would refuse;
    // the feature store already needs a single Redis (its MULTI transactions span many keys). The answer is one
    // JSON string (hundreds of strings otherwise, each a reply the client decodes on its own).
    lua: `local recent = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
      local seeds, seen = {}, {}
      local maxSeeds = tonumber(ARGV[6])
      local function add(p) if not seen[p] and #seeds < maxSeeds then seen[p] = true; seeds[#seeds + 1] = p end end
      for i = 9, #ARGV do add(ARGV[i]) end
      for _, p in ipairs(recent) do add(p) end
      local excluded, lookup = {}, redis.call('SCARD', KEYS[4]) > 256
      if not lookup then for _, p in ipairs(redis.call('SMEMBERS', KEYS[4])) do excluded[p] = true end end
      local function out(p)
        local e = excluded[p]
        if e == nil then
          e = lookup and redis.call('SISMEMBER', KEYS[4], p) == 1
          excluded[p] = e
        end
        return e
      end
      local function filtered(key, n, keep)
        local raw = redis.call('ZREVRANGE', key, 0, n - 1, 'WITHSCORES')
        local res, kept = {raw[2] or '0'}, 0
        for i = 1, #raw, 2 do
          if kept >= keep then break end
          if not out(raw[i]) then res[#res + 1] = raw[i]; res[#res + 1] = raw[i + 1]; kept = kept + 1 end
        end
        return res
      end
      local perSeed = tonumber(ARGV[5])
      local neighbours = {}
      local sequential, sequentialSeeds = {}, tonumber(ARGV[8])
      for i, p in ipairs(seeds) do
        neighbours[i] = filtered(ARGV[1] .. p, perSeed, perSeed)
        if i <= sequentialSeeds then sequential[i] = filtered(ARGV[7] .. p, perSeed, perSeed) end
      end
      return cjson.encode({recent, redis.call('ZREVRANGE', KEYS[2], 0, 9, 'WITHSCORES'),
              filtered(KEYS[3], tonumber(ARGV[3]), tonumber(ARGV[4])), seeds, neighbours, sequential})`,
    numberOfKeys: 4,
    readOnly: true,
  },
  fwUserState: {
    // A user's own state, as an announcement carries it (USER_STATE), for a live list that got none.
    // KEYS: the user's items, categories, seen and bought sets. ARGV: the most members of a set to return.
    lua: `${USER_STATE}
      return userState(KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[1]), false)`,
    numberOfKeys: 4,
    readOnly: true,
  },
  fwNeighbours: {
    // The top neighbours of each co-occurrence (or sequential-rule) key given, with their weights.
    lua: `local out = {}
      for i, key in ipairs(KEYS) do out[i] = redis.call('ZREVRANGE', key, 0, tonumber(ARGV[1]) - 1, 'WITHSCORES') end
      return out`,
    readOnly: true,
  },
} as const;

/**
 * Tells live lists which users' features changed, with the user's state in the message (UserChange), so that the
 * API instance computing a list needs no Redis read of its own. Only users someone listens to are read and
 * announced (PUBSUB NUMSUB, counted after the writes: a subscriber that arrives later reads the state itself).
 * ARGV: the most members of an exclusion set a message carries, then per user: channel, items key, categories
 * key, seen key, bought key, '1' when the user's cart may have changed.
 */
const ANNOUNCE = {
  lua: `${USER_STATE}
    local most, announced = tonumber(ARGV[1]), 0
    for i = 2, #ARGV, 6 do
      if redis.call('PUBSUB', 'NUMSUB', ARGV[i])[2] > 0 then
        redis.call('PUBLISH', ARGV[i], userState(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], most, ARGV[i + 5] == '1'))
        announced = announced + 1
      end
    end
    return announced`,
  numberOfKeys: 0,
};

/** A user's own state: what a worker announces on the user's topic after applying the user's events (see
 * ANNOUNCE), and what FeatureStore.userState reads. */
export interface UserChange {
  /** Redis clock (µs, as a decimal string) when the state was read: a later one is never older. */
  v: string;
  /** Whether the user's cart may have changed (a cart event was among the applied ones). */
  cart: boolean;
  recent: string[];
  affinity: Map<string, number>;
  /** The exclusion sets, when small enough to travel; null: read them from Redis. */
  seen: Set<string> | null;
  bought: Set<string> | null;
}

/** Most members of an exclusion set an announcement carries. */
const ANNOUNCED_MEMBERS = 250;

/** Parses a user's state (an announcement); null for anything else (such as the bare 'events' / 'cart' of older
 * workers). */
export function parseUserChange(message: string): UserChange | null {
  if (message[0] !== '{') return null;
  const raw = JSON.parse(message) as { v: string; cart: boolean; recent: unknown; affinity: unknown; seen: unknown; bought: unknown };
  return {
    v: raw.v,
    cart: raw.cart,
    recent: list<string>(raw.recent),
    affinity: pairs(list(raw.affinity)),
    seen: raw.seen === false ? null : new Set(list<string>(raw.seen)),
    bought: raw.bought === false ? null : new Set(list<string>(raw.bought)),
  };
}

/** Writes a plan encoded by encodePlan. Key names come from RedisKeys, in the plan (see READ_SCRIPTS on Cluster). */
const APPLY_PLAN = {
  lua: `local plan = cjson.decode(ARGV[1])
    local zi, trim, expire, hincr = plan.zi, plan.trim, plan.expire, plan.hincr
    for i = 1, #zi, 3 do redis.call('ZINCRBY', zi[i], zi[i + 1], zi[i + 2]) end
    for _, z in ipairs(plan.zgt) do redis.call('ZADD', z[1], 'GT', unpack(z, 2)) end
    for i = 1, #trim, 2 do redis.call('ZREMRANGEBYRANK', trim[i], 0, trim[i + 1]) end
    for i = 1, #expire, 2 do redis.call('EXPIRE', expire[i], expire[i + 1]) end
    for _, m in ipairs(plan.sadd) do redis.call('SADD', unpack(m)) end
    for i = 1, #hincr, 3 do redis.call('HINCRBY', hincr[i], hincr[i + 1], hincr[i + 2]) end
    return 1`,
  numberOfKeys: 0,
};

/** The write scripts, as commands of a connection, pipeline or transaction. */
export type WriteCommands = { fwApplyPlan(plan: string): unknown; fwAnnounce(...args: Array<string | number>): unknown };

/** The writer connection's scripts, defined on it once (a writer is a connection of its own, not the reader). */
export function defineWriteScripts(writer: Redis): asserts writer is Redis & WriteCommands {
  if (!('fwApplyPlan' in writer)) writer.defineCommand('fwApplyPlan', APPLY_PLAN);
  if (!('fwAnnounce' in writer)) writer.defineCommand('fwAnnounce', ANNOUNCE);
}

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

/**
 * A feature write refused because the store's generation is not the one it needs: none (Redis lost its data, or a
 * rebuild is clearing the store), one being replayed into (a worker's write), or another one (a rebuild's write,
 * after another rebuild began). Nothing was written.
 */
export class FeatureGenerationError extends Error {
  constructor(readonly found: string | null) {
    super(found === null ? 'the feature store has no generation (Redis lost its data, or a rebuild is clearing it)' : `the feature store is at generation ${found}`);
    this.name = 'FeatureGenerationError';
  }
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
   * Applies the events of several jobs at once, each job at most once ever. `writer` must be a connection used
   * by nobody else: WATCH on the jobs' applied-markers makes the check-then-write atomic, so two workers that
   * both received a job (a stalled job redelivered) cannot both apply it. Returns how many jobs it applied.
   *
   * Two round trips when nothing interferes (a worker's flush waits on each, and on a busy machine every
   * round trip is a wait for two processes to be scheduled): WATCH, the markers and the recent items of every
   * job's users and sessions in one pipeline, then the transaction.
   */
  async applyJobs(
    writer: Redis,
    jobs: JobEvents[],
    /**
     * Other writes in the same transaction, under the same once-per-job guarantee (KPIs; announcements, which
     * then go out only when the writes were made, and at once).
     */
    alsoWrite?: (events: StoredEvent[], tx: Chain & WriteCommands) => void,
    /**
     * The feature store's generation the writes need (keys.featureGeneration, read under the same WATCH): `true`,
     * any complete one (a worker: a store without one lost its data, or is being cleared or replayed into, and must
     * not be written to); a string, exactly that (a rebuild replaying into the generation it made). Absent: not
     * checked (tests, tools).
     */
    opts: { generation?: string | true } = {},
  ): Promise<{ applied: number }> {
    const keys = this.keys;
    defineWriteScripts(writer);
    const markers = jobs.map((j) => keys.appliedJob(j.jobId));
    const watched = opts.generation === undefined ? markers : [keys.featureGeneration(), ...markers];
    for (let attempt = 0; ; attempt++) {
      const read = writer.pipeline().watch(...watched).mget(...watched);
      // Read for every job's users and sessions: those of jobs applied already are read for nothing (rare).
      const recentOf = queueRecentReads(read, keys, jobs.flatMap((j) => j.events));
      const replies = (await read.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed) {
        await writer.unwatch().catch(() => undefined);
        throw failed[0];
      }
      const done = replies[1]![1] as Array<string | null>;
      if (opts.generation !== undefined) {
        const generation = done.shift()!;
        const wrong = opts.generation === true ? generation === null || generation.startsWith(REPLAYING) : generation !== opts.generation;
        if (wrong) {
          await writer.unwatch();
          throw new FeatureGenerationError(generation);
        }
      }
      const fresh = jobs.filter((_, i) => done[i] === null);
      if (!fresh.length) {
        await writer.unwatch();
        return { applied: 0 };
      }
      const events = fresh.flatMap((j) => j.events);
      const plan = planFeatureWrites(events, recentOf(replies, 2));
      const tx = writer.multi() as Chain & WriteCommands;
      writePlan(tx, keys, plan);
      alsoWrite?.(events, tx);
      for (const j of fresh) tx.set(keys.appliedJob(j.jobId), '1', 'EX', APPLIED_MARKER_TTL_SECONDS);
      const result = await tx.exec();
      if (result !== null) {
        const error = result.find(([err]) => err);
        if (error) throw error[0];
        return { applied: fresh.length };
      }
      // Another writer touched a marker between WATCH and EXEC: read again and retry.
      if (attempt >= 10) throw new Error('feature store: too many concurrent writers on the same jobs');
    }
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
    const seeds = list<string>(parts[3]);
    const neighbours = list<unknown>(parts[4]).map((n) => list<string>(n));
    const sequential = list<unknown>(parts[5]).map((n) => list<string>(n));
    const popular = list<string>(parts[2]);
    return {
      recent: list<string>(parts[0]),
      affinity: pairs(list(parts[1])),
      popular: pairs(popular, 1),
      popularTop: Number(popular[0] ?? 0),
      neighbours: new Map(seeds.map((p, i) => [p, pairs(neighbours[i] ?? [], 1)])),
      neighbourTops: new Map(seeds.map((p, i) => [p, Number(neighbours[i]?.[0] ?? 0)])),
      sequential: new Map(sequential.map((n, i) => [seeds[i]!, neighbourList(pairs(n, 1), Number(n[0] ?? 0))])),
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

  /**
   * Announces each user's new state on the user's topic, to whoever listens (see ANNOUNCE), as one command of
   * `tx` (applyJobs' transaction: right after the writes it tells of). `channel` maps a topic to its Redis
   * channel (RedisPubSub's naming).
   */
  announce(tx: WriteCommands, users: Array<{ userId: string; cart: boolean }>, channel: (topic: string) => string): void {
    if (!users.length) return;
    const args: Array<string | number> = [ANNOUNCED_MEMBERS];
    for (const { userId, cart } of users) {
      args.push(
        channel(topics.userFeatures(userId)),
        this.keys.userItems(userId),
        this.keys.userCategories(userId),
        this.keys.userSeen(userId),
        this.keys.userBought(userId),
        cart ? '1' : '0',
      );
    }
    tx.fwAnnounce(...args);
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
    return asked.map((_, i) => pairs(lists[i] ?? []));
  }

  async popular(limit = 100): Promise<Map<string, number>> {
    return pairs(await this.redis.zrevrange(this.keys.popularity(), 0, limit - 1, 'WITHSCORES'));
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

function list<T = string>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function pairs(flat: string[], from = 0): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = from; i + 1 < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
  return out;
}

/**
 * Queues the reads of the recent items of `events`' users and sessions on `pipeline`; the function returned
 * takes the pipeline's replies, and where these reads begin among them.
 */
function queueRecentReads(pipeline: Chain, keys: RedisKeys, events: StoredEvent[]): (replies: Array<[Error | null, unknown]>, from: number) => RecentItems {
  const users = [...new Set(events.map((e) => e.userId))];
  const sessions = [...new Set(events.flatMap((e) => (e.sessionId ? [e.sessionId] : [])))];
  for (const u of users) pipeline.zrevrange(keys.userItems(u), 0, RECENT_READ - 1, 'WITHSCORES');
  for (const s of sessions) pipeline.zrevrange(keys.sessionItems(s), 0, RECENT_READ - 1, 'WITHSCORES');
  return (replies, from) => {
    const read = (i: number) => pairs((replies[from + i]?.[1] as string[]) ?? []);
    return {
      users: new Map(users.map((u, i) => [u, read(i)])),
      sessions: new Map(sessions.map((s, i) => [s, read(users.length + i)])),
    };
  };
}

export type Chain = ReturnType<Redis['multi']>;

/** Most members or score-member pairs per command in a plan (Lua's unpack() takes at most ~8,000 values). */
const PER_COMMAND = 1000;

/**
 * A write plan as the fwApplyPlan script's argument: every write of a batch of events in one command (and one
 * JSON string), rather than the 20-30 commands per event it takes as separate ZINCRBY, ZADD, SADD… calls,
 * each of which the client builds, encodes and awaits on its own. Numbers travel as strings (shortest exact
 * form) so that Lua passes them on unrounded.
 */
export function encodePlan(keys: RedisKeys, plan: FeatureWritePlan): string {
  const zi: string[] = [];
  const zgt: string[][] = [];
  const trim: Array<string | number> = [];
  const expire: Array<string | number> = [];
  const sadd: string[][] = [];
  const hincr: Array<string | number> = [];
  const chunks = <T>(items: T[], each: (chunk: T[]) => void) => {
    for (let i = 0; i < items.length; i += PER_COMMAND) each(items.slice(i, i + PER_COMMAND));
  };
  for (const [p, by] of plan.popularity) zi.push(keys.popularity(), String(by), p);
  for (const [p, neighbours] of plan.coOccurrence) {
    const key = keys.coOccurrence(p);
    for (const [q, by] of neighbours) zi.push(key, String(by), q);
    // Trimming costs a write; do it on a fraction of updates, so keys hover just above the bound.
    if (Math.random() < 0.1) trim.push(key, -(CO_OCCURRENCE_KEPT + 1));
  }
  for (const [p, next] of plan.sequential) {
    const key = keys.sequential(p);
    for (const [q, by] of next) zi.push(key, String(by), q);
    if (Math.random() < 0.1) trim.push(key, -(CO_OCCURRENCE_KEPT + 1));
  }
  for (const [u, cats] of plan.userCategories) for (const [c, by] of cats) zi.push(keys.userCategories(u), String(by), c);
  for (const [u, items] of plan.userItems) {
    const key = keys.userItems(u);
    chunks([...items], (c) => zgt.push([key, ...c.flatMap(([p, t]) => [String(t), p])]));
    trim.push(key, -(USER_ITEMS_KEPT + 1));
  }
  for (const [s, items] of plan.sessionItems) {
    const key = keys.sessionItems(s);
    chunks([...items], (c) => zgt.push([key, ...c.flatMap(([p, t]) => [String(t), p])]));
    expire.push(key, SESSION_TTL_SECONDS);
  }
  for (const [u, items] of plan.userSeen) chunks([...items], (c) => sadd.push([keys.userSeen(u), ...c]));
  for (const [u, items] of plan.userBought) chunks([...items], (c) => sadd.push([keys.userBought(u), ...c]));
  for (const [p, counts] of plan.productStats) for (const [type, n] of counts) hincr.push(keys.productStats(p), type, n);
  return JSON.stringify({ zi, zgt, trim, expire, sadd, hincr });
}

function writePlan(tx: Chain & WriteCommands, keys: RedisKeys, plan: FeatureWritePlan): void {
  tx.fwApplyPlan(encodePlan(keys, plan));
}
