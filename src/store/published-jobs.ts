// Markers of jobs whose messages were published, so that a redelivered job is not published twice.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

const PUBLISHED_MARKER_TTL_SECONDS = 7 * 24 * 3600;

export class PublishedJobs {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async published(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.publishedJob(jobId))) > 0;
  }

  async markPublished(jobId: string): Promise<void> {
    await this.redis.set(this.keys.publishedJob(jobId), '1', 'EX', PUBLISHED_MARKER_TTL_SECONDS);
  }
}
