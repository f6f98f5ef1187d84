// Operations view of the platform: are Postgres and Redis answering, how much work waits in the outbox and the
// queues, and which workers are attached. Read on demand; the admin System page polls it.
import type { FeatureGenerationStore, FeatureRebuildRecord } from '../store/feature-generation';
import { CHECK_TIMEOUT_MS, probe, withTimeout, type DependencyCheck, type DependencyHealth } from '../store/health';
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

/**
 * OK: Redis holds the feature store; REBUILDING: a worker is replaying the events into it; LOST: Redis lost its
 * data and no worker has begun the rebuild yet; UNKNOWN: Redis is not answering.
 */
export type FeatureStoreHealth = 'OK' | 'REBUILDING' | 'LOST' | 'UNKNOWN';

export interface FeatureStoreStatus {
  health: FeatureStoreHealth;
  generation: string | null;
  /** The rebuild that made the current generation (the last repair, when it was one). */
  lastRebuild: FeatureRebuildRecord | null;
}

export interface SystemStatus {
  checkedAt: Date;
  instance: { role: string; uptimeSeconds: number };
  dependencies: DependencyHealth[];
  outboxPending: number | null;
  queues: QueueStatus[];
  featureStore: FeatureStoreStatus;
}

export class SystemService {
  constructor(
    private readonly checks: DependencyCheck[],
    private readonly outbox: OutboxStore,
    /** Absent in processes that enqueue nothing (CLI tools). */
    private readonly queues: Queues | undefined,
    private readonly role: string,
    private readonly generations: FeatureGenerationStore,
  ) {}

  async status(): Promise<SystemStatus> {
    const [dependencies, outboxPending, queues, featureStore] = await Promise.all([
      Promise.all(this.checks.map((c) => probe(c))),
      this.outbox.pending().catch(() => null),
      Promise.all((this.queues?.names() ?? []).sort().map((name) => this.queueStatus(name))),
      this.featureStore(),
    ]);
    return {
      checkedAt: new Date(),
      instance: { role: this.role, uptimeSeconds: Math.floor(process.uptime()) },
      dependencies,
      outboxPending,
      queues,
      featureStore,
    };
  }

  private async featureStore(): Promise<FeatureStoreStatus> {
    try {
      const { generation, replaying, rebuild } = await withTimeout(this.generations.state(), CHECK_TIMEOUT_MS);
      const health: FeatureStoreHealth = !generation ? 'LOST' : replaying ? 'REBUILDING' : 'OK';
      return { health, generation, lastRebuild: rebuild };
    } catch {
      return { health: 'UNKNOWN', generation: null, lastRebuild: null };
    }
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
