// How many lists each variant of an A/B experiment served (the denominator of its click-through rate), in Redis:
// counted on every served list, so not a Postgres write.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

export class ExperimentCounts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async countServed(experimentId: string, variant: string): Promise<void> {
    await this.redis.hincrby(this.keys.experimentServed(experimentId), variant, 1);
  }

  /** Lists served per variant name (variants that served none are absent). */
  async served(experimentId: string): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(this.keys.experimentServed(experimentId));
    return new Map(Object.entries(raw).map(([variant, n]) => [variant, Number(n)]));
  }
}
