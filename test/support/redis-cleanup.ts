// Removes every key under a prefix (a test's or a bench's deployment), with SCAN so that a large keyspace is never
// blocked. Shared by tests and benches.
import { createRedis } from '../../src/store/redis';

export async function deleteRedisPrefix(url: string, prefix: string, name = 'flywheel-cleanup'): Promise<void> {
  const redis = createRedis(url, name);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
