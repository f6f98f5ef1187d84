// BullMQ queues (producers) of this deployment, under the `<prefix>:bull` key space.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkPayload, type JobDefinition } from '../jobs/job';
import type { RedisKeys } from './keys';

/** A worker process's connection to a queue, as Redis lists it. */
export interface QueueWorker {
  /** The Redis client name BullMQ gave the connection. */
  name: string;
  /** host:port the worker connects from. */
  address: string;
  /** Seconds since it connected. */
  ageSeconds: number;
  /** Seconds since its last command; a worker waiting for jobs re-issues its blocking read every few seconds. */
  idleSeconds: number;
}

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
    for (const name of this.queues.keys()) out[name] = await this.depth(name);
    return out;
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  async depth(name: string): Promise<Record<string, number>> {
    return this.queue(name).getJobCounts('wait', 'active', 'delayed', 'failed', 'completed');
  }

  /**
   * Workers attached to the queue, from any process: BullMQ names their connections and finds them in CLIENT LIST.
   * The name holds the prefix, not the database: a deployment with the same prefix in another database of the
   * server would count as ours (a dead worker looking healthy), so only clients in our database are kept.
   */
  async workers(name: string): Promise<QueueWorker[]> {
    const database = String(this.connection.options.db ?? 0);
    const clients = ((await this.queue(name).getWorkers()) as Array<Record<string, string>>).filter((c) => c.db === database);
    return clients.map((c) => ({
      name: c.rawname ?? c.name ?? '',
      address: c.addr ?? '',
      ageSeconds: Number(c.age ?? 0),
      idleSeconds: Number(c.idle ?? 0),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
