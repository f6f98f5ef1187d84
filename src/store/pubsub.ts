// The PubSub port that live subscriptions read from, with a Redis implementation (across API instances)
// and an in-memory one for unit tests. Subscriptions are reference-counted per channel, so thousands of
// subscribe/unsubscribe cycles leave no listeners or Redis subscriptions behind. A message for many listeners is
// handed to them in chunks that yield to the event loop (fanOut), in publication order per channel.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

export type Listener = (message: string) => void;
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(topic: string, message: string): Promise<void>;
  /** Several messages at once (one round trip), in order. */
  publishMany(messages: Array<[topic: string, message: string]>): Promise<void>;
  subscribe(topic: string, listener: Listener): Promise<Unsubscribe>;
  /** Number of topics with at least one local listener (for metrics and leak tests). */
  readonly topicCount: number;
  /** Calls `listener` whenever the subscription connection is back after a loss, its subscriptions in place again:
   * messages published meanwhile were missed. Returns what stops it. */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * How many targets a fan-out serves before it yields to the event loop. Issue 22 measured the per-subscriber KPI push
 * at ≈ 55–65 µs of API CPU (540–650 ms for 9,900 subscribers, each with its own read, execution and serialization),
 * and the loop stalled for the whole fan-out (up to 444 ms): 100 at a time keeps a stall to a few ms even at that
 * cost, and a fan-out of 10,000 takes 100 turns of the loop, each letting queries and other messages in.
 */
export const FAN_OUT_CHUNK = 100;

/**
 * Calls `call` for each target, `chunk` at a time, with a turn of the event loop (setImmediate) between chunks: the
 * work a call starts (promise callbacks: a subscriber's execution and send) runs before the next chunk begins. The
 * targets are those of the moment it is called. Returns undefined when it finished at once (no more than one chunk),
 * else a promise of its end. A target's failure is its own: the others are still called.
 */
export function fanOut<T>(targets: ReadonlySet<T> | readonly T[], call: (target: T) => void, chunk = FAN_OUT_CHUNK): Promise<void> | undefined {
  const safely = (target: T) => {
    try {
      call(target);
    } catch {
      // a listener's bug must not cost the listeners after it their message
    }
  };
  if (('size' in targets ? targets.size : targets.length) <= chunk) {
    for (const target of targets) safely(target);
    return undefined;
  }
  const all = [...targets];
  let i = 0;
  return new Promise((resolve) => {
    const step = () => {
      for (const end = Math.min(i + chunk, all.length); i < end; i++) safely(all[i]!);
      if (i < all.length) setImmediate(step);
      else resolve();
    };
    step();
  });
}

export class RedisPubSub implements PubSub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectListeners = new Set<() => void>();
  /** Channels whose message is still being handed out in chunks, and the messages that came after it meanwhile
   * (delivered once it is done, so that every listener sees a channel's messages in publication order). */
  private readonly behind = new Map<string, string[]>();

  constructor(
    private readonly publisher: Redis,
    /** A dedicated connection: a subscribed Redis connection can do nothing else. */
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      const queued = this.behind.get(channel);
      if (queued) queued.push(message);
      else this.dispatch(channel, message);
    });
    // The first `ready` is the first connection: nothing was missed before it.
    let connected = subscriber.status === 'ready';
    subscriber.on('ready', () => {
      if (!connected) return void (connected = true);
      // ioredis sends the SUBSCRIBEs again right after emitting `ready`: a PING sent after them is answered once they
      // are in place, so what a listener reads then cannot miss a message published in between.
      setImmediate(() =>
        this.subscriber.ping().then(
          () => [...this.reconnectListeners].forEach((l) => l()),
          () => undefined, // lost again: the next `ready` tells
        ),
      );
    });
  }

  get topicCount(): number {
    return this.listeners.size;
  }

  /** Hands `message` to the channel's listeners; one too many for a single turn of the loop holds the channel's later
   * messages back until all of them have it. */
  private dispatch(channel: string, message: string): void {
    const pending = this.deliver(channel, message);
    if (!pending) return;
    const queued: string[] = [];
    this.behind.set(channel, queued);
    void (async () => {
      try {
        await pending;
        for (let next = queued.shift(); next !== undefined; next = queued.shift()) await this.deliver(channel, next);
      } finally {
        this.behind.delete(channel);
      }
    })();
  }

  private deliver(channel: string, message: string): Promise<void> | undefined {
    const set = this.listeners.get(channel);
    if (!set) return undefined;
    // A listener that unsubscribed while the fan-out was under way is not called any more.
    return fanOut(set, (listener) => {
      if (set.has(listener)) listener(message);
    });
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => void this.reconnectListeners.delete(listener);
  }

  async publish(topic: string, message: string): Promise<void> {
    await this.publisher.publish(this.keys.channel(topic), message);
  }

  async publishMany(messages: Array<[topic: string, message: string]>): Promise<void> {
    if (!messages.length) return;
    const pipeline = this.publisher.pipeline();
    for (const [topic, message] of messages) pipeline.publish(this.keys.channel(topic), message);
    await pipeline.exec();
  }

  async subscribe(topic: string, listener: Listener): Promise<Unsubscribe> {
    const channel = this.keys.channel(topic);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const current = this.listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.reconnectListeners.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

/** For unit tests of code that takes a PubSub; production always uses RedisPubSub so instances see each other. */
export class MemoryPubSub implements PubSub {
  private readonly listeners = new Map<string, Set<Listener>>();
  get topicCount(): number {
    return this.listeners.size;
  }
  async publish(topic: string, message: string): Promise<void> {
    for (const l of this.listeners.get(topic) ?? []) l(message);
  }
  async publishMany(messages: Array<[topic: string, message: string]>): Promise<void> {
    for (const [topic, message] of messages) await this.publish(topic, message);
  }
  async subscribe(topic: string, listener: Listener): Promise<Unsubscribe> {
    const set = this.listeners.get(topic) ?? new Set();
    this.listeners.set(topic, set);
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(topic);
    };
  }
  async close(): Promise<void> {
    this.listeners.clear();
  }
}
