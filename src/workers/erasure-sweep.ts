// Erasures a request left unfinished (Redis away, a crash between the Postgres and the Redis part) are finished by
// the workers, and finished ones settled: their keys deleted once more, then forgotten (issue 23; see
// store/user-erasures.ts). Every worker sweeps: the sweep is idempotent, and two workers at once delete twice.
import type { Logger } from '../logger';

export class ErasureSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly sweep: () => Promise<number>,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(
          (done) => void (done && this.log.info({ erasures: done }, 'erasures finished or settled')),
          (err: unknown) => this.log.warn({ err }, 'erasure sweep failed; the next one retries'),
        )
        .finally(() => (this.running = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
