// A stream of published messages for one subscriber (alerts and the like: every message counts, unlike a
// LiveQuery where only the latest state does), in publication order.
import type { PubSub } from '../store/pubsub';
import { PushIterator } from './push-iterator';

export interface EventStreamOptions<T> {
  pubsub: PubSub;
  topic: string;
  /** Maps a raw message to what the subscriber gets, or undefined to skip it (filters). */
  map: (message: string) => Promise<T | undefined> | T | undefined;
  /** A subscriber that stops reading is cut off rather than allowed to grow memory without bound. @default 10000 */
  maxBuffered?: number;
}

export class EventStream<T> extends PushIterator<T> {
  private readonly buffer: string[] = [];
  private overflowed = false;
  /** Messages are mapped one at a time, so subscribers see them in publication order. */
  private draining = false;

  constructor(private readonly opts: EventStreamOptions<T>) {
    super(opts.pubsub, [opts.topic], (_topic, message) => {
      if (this.closed) return;
      if (this.buffer.length >= (opts.maxBuffered ?? 10_000)) this.overflowed = true;
      else this.buffer.push(message);
      this.pull();
    });
  }

  protected override onClose(): void {
    this.buffer.length = 0;
  }

  protected pull(): void {
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting) {
        if (this.overflowed) {
          this.fail(new Error('subscriber fell too far behind; resubscribe to continue'));
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
        if (value !== undefined) this.deliver(value);
      }
    } finally {
      this.draining = false;
    }
  }
}
