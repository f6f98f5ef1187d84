// The feature store's generation, the record of the rebuild that made it, and the lock of the worker rebuilding
// it (keys.ts: featureGeneration, featureRebuild, featureRebuildLock). A Redis that lost its data has none of
// them: that is how workers notice it (services/feature-repair.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

/** What the rebuild that made the current generation recorded (finishedAt null: it is still replaying). */
export interface FeatureRebuildRecord {
  generation: string;
  reason: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Jobs the rebuild applied (the others were applied by workers meanwhile). */
  replayedJobs: number;
  /** Events in Postgres when it ran. */
  events: number;
}

/**
 * How a generation reads while a rebuild replays into it: feature writes that need a complete store (the workers')
 * wait until the replay ends, so that the store ends up as a rebuild in event order makes it (co-occurrence pairs
 * each event with the items before it: applied out of order, weights would differ).
 */
export const REPLAYING = 'replaying:';

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

/** The feature store's state, as one read tells it. */
export interface FeatureGenerationState {
  /** null: no generation, Redis lost its data (or the store was never built). */
  generation: string | null;
  /** Whether a rebuild is replaying into it (workers do not write meanwhile). */
  replaying: boolean;
  /** The rebuild that made `generation`, when its record names it. */
  rebuild: FeatureRebuildRecord | null;
  /** Whether a worker holds the rebuild lock now. */
  locked: boolean;
}

// Ends a replay: the generation becomes complete, with its record, if it is still the one replaying.
const FINISH = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('HSET', KEYS[2], 'finishedAt', ARGV[3], 'replayedJobs', ARGV[4], 'events', ARGV[5])
  return 1`;
// Renews the rebuild lock if this worker still holds it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
// Releases the rebuild lock if this worker still holds it.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class FeatureGenerationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** A new generation id: time first, so ids sort by age in a log. */
  static newId(): string {
    return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  /** The generation, its rebuild record and the lock, in one round trip (the periodic check). */
  async state(): Promise<FeatureGenerationState> {
    const replies = (await this.redis
      .pipeline()
      .get(this.keys.featureGeneration())
      .hgetall(this.keys.featureRebuild())
      .exists(this.keys.featureRebuildLock())
      .exec())!;
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0];
    const raw0 = replies[0]![1] as string | null;
    const replaying = raw0?.startsWith(REPLAYING) ?? false;
    const generation = raw0 && replaying ? raw0.slice(REPLAYING.length) : raw0;
    const raw = replies[1]![1] as Record<string, string>;
    const rebuild: FeatureRebuildRecord | null =
      raw.generation && raw.generation === generation
        ? {
            generation: raw.generation,
            reason: raw.reason ?? '',
            startedAt: new Date(Number(raw.startedAt)),
            finishedAt: raw.finishedAt ? new Date(Number(raw.finishedAt)) : null,
            replayedJobs: Number(raw.replayedJobs ?? 0),
            events: Number(raw.events ?? 0),
          }
        : null;
    return { generation, replaying, rebuild, locked: (replies[2]![1] as number) === 1 };
  }

  /** Removes the generation: from then on no feature write goes through (they WATCH it) until `begin`. */
  async drop(): Promise<void> {
    await this.redis.del(this.keys.featureGeneration());
  }

  /**
   * Sets a new generation over a cleared store, replaying (see REPLAYING), with the record of its rebuild. Returns
   * what the rebuild's writes must find (EventUnitOfWork.apply's `generation`).
   */
  async begin(generation: string, reason: string): Promise<string> {
    const replaying = REPLAYING + generation;
    await this.redis
      .multi()
      .del(this.keys.featureRebuild())
      .hset(this.keys.featureRebuild(), { generation, reason, startedAt: String(Date.now()) })
      .set(this.keys.featureGeneration(), replaying)
      .exec();
    return replaying;
  }

  /** Ends the replay: the generation becomes complete and workers write again. False when it is no longer there
   * (Redis lost its data again, or another rebuild began). */
  async finish(generation: string, result: { replayedJobs: number; events: number }): Promise<boolean> {
    const done = await this.redis.eval(
      FINISH,
      2,
      this.keys.featureGeneration(),
      this.keys.featureRebuild(),
      REPLAYING + generation,
      generation,
      String(Date.now()),
      String(result.replayedJobs),
      String(result.events),
    );
    return done === 1;
  }

  /** Takes the rebuild lock for `ttlMs` (renew it before then); the token to renew and release it, or null when held. */
  async lock(ttlMs: number): Promise<string | null> {
    const token = randomBytes(8).toString('hex');
    return (await this.redis.set(this.keys.featureRebuildLock(), token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
  }

  /** False when the lock was lost (it lapsed, or Redis lost it). */
  async renew(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.featureRebuildLock(), token, ttlMs)) === 1;
  }

  async unlock(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.featureRebuildLock(), token);
  }
}
