// The workers' periodic housekeeping (issue 23): erasures a request left unfinished (Redis away, a crash between
// the Postgres and the Redis part) finished and finished ones settled (store/user-erasures.ts); sent outbox
// messages older than OUTBOX_RETENTION_HOURS pruned. Every worker runs it: each task is idempotent, and two
// workers at once only repeat a deletion.
import type { Logger } from '../logger';

export interface HousekeepingTask {
  name: string;
  /** Does one round; how many things it did (logged when any). */
  run(): Promise<number>;
}

export class Housekeeping {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tasks: HousekeepingTask[],
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void (this.running ??= this.round().finally(() => (this.running = undefined))), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    for (const task of this.tasks) {
      try {
        const done = await task.run();
        if (done) this.log.info({ task: task.name, done }, 'housekeeping');
      } catch (err) {
        this.log.warn({ err, task: task.name }, 'housekeeping task failed; the next round retries');
      }
    }
  }
}
