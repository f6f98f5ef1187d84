// The PubSub port that live subscriptions read from, with a Redis implementation (across API instances)
// and an in-memory one for unit tests. Subscriptions are reference-counted per channel, so thousands of
// subscribe/unsubscribe cycles leave no listeners or Redis subscriptions behind.
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

export class RedisPubSub implements PubSub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(
    private readonly publisher: Redis,
    /** A dedicated connection: a subscribed Redis connection can do nothing else. */
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
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
