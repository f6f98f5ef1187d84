// Group commit: concurrent callers' writes are combined into one write while the previous one is in flight.
// Natural batching, with no linger: an idle writer writes a lone request at once; under load, everything that
// arrived during a write goes out together in the next, so the per-write cost (round trips, statement overhead,
// commit) is shared and groups grow with the load. Each caller still gets its own result.
export interface GroupCommitOptions<I> {
  /** Most weight (e.g. events) in one write; a heavier single item is written alone. */
  maxWeight: number;
  weight: (item: I) => number;
  /** Whether an item may join a group holding `group` (else it starts the next group). @default always */
  fits?: (group: readonly I[], item: I) => boolean;
  /** Writes in flight at once. @default 1 */
  concurrency?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private inFlight = 0;

  /**
   * `write` gets the items of a group and returns one result per item, in order. When it throws for a group of
   * several, each item is written again on its own, so that one caller's bad input never fails the others.
   */
  constructor(
    private readonly write: (items: I[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions<I>,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < (this.opts.concurrency ?? 1)) void this.run();
    });
  }

  private take(): Array<Waiting<I, R>> {
    const items: I[] = [];
    let weight = 0;
    for (const { item } of this.queue) {
      weight += this.opts.weight(item);
      if (items.length && (weight > this.opts.maxWeight || (this.opts.fits && !this.opts.fits(items, item)))) break;
      items.push(item);
    }
    return this.queue.splice(0, items.length);
  }

  private async run(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length) {
        const group = this.take();
        try {
          const results = await this.write(group.map((g) => g.item));
          group.forEach((g, i) => g.resolve(results[i]!));
        } catch (err) {
          if (group.length === 1) group[0]!.reject(err);
          else for (const g of group) await this.write([g.item]).then(([r]) => g.resolve(r!), g.reject);
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}
