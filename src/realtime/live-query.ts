// A live query: the current value at once, then a fresh value after each notification on its topics.
// Transport-independent (graphql-ws only iterates it). Under a burst, notifications are coalesced: while the
// consumer is busy, only a "dirty" flag is kept, so one recomputation serves the whole burst and the last
// state is always delivered. return() unsubscribes at once, even while waiting (an async generator could not:
// its return() waits for the next yield, which may never come).
import type { PubSub, Unsubscribe } from '../store/pubsub';

export interface LiveQueryOptions<T> {
  pubsub: PubSub;
  topics: string[];
  compute: () => Promise<T>;
  /** Whether a notification can change the value (skip recomputing when it cannot). @default always */
  affects?: (topic: string, message: string, last: T | undefined) => boolean;
  /** At most one value per this many ms; a change inside the interval is delivered at its end. @default 0 */
  minIntervalMs?: number;
  /** Recomputation failures after the first value are reported here and skipped (the next notification retries). */
  onError?: (err: unknown) => void;
}

export class LiveQuery<T> implements AsyncIterableIterator<T> {
  private dirty = true;
  private computing = false;
  private closed = false;
  private first = true;
  private last?: T;
  private lastDeliveredAt = 0;
  private throttleTimer?: NodeJS.Timeout;
  private waiter?: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void };
  private readonly subscribed: Promise<Unsubscribe[]>;

  constructor(private readonly opts: LiveQueryOptions<T>) {
    this.subscribed = Promise.all(
      opts.topics.map((t) => opts.pubsub.subscribe(t, (m) => (opts.affects?.(t, m, this.last) ?? true) && this.notify())),
    );
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      void this.pump();
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.throttleTimer);
      this.waiter?.resolve({ value: undefined, done: true });
      this.waiter = undefined;
      const unsubscribes = await this.subscribed.catch(() => [] as Unsubscribe[]);
      await Promise.all(unsubscribes.map((u) => u()));
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  private notify(): void {
    this.dirty = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.computing || !this.dirty || !this.waiter || this.closed || this.throttleTimer) return;
    const wait = this.lastDeliveredAt + (this.opts.minIntervalMs ?? 0) - Date.now();
    if (wait > 0) {
      this.throttleTimer = setTimeout(() => {
        this.throttleTimer = undefined;
        void this.pump();
      }, wait);
      return;
    }
    this.computing = true;
    this.dirty = false;
    try {
      // Subscribe before the first read so that no change between the read and the subscription is missed.
      await this.subscribed;
      const value = await this.opts.compute();
      this.last = value;
      const waiter = this.waiter;
      this.waiter = undefined;
      this.first = false;
      this.lastDeliveredAt = Date.now();
      if (!this.closed) waiter?.resolve({ value, done: false });
    } catch (err) {
      if (this.first) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter?.reject(err);
        await this.return();
      } else {
        this.opts.onError?.(err);
      }
    } finally {
      this.computing = false;
      if (this.dirty) void this.pump();
    }
  }
}
