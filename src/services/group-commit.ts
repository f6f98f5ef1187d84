// Group commit: concurrent callers' writes are combined into one write while earlier ones are in flight.
// Natural batching, with no linger: an idle writer writes a lone request at once; under load, everything that
// arrived during a write goes out together in the next, so the per-write cost (round trips, statement overhead,
// commit) is shared and groups grow with the load. Each caller still gets its own result.
export interface GroupCommitOptions<I> {
  /** Most weight (e.g. events) in one write; a heavier single item is written alone. */
  maxWeight: number;
  weight: (item: I) => number;
  /**
   * Whether an item may be written together with, or at the same time as, `group`. An item that may not waits
   * for the next group, and that group waits until the conflicting write is done. @default always
   */
  fits?: (group: readonly I[], item: I) => boolean;
  /** Writes in flight at once (several let Postgres work on more than one core). @default 1 */
  concurrency?: number;
  /**
   * Least weight of a group written while another write is in flight; a lighter one waits for a write to end,
   * and grows meanwhile. A write's fixed cost (round trip, statement, commit) dominates a small group, so a
   * second small write in flight buys little but takes a core from everything else; a heavy group's per-item
   * work dominates, and there a second core pays. @default 0 (any group)
   */
  concurrentWeight?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private readonly inFlight = new Set<readonly I[]>();

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
      this.startWrites();
    });
  }

  private startWrites(): void {
    while (this.queue.length && this.inFlight.size < (this.opts.concurrency ?? 1)) {
      const group = this.take(this.inFlight.size ? (this.opts.concurrentWeight ?? 0) : 0);
      if (!group.length) return; // the next item waits for a write in flight
      void this.run(group);
    }
  }

  /**
   * The next group: queued items in order, up to the weight limit and the first item that does not fit; none
   * when it would weigh less than `minWeight`.
   */
  private take(minWeight: number): Array<Waiting<I, R>> {
    const items: I[] = [];
    let weight = 0;
    const fits = this.opts.fits;
    for (const { item } of this.queue) {
      const w = this.opts.weight(item);
      if (items.length && weight + w > this.opts.maxWeight) break;
      if (fits && (!fits(items, item) || [...this.inFlight].some((g) => !fits(g, item)))) break;
      items.push(item);
      weight += w;
    }
    return weight < minWeight ? [] : this.queue.splice(0, items.length);
  }

  private async run(group: Array<Waiting<I, R>>): Promise<void> {
    const items = group.map((g) => g.item);
    this.inFlight.add(items);
    try {
      const results = await this.write(items);
      group.forEach((g, i) => g.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) group[0]!.reject(err);
      else for (const g of group) await this.write([g.item]).then(([r]) => g.resolve(r!), g.reject);
    } finally {
      this.inFlight.delete(items);
      this.startWrites();
    }
  }
}
