// Gathers items from concurrent callers into one flush. Each caller's promise settles with its flush,
// so a BullMQ job completes only once its effects are written (at-least-once is kept).
export class MicroBatcher<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly opts: { maxItems: number; lingerMs: number },
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the rest up when it ends
    if (this.pending.length >= this.opts.maxItems) {
      void this.run();
    } else {
      this.timer ??= setTimeout(() => void this.run(), this.opts.lingerMs);
    }
  }

  private async run(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || !this.pending.length) return;
    this.flushing = true;
    const batch = this.pending.splice(0, this.opts.maxItems);
    try {
      await this.flush(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.flushing = false;
      // Whatever arrived during the flush has waited long enough: go again at once.
      if (this.pending.length) void this.run();
    }
  }
}
