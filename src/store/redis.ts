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

/**
 * `work` on `connection`, or a rejection as soon as the connection closes: a connection made with
 * `autoResendUnfulfilledCommands: false` drops the commands in flight when it closes without settling their
 * promises (ioredis 5), so work waiting on them would wait forever.
 */
export function unlessClosed<T>(connection: Redis, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onClose = () => reject(new Error('Redis connection closed'));
    connection.once('close', onClose);
    work.then(
      (v) => (connection.off('close', onClose), resolve(v)),
      (e) => (connection.off('close', onClose), reject(e)),
    );
  });
}

/** A MULTI transaction of a connection: what stores add their writes to when several must land together. */
export type Transaction = ReturnType<Redis['multi']>;

/** A reply that should be a list: anything else (Lua's cjson writes an empty table as {}) reads as empty. */
export function replyList<T = string>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** A flat [member, score, member, score…] reply (from index `from`) as a map of member → score. */
export function replyPairs(flat: string[], from = 0): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = from; i + 1 < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
  return out;
}
