// Operations view of the platform: are Postgres and Redis answering, how much work waits in the outbox and the
// queues, and which workers are attached. Read on demand; the admin System page polls it.
import { probe, type DependencyCheck, type DependencyHealth } from '../store/health';
import type { OutboxStore } from '../store/outbox';
import type { QueueWorker, Queues } from '../store/queues';

export type QueueHealth = 'OK' | 'NO_WORKERS' | 'UNKNOWN';

export interface QueueStatus {
  name: string;
  health: QueueHealth;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  workers: QueueWorker[];
}

export interface SystemStatus {
  checkedAt: Date;
  instance: { role: string; uptimeSeconds: number };
  dependencies: DependencyHealth[];
  outboxPending: number | null;
  queues: QueueStatus[];
}

export class SystemService {
  constructor(
    private readonly checks: DependencyCheck[],
    private readonly outbox: OutboxStore,
    /** Absent in processes that enqueue nothing (CLI tools). */
    private readonly queues: Queues | undefined,
    private readonly role: string,
  ) {}

  async status(): Promise<SystemStatus> {
    const [dependencies, outboxPending, queues] = await Promise.all([
      Promise.all(this.checks.map((c) => probe(c))),
      this.outbox.pending().catch(() => null),
      Promise.all((this.queues?.names() ?? []).sort().map((name) => this.queueStatus(name))),
    ]);
    return {
      checkedAt: new Date(),
      instance: { role: this.role, uptimeSeconds: Math.floor(process.uptime()) },
      dependencies,
      outboxPending,
      queues,
    };
  }

  private async queueStatus(name: string): Promise<QueueStatus> {
    try {
      const [counts, workers] = await Promise.all([this.queues!.depth(name), this.queues!.workers(name)]);
      return {
        name,
        health: workers.length ? 'OK' : 'NO_WORKERS',
        waiting: counts.wait ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
        workers,
      };
    } catch {
      // The queue lives in Redis: when Redis is away its state is unknown, which the dependencies explain.
      return { name, health: 'UNKNOWN', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, workers: [] };
    }
  }
}
