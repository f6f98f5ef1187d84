// Moves outbox rows into BullMQ (job id = outbox id) and marks them sent. Runs in every process; rows are
// claimed with SKIP LOCKED, so relays on several instances share the work and never enqueue a row twice.
import type { Logger } from '../logger';
import { EVENTS_RECORDED_TOPIC } from '../store/events';
import type { OutboxMessage, OutboxStore } from '../store/outbox';
import type { Queues } from '../store/queues';
import { INVENTORY_CHANGED_TOPIC } from '../store/inventory';
import { applyEventsJob } from './apply-events';
import { publishInventoryChangesJob } from './publish-inventory-changes';
import { outboxJobId, type JobDefinition } from './job';

/** Which job carries each outbox topic. */
const JOB_FOR_TOPIC: Record<string, JobDefinition> = {
  [EVENTS_RECORDED_TOPIC]: applyEventsJob,
  [INVENTORY_CHANGED_TOPIC]: publishInventoryChangesJob,
};

export interface OutboxRelayOptions {
  /** Rows per transaction. @default 500 */
  batchSize?: number;
  /** Poll interval when nobody kicks (rows from other processes, or left by a crash). @default 500 */
  pollMs?: number;
}

export class OutboxRelay {
  private running = false;
  private wake?: () => void;
  private kicked = false;
  private loopDone?: Promise<void>;
  private failures = 0;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly queues: Queues,
    private readonly log: Logger,
    private readonly opts: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Called right after a commit that wrote outbox rows, so they are relayed without waiting for the poll. */
  kick(): void {
    this.kicked = true;
    // While failing, keep the back-off: a kick per request would hammer a dependency that is down.
    if (this.failures === 0) this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
  }

  private async deliver(messages: OutboxMessage[]): Promise<void> {
    const byJob = new Map<JobDefinition, Array<{ jobId: string; data: unknown }>>();
    for (const m of messages) {
      const def = JOB_FOR_TOPIC[m.topic];
      if (!def) throw new Error(`outbox message ${m.id} has unknown topic ${m.topic}`);
      const list = byJob.get(def) ?? [];
      list.push({ jobId: outboxJobId(m.id), data: m.payload });
      byJob.set(def, list);
    }
    for (const [def, jobs] of byJob) await this.queues.addBulk(def, jobs);
  }

  /** Relays until the outbox is empty; returns how many rows were sent. */
  async drain(): Promise<number> {
    const size = this.opts.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(size, (m) => this.deliver(m));
      total += n;
      if (n < size) return total;
    }
  }

  private async loop(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 500;
    while (this.running) {
      if (!this.kicked) {
        const delay = this.failures ? Math.min(5000, 250 * 2 ** this.failures) : pollMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => (clearTimeout(timer), resolve());
        });
        this.wake = undefined;
      }
      if (!this.running) break;
      this.kicked = false;
      try {
        await this.drain();
        if (this.failures) this.log.info('outbox relay recovered');
        this.failures = 0;
      } catch (err) {
        // Redis or Postgres is away: the rows stay in the outbox and go out when it is back.
        if (this.failures === 0) this.log.warn({ err: (err as Error).message }, 'outbox relay failed; retrying');
        this.failures = Math.min(this.failures + 1, 10);
        this.kicked = false;
      }
    }
  }
}
