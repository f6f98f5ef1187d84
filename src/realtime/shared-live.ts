// Live values shared by every subscriber who would get the same answer (issue 22): one source per key (a campaign's
// KPIs, a sales window) per process listens to the key's topics, computes the value once per notice (at most once
// per throttle interval, the last state at the end of a burst) and hands that one value to all its subscribers, in
// chunks that yield to the event loop. A value equal to the last one a subscriber was sent is not sent again (the
// rollup notices every few seconds usually change nothing). Compared with a LiveQuery per subscriber, which read,
// computed and pushed per subscriber: 9,900 subscribers of one campaign cost 9,900 Redis reads and executions per
// notice, and an idle shop pushed every subscriber an identical copy every 5 s.
//
// Unlike LiveQuery, a source computes when a notice comes, not when a consumer asks: a subscriber still busy with its
// last value keeps only the newest one (a burst is coalesced per subscriber, the last state always delivered).
import { fanOut, type PubSub, type Unsubscribe } from '../store/pubsub';
import { REAL_CLOCK, Throttle, type Clock } from './live-query';

/** The values shared sources delivered: the same object goes to every subscriber of a key. */
const sharedValues = new WeakSet<object>();

/**
 * Whether `value` came from a shared source, i.e. every subscriber of its key got this very object: what lets the
 * GraphQL layer execute a subscription's selection on it once for all subscribers of the same operation.
 */
export function isSharedLiveValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && sharedValues.has(value);
}

export interface SharedLiveOptions {
  pubsub: PubSub;
  /** At most one computation per key per this many ms; a notice inside the interval is served at its end. @default 0 */
  minIntervalMs?: number;
  /** The clock of that interval. @default the real clock */
  clock?: Clock;
  /** Told of each computation (a metric: one per notice and key in this process, however many subscribers). */
  onCompute?: () => void;
  /** Recomputation failures after the first value are reported here and skipped (the next notice retries). */
  onError?: (err: unknown) => void;
}

export interface SharedLiveKey<T> {
  /** The topics whose messages may change the value. */
  topics: string[];
  compute: () => Promise<T>;
  /** Whether a value computed earlier may still be given to a new subscriber (a sales window that moved on may
   * not). @default always */
  current?: (value: T) => boolean;
}

/** A subscriber's iterator of a key's values; return() leaves (the last to leave releases the key). */
export interface SharedLiveSubscription<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
}

/** A value as a source delivers it: `json` tells an unchanged value, `version` orders the values of one source. */
interface Delivery<T> {
  value: T;
  json: string;
  version: number;
}

export class SharedLiveValues<T> {
  private readonly sources = new Map<string, LiveSource<T>>();

  constructor(private readonly opts: SharedLiveOptions) {}

  /** Keys with at least one subscriber (metrics, leak tests). */
  get size(): number {
    return this.sources.size;
  }

  /**
   * The value of `key`: the current one at once (computed when there is none yet), then each change. The first
   * subscriber's `topics` and `compute` serve the key until its last subscriber leaves. Resolves once the key's
   * topics are subscribed (a change announced after that is seen).
   */
  async subscribe(key: string, spec: SharedLiveKey<T>): Promise<SharedLiveSubscription<T>> {
    let source = this.sources.get(key);
    if (!source) {
      const created = new LiveSource<T>(this.opts, spec, () => {
        if (this.sources.get(key) === created) this.sources.delete(key);
      });
      this.sources.set(key, (source = created));
    }
    const subscriber = source.add();
    await source.subscribed.catch(() => undefined); // a failed subscription fails the subscriber's first next()
    return subscriber;
  }
}

class LiveSource<T> {
  private readonly subscribers = new Set<LiveSubscriber<T>>();
  /** Subscribers that came when there was no current value: the next computation's value is theirs, changed or not. */
  private readonly newcomers = new Set<LiveSubscriber<T>>();
  private latest?: Delivery<T>;
  private dirty = true;
  private computing = false;
  private closed = false;
  private readonly throttle: Throttle;
  private readonly stopReconnect?: () => void;
  readonly subscribed: Promise<Unsubscribe[]>;

  constructor(
    private readonly opts: SharedLiveOptions,
    private readonly spec: SharedLiveKey<T>,
    private readonly release: () => void,
  ) {
    this.throttle = new Throttle(opts.minIntervalMs ?? 0, opts.clock ?? REAL_CLOCK, () => void this.pump());
    this.subscribed = Promise.all(spec.topics.map((t) => opts.pubsub.subscribe(t, () => this.changed())));
    // Changes announced while the pub/sub connection was away were missed: compute the value again (issue 20).
    this.stopReconnect = opts.pubsub.onReconnect?.(() => this.changed());
  }

  add(): LiveSubscriber<T> {
    const subscriber = new LiveSubscriber<T>(this);
    this.subscribers.add(subscriber);
    if (this.latest && (this.spec.current?.(this.latest.value) ?? true)) {
      subscriber.offer(this.latest);
      return subscriber;
    }
    this.newcomers.add(subscriber);
    // A computation under way started after the topics were subscribed: its value is current for this subscriber
    // too (subscribers arriving together cost one computation, not one each).
    if (!this.computing) this.changed();
    return subscriber;
  }

  /** A subscriber left; the last one to leave releases the source and its topics. */
  async remove(subscriber: LiveSubscriber<T>): Promise<void> {
    this.subscribers.delete(subscriber);
    this.newcomers.delete(subscriber);
    if (this.subscribers.size || this.closed) return;
    this.closed = true;
    this.release();
    this.throttle.stop();
    this.stopReconnect?.();
    const unsubscribes = await this.subscribed.catch(() => [] as Unsubscribe[]);
    await Promise.all(unsubscribes.map((u) => u()));
  }

  private changed(): void {
    this.dirty = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.closed || this.computing || !this.dirty || !this.throttle.ready()) return;
    this.computing = true;
    this.dirty = false;
    try {
      // Subscribe before the first read so that no change between the read and the subscription is missed.
      await this.subscribed;
      if (this.closed) return;
      this.opts.onCompute?.();
      const value = await this.spec.compute();
      this.throttle.ran();
      this.publish(value);
    } catch (err) {
      if (this.latest) {
        this.opts.onError?.(err);
        this.welcome(this.latest); // newcomers get the value there is rather than wait for the next change
      } else {
        for (const s of [...this.subscribers]) s.fail(err); // the first value: nobody has one to keep
      }
    } finally {
      this.computing = false;
      if (this.dirty) void this.pump();
    }
  }

  private publish(value: T): void {
    if (this.closed) return;
    const json = JSON.stringify(value);
    // Unchanged: only newcomers are sent it (a subscriber still waiting for the previous value gets that one).
    if (this.latest?.json === json) return this.welcome(this.latest);
    if (typeof value === 'object' && value !== null) sharedValues.add(value);
    const delivery: Delivery<T> = { value, json, version: (this.latest?.version ?? 0) + 1 };
    this.latest = delivery;
    this.newcomers.clear();
    void fanOut(this.subscribers, (s) => s.offer(delivery));
  }

  private welcome(delivery: Delivery<T>): void {
    for (const s of this.newcomers) s.offer(delivery);
    this.newcomers.clear();
  }
}

/** One subscriber's view of a source: the newest value it was offered and not yet sent, and the last one it was sent. */
class LiveSubscriber<T> implements SharedLiveSubscription<T> {
  private pending?: Delivery<T>;
  /** The newest version offered: a fan-out still under way must not hand over an older value after a newer one. */
  private offered = 0;
  private sentJson?: string;
  private waiter?: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void };
  /** Why the first value could not be had, for a consumer that was not waiting yet when it failed. */
  private failure?: { err: unknown };
  private closed = false;

  constructor(private readonly source: LiveSource<T>) {}

  offer(delivery: Delivery<T>): void {
    if (this.closed || delivery.version <= this.offered) return;
    this.offered = delivery.version;
    // Back to what this subscriber was sent last (it missed the values in between): nothing to send.
    this.pending = delivery.json === this.sentJson ? undefined : delivery;
    this.flush();
  }

  fail(err: unknown): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) this.failure = { err };
    void this.return();
    waiter?.reject(err);
  }

  private flush(): void {
    const { waiter, pending } = this;
    if (!waiter || !pending) return;
    this.waiter = undefined;
    this.pending = undefined;
    this.sentJson = pending.json;
    waiter.resolve({ value: pending.value, done: false });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      return Promise.reject(failure.err);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.flush();
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.pending = undefined;
      this.waiter?.resolve({ value: undefined, done: true });
      this.waiter = undefined;
      await this.source.remove(this);
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }
}
