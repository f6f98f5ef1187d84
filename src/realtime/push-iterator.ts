// The async-iterator protocol shared by live subscriptions: values are pushed when the consumer asks (next())
// and something is ready; return() releases the subscriptions at once, even while the consumer is waiting.
// (An async generator could not: its return() waits for the next yield, which may never come.)
import type { PubSub, Unsubscribe } from '../store/pubsub';

export abstract class PushIterator<T> implements AsyncIterableIterator<T> {
  protected closed = false;
  private waiter?: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void };
  protected readonly subscribed: Promise<Unsubscribe[]>;

  constructor(pubsub: PubSub, topics: string[], onMessage: (topic: string, message: string) => void) {
    this.subscribed = Promise.all(topics.map((t) => pubsub.subscribe(t, (m) => onMessage(t, m))));
  }

  /** Resolves once the subscriptions are in place (messages published after this are seen). */
  async ready(): Promise<void> {
    await this.subscribed;
  }

  /** Called whenever the consumer waits; deliver() or fail() when a value (or an error) is ready. */
  protected abstract pull(): void;

  /** Extra cleanup on close (timers). */
  protected onClose(): void {}

  protected get waiting(): boolean {
    return this.waiter !== undefined && !this.closed;
  }

  protected deliver(value: T): boolean {
    const waiter = this.waiter;
    if (!waiter || this.closed) return false;
    this.waiter = undefined;
    waiter.resolve({ value, done: false });
    return true;
  }

  protected fail(err: unknown): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
    void this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pull();
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
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
}
