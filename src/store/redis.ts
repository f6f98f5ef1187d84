// Redis connections. Each role opens what it needs; callers close them on shutdown.
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export function createRedis(url: string, name: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    // Reconnect forever with a capped back-off: Redis outages are expected and survived (events go to the outbox).
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}
