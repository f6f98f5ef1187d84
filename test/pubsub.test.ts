// The Redis pub/sub port's fan-out (issue 22): a message for many local listeners is handed out in chunks with a turn
// of the event loop between them, so that one notice does not hold every other request; a channel's later messages
// wait for it, so that each listener still sees the channel's messages in publication order.
import { describe, expect, it } from 'vitest';
import { RedisKeys } from '../src/store/keys';
import { RedisPubSub } from '../src/store/pubsub';
import { createRedis } from '../src/store/redis';
import { eventually, uniqueId } from './support/platform';

describe('RedisPubSub fan-out', () => {
  it('lets the event loop turn while a message reaches a thousand listeners, each getting the messages in order', async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = createRedis(url, 'pubsub-test');
    const pubsub = new RedisPubSub(redis, createRedis(url, 'pubsub-test-sub'), new RedisKeys(uniqueId('pubsub-test')));
    try {
      const count = 1000;
      const got: string[][] = Array.from({ length: count }, () => []);
      let calls = 0;
      let callsBeforeTurn: number | undefined;
      let turnAsked = false;
      const unsubscribes = await Promise.all(
        got.map((seen) =>
          pubsub.subscribe('t', (message) => {
            // How many calls were made before the loop's next turn, asked by the first call.
            if (!turnAsked) {
              turnAsked = true;
              setImmediate(() => (callsBeforeTurn = calls));
            }
            calls++;
            seen.push(message);
          }),
        ),
      );
      await pubsub.publishMany([['t', 'a'], ['t', 'b'], ['t', 'c']]);
      await eventually(async () => got.every((seen) => seen.length === 3), 10_000, 'every listener to get the three messages');
      expect(got.filter((seen) => seen.join() !== 'a,b,c')).toEqual([]);
      // The loop turned before the last listeners had the first message: no single tick made all the calls.
      expect(callsBeforeTurn).toBeLessThan(count);
      await Promise.all(unsubscribes.map((u) => u()));
      expect(pubsub.topicCount).toBe(0);
    } finally {
      await pubsub.close();
      await redis.quit();
    }
  });
});
