// A live query: the current value at once, then a fresh value after each notification on its topics.
// Transport-independent (graphql-ws only iterates it). Under a burst, notifications are coalesced: while the
// consumer is busy, only a "dirty" flag is kept, so one recomputation serves the whole burst and the last
// state is always delivered.
import type { PubSub } from '../store/pubsub';
import { PushIterator } from './push-iterator';

/** What the throttle reads the time from and waits with: the real clock unless a test drives its own. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/**
 * At most one run per `minIntervalMs`: ready() says whether a run may start now, and when it may not, calls `wake`
 * once at the interval's end (however often it was asked meanwhile); ran() marks the end of a run.
 */
export class Throttle {
  private last = -Infinity;
  private timer?: unknown;

  constructor(
    private readonly minIntervalMs: number,
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  ready(): boolean {
    if (this.timer !== undefined) return false;
    const wait = this.last + this.minIntervalMs - this.clock.now();
    if (wait <= 0) return true;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, wait);
    return false;
  }

  ran(): void {
    this.last = this.clock.now();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface LiveQueryOptions<T> {
  pubsub: PubSub;
  topics: string[];
  compute: () => Promise<T>;
  /**
   * Whether a notification can change the value (skip recomputing when it cannot), or in how many ms to compute it
   * again: a notice that reaches every subscriber at once (a restock) spreads their recomputations over time
   * instead of running them all in one burst. A notification that is due now still computes at once. @default always
   */
  affects?: (topic: string, message: string, last: T | undefined) => boolean | { afterMs: number };
  /** At most one value per this many ms; a change inside the interval is delivered at its end. @default 0 */
  minIntervalMs?: number;
  /** The clock of that interval. @default the real clock */
  clock?: Clock;
  /** Recomputation failures after the first value are reported here and skipped (the next notification retries). */
  onError?: (err: unknown) => void;
  /** The pub/sub connection came back after a loss: forget what was kept from messages (they may have been missed)
   * before the value is computed again. */
  onReconnect?: () => void;
}

export class LiveQuery<T> extends PushIterator<T> {
  private dirty = true;
  private computing = false;
  private first = true;
  private last?: T;
  private readonly throttle: Throttle;
  private readonly stopReconnect?: () => void;
  private readonly clock: Clock;
  /** A recomputation put off by `affects` (the earliest one asked for). */
  private later?: { at: number; timer: unknown };

  constructor(private readonly opts: LiveQueryOptions<T>) {
    super(opts.pubsub, opts.topics, (topic, message) => {
      const affects = opts.affects?.(topic, message, this.last) ?? true;
      if (affects === true) this.markDirty();
      else if (affects) this.markDirtyIn(affects.afterMs);
    });
    this.clock = opts.clock ?? REAL_CLOCK;
    this.throttle = new Throttle(opts.minIntervalMs ?? 0, this.clock, () => void this.pump());
    // Changes announced while the pub/sub connection was away were missed: compute the value again (issue 20).
    this.stopReconnect = opts.pubsub.onReconnect?.(() => {
      opts.onReconnect?.();
      this.dirty = true;
      this.pull();
    });
  }

  protected override onClose(): void {
    this.throttle.stop();
    this.stopReconnect?.();
    if (this.later) this.clock.clearTimeout(this.later.timer);
  }

  private markDirty(): void {
    this.dirty = true;
    this.pull();
  }

  private markDirtyIn(ms: number): void {
    if (ms <= 0) return this.markDirty();
    const at = this.clock.now() + ms;
    if (this.later && this.later.at <= at) return;
    if (this.later) this.clock.clearTimeout(this.later.timer);
    this.later = {
      at,
      timer: this.clock.setTimeout(() => {
        this.later = undefined;
        this.markDirty();
      }, ms),
    };
  }

  protected pull(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.computing || !this.dirty || !this.waiting || !this.throttle.ready()) return;
    this.computing = true;
    this.dirty = false;
    try {
      // Subscribe before the first read so that no change between the read and the subscription is missed.
      await this.subscribed;
      const value = await this.opts.compute();
      this.last = value;
      this.first = false;
      this.throttle.ran();
      this.deliver(value);
    } catch (err) {
      if (this.first) this.fail(err);
      else this.opts.onError?.(err);
    } finally {
      this.computing = false;
      if (this.dirty) void this.pump();
    }
  }
}
