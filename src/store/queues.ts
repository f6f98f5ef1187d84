// BullMQ queues (producers) of this deployment, under the `<prefix>:bull` key space.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkPayload, type JobDefinition } from '../workers/job';
import type { RedisKeys } from './keys';

export class Queues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    /** Producer connection: fails fast while Redis is down, so the outbox keeps the work instead of memory. */
    private readonly connection: Redis,
    private readonly keys: RedisKeys,
  ) {}

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.keys.bullPrefix });
      // Connection errors surface where they matter (the relay's enqueue fails and is retried); no noise here.
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds jobs with caller-chosen ids: adding an id that is already queued is a no-op in BullMQ. */
  async addBulk<D extends JobDefinition>(def: D, jobs: Array<{ jobId: string; data: unknown }>): Promise<void> {
    if (!jobs.length) return;
    const checked = jobs.map((j) => ({
      name: def.name,
      data: checkPayload(def, j.data),
      opts: { ...def.options, jobId: j.jobId },
    }));
    await this.queue(def.queue).addBulk(checked);
  }

  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, q] of this.queues) out[name] = await q.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed');
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
