// Moves outbox rows into BullMQ (job id = outbox id) and marks them sent, in two ways:
// - hand-off: a writer gives its messages right after commit; they are enqueued at once (everything handed
//   off while an enqueue is in flight goes in the next one) and marked sent a little later, many per statement.
//   This is the path of every event, and costs no Postgres round trip of its own.
// - relay: every process polls for rows left unsent longer than a grace period (the writer crashed between
//   commit and enqueue, or Redis was down) and delivers them, claimed with SKIP LOCKED so that relays on
//   several instances share the work.
// Either way a row is marked sent only after its job is in BullMQ, and a second delivery of the same row (a
// crash before the mark, a relay meeting a slow hand-off) adds nothing: BullMQ ignores a known job id, and the
// workers' applied-job markers catch the rest.
import type { Logger } from '../logger';
import { EVENTS_RECORDED_TOPIC, INVENTORY_CHANGED_TOPIC, type OutboxMessage, type OutboxStore } from '../store/outbox';
import type { Queues } from '../store/queues';
import { applyEventsJob } from '../jobs/apply-events';
import { publishInventoryChangesJob } from '../jobs/publish-inventory-changes';
import { outboxJobId, type JobDefinition } from '../jobs/job';

/** Which job carries each outbox topic. */
const JOB_FOR_TOPIC: Record<string, JobDefinition> = {
  [EVENTS_RECORDED_TOPIC]: applyEventsJob,
  [INVENTORY_CHANGED_TOPIC]: publishInventoryChangesJob,
};

export interface OutboxRelayOptions {
  /** Rows per transaction. @default 500 */
  batchSize?: number;
  /** Poll interval for rows nobody handed off. @default 500 */
  pollMs?: number;
  /** Rows younger than this are left to the writer handing them off. @default 2000 */
  graceMs?: number;
  /** How long delivered hand-offs wait to be marked sent together. @default 20 */
  markLingerMs?: number;
}

export class OutboxRelay {
  private running = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  private failures = 0;
  private handedOff: OutboxMessage[] = [];
  private enqueuing?: Promise<void>;
  private delivered: string[] = [];
  private markTimer?: NodeJS.Timeout;
  private marking?: Promise<void>;

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

  /**
   * Enqueues messages that were just committed. Never throws: messages that cannot be enqueued now stay unsent
   * in the outbox, and the relay delivers them after the grace period.
   */
  handOff(messages: OutboxMessage[]): void {
    this.handedOff.push(...messages);
    this.enqueuing ??= this.enqueueHandedOff().finally(() => (this.enqueuing = undefined));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
    await this.enqueuing;
    await this.markDelivered();
  }

  private async enqueueHandedOff(): Promise<void> {
    while (this.handedOff.length) {
      const messages = this.handedOff;
      this.handedOff = [];
      try {
        await this.deliver(messages);
      } catch (err) {
        this.log.debug({ err: (err as Error).message, messages: messages.length }, 'hand-off failed; the relay will deliver');
        continue;
      }
      this.delivered.push(...messages.map((m) => m.id));
      // Not on anyone's path: wait a little so that one statement marks many hand-offs.
      this.markTimer ??= setTimeout(() => void this.markDelivered(), this.opts.markLingerMs ?? 20);
    }
  }

  private async markDelivered(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    await this.marking;
    const ids = this.delivered;
    this.delivered = [];
    if (!ids.length) return;
    // A failed mark only means the relay delivers these rows again later (BullMQ ignores known job ids).
    this.marking = this.outbox.markSent(ids).catch((err) => this.log.debug({ err: (err as Error).message }, 'could not mark hand-offs sent'));
    await this.marking;
  }

  private async deliver(messages: OutboxMessage[]): Promise<void> {
    const byJob = new Map<JobDefinition, Array<{ jobId: string; data: unknown }>>();
    for (const m of messages) {
      const def = JOB_FOR_TOPIC[m.topic];
      if (!def) throw new Error(`outbox message ${m.id} has unknown topic ${m.topic}`);
      const list = byJob.get(def) ?? [];
      // An events message has no payload: its job names it, and the worker reads the events by outbox id.
      list.push({ jobId: outboxJobId(m.id), data: m.topic === EVENTS_RECORDED_TOPIC ? { outboxId: m.id } : m.payload });
      byJob.set(def, list);
    }
    for (const [def, jobs] of byJob) await this.queues.addBulk(def, jobs);
  }

  /** Relays until no row older than `minAgeMs` is left unsent; returns how many rows were sent. */
  async drain(minAgeMs = 0): Promise<number> {
    const size = this.opts.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(size, (m) => this.deliver(m), minAgeMs);
      total += n;
      if (n < size) return total;
    }
  }

  private async loop(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 500;
    while (this.running) {
      const delay = this.failures ? Math.min(5000, 250 * 2 ** this.failures) : pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = undefined;
      if (!this.running) break;
      try {
        await this.drain(this.opts.graceMs ?? 2000);
        if (this.failures) this.log.info('outbox relay recovered');
        this.failures = 0;
      } catch (err) {
        // Redis or Postgres is away: the rows stay in the outbox and go out when it is back.
        if (this.failures === 0) this.log.warn({ err: (err as Error).message }, 'outbox relay failed; retrying');
        this.failures = Math.min(this.failures + 1, 10);
      }
    }
  }
}
