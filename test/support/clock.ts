// Time a test drives itself, for code that takes a clock (throttles, caches): nothing waits on the real clock, so
// what the test checks does not depend on how busy the machine is.
import type { Clock } from '../../src/realtime/live-query';

/**
 * Resolves once every promise continuation queued so far, and those they queue in turn, has run: a macrotask
 * comes after all of them. Exact for in-memory code that waits on promises only (no I/O, no real timers), which
 * has then done everything it can do without a new input.
 */
export function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that stands still until `advance` moves it; its timers fire then, in order, each at its own time. It
 * starts at `time` (ms since the epoch, like Date.now()), far from 0, which code may take for "never".
 */
export class ManualClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(private time = Date.UTC(2026, 0, 1)) {}

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (timer: unknown): void => {
    this.timers.delete(timer as number);
  };

  /** Moves the time on by `ms`, firing each timer that falls due at its time, and lets what it starts settle. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= target).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.time = timer.at;
      timer.fn();
      await settled();
    }
    this.time = target;
    await settled();
  }
}
