// A stream of published messages for one subscriber (alerts and the like: every message counts, unlike a
// LiveQuery where only the latest state does). return() unsubscribes at once, even while waiting.
import type { PubSub, Unsubscribe } from '../store/pubsub';

export interface EventStreamOptions<T> {
  pubsub: PubSub;
  topic: string;
  /** Maps a raw message to what the subscriber gets, or undefined to skip it (filters). */
  map: (message: string) => Promise<T | undefined> | T | undefined;
  /** A subscriber that stops reading is cut off rather than allowed to grow memory without bound. @default 10000 */
  maxBuffered?: number;
}

export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: string[] = [];
  private waiter?: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };
  private closed = false;
  private overflowed = false;
  private readonly subscribed: Promise<Unsubscribe>;
  /** Messages are mapped one at a time, so subscribers see them in publication order. */
  private draining = false;

  constructor(private readonly opts: EventStreamOptions<T>) {
    this.subscribed = opts.pubsub.subscribe(opts.topic, (m) => this.push(m));
  }

  /** Resolves once the subscription is in place (messages published after this are delivered). */
  ready(): Promise<void> {
    return this.subscribed.then(() => undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      void this.drain();
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.buffer.length = 0;
      this.waiter?.resolve({ value: undefined, done: true });
      this.waiter = undefined;
      await (await this.subscribed.catch(() => async () => undefined))();
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  private push(message: string): void {
    if (this.closed) return;
    if (this.buffer.length >= (this.opts.maxBuffered ?? 10_000)) {
      this.overflowed = true;
    } else {
      this.buffer.push(message);
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiter && !this.closed) {
        if (this.overflowed) {
          const waiter = this.waiter;
          this.waiter = undefined;
          waiter.reject(new Error('subscriber fell too far behind; resubscribe to continue'));
          await this.return();
          return;
        }
        const message = this.buffer.shift();
        if (message === undefined) return;
        let value: T | undefined;
        try {
          value = await this.opts.map(message);
        } catch {
          continue; // a message that cannot be mapped (e.g. its product vanished) is skipped, not fatal
        }
        if (value !== undefined && this.waiter && !this.closed) {
          const waiter = this.waiter;
          this.waiter = undefined;
          waiter.resolve({ value, done: false });
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
