// Per-client rate counters shared by every API instance through Redis (rate-limiter-flexible's RateLimiterRedis,
// fixed windows), decided in memory so that no request waits for Redis.
//
// Why not a RateLimiterRedis `consume` per request: it costs a round trip (≈ 50 µs) and 13–28 µs of the API's CPU
// per call on this machine (measured for issue 19), on a path where the platform counts single microseconds. So
// each instance counts locally and adds what it counted to the shared counter in batches, every `syncMs`, learning
// the total of all instances in the same call (consume(key, n) answers the window's total and its remaining time).
// A client whose count on this instance stays at or under a tenth of its limit is not reported at all: a shopper's
// handful of requests never costs a Redis call, and without reporting, ten instances together still stay within
// the limit. Refusals are therefore exact on one instance and, across N instances, late by at most one sync and
// loose by at most (N − 1) tenths of the limit.
//
// Redis down: reports fail (fast: rejectIfRedisNotReady), their points stay counted here, and each instance goes
// on limiting with what it sees alone (a warning is logged once per outage). Nothing waits, nothing throws.
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger';
import type { RedisKeys } from './keys';
import type { Redis } from './redis';

/** A client's count in the current window on this instance, and what it knows of the other instances'. */
interface Window {
  /** When the window ends (epoch ms): set locally at first sight, then taken from Redis (its key's TTL). */
  endsAt: number;
  /** Points counted here and not reported yet. */
  local: number;
  /** Points being reported (sent, not answered). */
  inflight: number;
  /** The window's total in Redis at the last report (all instances, ours included). */
  shared: number;
  /** Reported at least once in this window: from then on every point is. */
  reporting: boolean;
}

export interface Refusal {
  /** Until the window ends, in ms. */
  retryAfterMs: number;
}

/** What a report is not worth below: a tenth of the limit (see the file's comment). */
const REPORT_FRACTION = 0.1;
/** Windows that ended are dropped at most this often (a sweep walks every client seen). */
const SWEEP_MS = 5000;

export class SharedRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly dirty = new Set<string>();
  private readonly redisLimiter: RateLimiterRedis;
  private readonly windowMs: number;
  private timer?: NodeJS.Timeout;
  private lastSweep = Date.now();

  constructor(
    private readonly shared: SharedRateCounters,
    readonly name: string,
    windowSeconds: number,
  ) {
    this.windowMs = windowSeconds * 1000;
    this.redisLimiter = new RateLimiterRedis({
      storeClient: shared.redis,
      keyPrefix: shared.keys.rateLimit(name),
      // Redis only counts; the decision is taken here against each client's own limit (token or IP).
      points: Number.MAX_SAFE_INTEGER,
      duration: windowSeconds,
      // While Redis is disconnected a report fails at once instead of queueing: the local count carries on.
      rejectIfRedisNotReady: true,
    });
  }

  /** Counts one point for `client` unless that would exceed `limit` in the current window; never waits. */
  consume(client: string, limit: number): Refusal | undefined {
    const now = Date.now();
    let w = this.windows.get(client);
    if (!w || now >= w.endsAt) {
      w = { endsAt: now + this.windowMs, local: 0, inflight: 0, shared: 0, reporting: false };
      this.windows.set(client, w);
    }
    if (w.shared + w.inflight + w.local + 1 > limit) return { retryAfterMs: w.endsAt - now };
    w.local++;
    if (w.reporting || w.local > limit * REPORT_FRACTION) {
      w.reporting = true;
      this.dirty.add(client);
      this.timer ??= setTimeout(() => this.sync(), this.shared.syncMs).unref();
    }
    return undefined;
  }

  /** Adds the points counted since the last sync to Redis, one call per client, and learns the totals. */
  private sync(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const client of this.dirty) {
      const w = this.windows.get(client);
      // A report still unanswered for this client: the next sync takes these points along.
      if (!w || w.inflight > 0) continue;
      this.dirty.delete(client);
      if (w.local === 0) continue;
      const n = w.local;
      w.local = 0;
      w.inflight = n;
      this.redisLimiter.consume(client, n).then(
        (res) => this.learn(w, n, res),
        (res: unknown) => {
          // Over the (unbounded) Redis limit cannot happen; anything else is Redis failing.
          if (res instanceof RateLimiterRes) return this.learn(w, n, res);
          w.inflight -= n;
          w.shared += n;
          this.shared.unavailable(res);
        },
      );
    }
    if (this.dirty.size) this.timer = setTimeout(() => this.sync(), this.shared.syncMs).unref();
    if (now - this.lastSweep > SWEEP_MS) {
      this.lastSweep = now;
      for (const [client, w] of this.windows) if (now >= w.endsAt && w.inflight === 0) this.windows.delete(client);
    }
  }

  private learn(w: Window, n: number, res: RateLimiterRes): void {
    w.inflight -= n;
    w.shared = res.consumedPoints;
    // The window is the one Redis keeps (another instance may have opened it earlier than this one saw it).
    w.endsAt = Date.now() + res.msBeforeNext;
    this.shared.available();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The Redis connection and key family the limiters share, and the outage warning they log once. */
export class SharedRateCounters {
  private down = false;
  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly syncMs: number,
    private readonly log: Logger,
  ) {}

  unavailable(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'rate limits: Redis unavailable, each API instance counts alone');
  }

  available(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info('rate limits: Redis back, counts shared again');
  }
}
