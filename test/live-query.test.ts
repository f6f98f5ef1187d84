import { describe, expect, it } from 'vitest';
import { LiveQuery } from '../src/realtime/live-query';
import { RedisKeys } from '../src/store/keys';
import { MemoryPubSub, RedisPubSub } from '../src/store/pubsub';
import { createRedis } from '../src/store/redis';
import { uniqueId } from './support/platform';

describe('LiveQuery', () => {
  it('yields the current value at once, then coalesces a burst into the latest state', async () => {
    const pubsub = new MemoryPubSub();
    let state = 0;
    let computations = 0;
    const live = new LiveQuery({
      pubsub,
      topics: ['t'],
      compute: async () => {
        computations++;
        await new Promise((r) => setTimeout(r, 5));
        return state;
      },
    });
    expect(await live.next()).toEqual({ value: 0, done: false });
    for (let i = 1; i <= 100; i++) {
      state = i;
      await pubsub.publish('t', 'x');
    }
    // The consumer was away during the burst: one recomputation, and it sees the last state.
    expect(await live.next()).toEqual({ value: 100, done: false });
    expect(computations).toBe(2);
    await live.return();
    expect(pubsub.topicCount).toBe(0);
  });

  it('delivers a change that arrives while a value is being computed', async () => {
    const pubsub = new MemoryPubSub();
    let state = 'a';
    const live = new LiveQuery({ pubsub, topics: ['t'], compute: async () => (await new Promise((r) => setTimeout(r, 10)), state) });
    const first = live.next();
    state = 'b';
    await pubsub.publish('t', 'x'); // arrives during the first computation, which may have read 'a'
    await first;
    expect((await live.next()).value).toBe('b');
    await live.return();
  });

  it('unsubscribes on return() even while waiting for a notification', async () => {
    const pubsub = new MemoryPubSub();
    const live = new LiveQuery({ pubsub, topics: ['t1', 't2'], compute: async () => 1 });
    await live.next();
    const waiting = live.next();
    expect(pubsub.topicCount).toBe(2);
    await live.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(pubsub.topicCount).toBe(0);
    expect(await live.next()).toEqual({ value: undefined, done: true });
  });

  it('fails the first read, but survives a later failed recomputation', async () => {
    const pubsub = new MemoryPubSub();
    const failing = new LiveQuery({ pubsub, topics: ['t'], compute: async () => { throw new Error('down'); } });
    await expect(failing.next()).rejects.toThrow('down');
    expect(pubsub.topicCount).toBe(0);

    let calls = 0;
    const errors: unknown[] = [];
    const flaky = new LiveQuery({
      pubsub,
      topics: ['t'],
      compute: async () => {
        calls++;
        if (calls === 2) throw new Error('blip');
        return calls;
      },
      onError: (e) => errors.push(e),
    });
    expect((await flaky.next()).value).toBe(1);
    const next = flaky.next();
    await pubsub.publish('t', 'x'); // fails
    await new Promise((r) => setTimeout(r, 5));
    await pubsub.publish('t', 'x'); // succeeds
    expect((await next).value).toBe(3);
    expect(errors).toHaveLength(1);
    await flaky.return();
  });
});

describe('LiveQuery throttling', () => {
  it('delivers at most one value per interval and the latest state at the end of a burst', async () => {
    const pubsub = new MemoryPubSub();
    let state = 0;
    const live = new LiveQuery({ pubsub, topics: ['t'], compute: async () => state, minIntervalMs: 100 });
    const seen: Array<{ value: number; at: number }> = [];
    const start = Date.now();
    const reader = (async () => {
      for await (const value of live) {
        seen.push({ value, at: Date.now() - start });
        if (value === 50) break;
      }
    })();
    for (let i = 1; i <= 50; i++) {
      state = i;
      await pubsub.publish('t', 'x');
      await new Promise((r) => setTimeout(r, 4));
    }
    await reader;
    expect(seen.at(-1)!.value).toBe(50);
    // ~200 ms of burst at one value per 100 ms: a handful, never one per change.
    expect(seen.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(95);
    expect(pubsub.topicCount).toBe(0);
  });
});

describe('LiveQuery over Redis pub/sub', () => {
  it('computes the value again when the subscription connection comes back, a change announced meanwhile missed', async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = createRedis(url, 'live-query-test');
    const subscriber = createRedis(url, 'live-query-test-sub');
    const keys = new RedisKeys(uniqueId('lq-test'));
    const pubsub = new RedisPubSub(redis, subscriber, keys);
    const state = `${keys.prefix}:state`;
    try {
      // Asked before it subscribes: a subscribed connection answers nothing but (un)subscriptions and PING.
      const subscriberId = await subscriber.client('ID');
      await redis.set(state, 'before');
      const live = new LiveQuery({ pubsub, topics: ['t'], compute: () => redis.get(state) });
      expect((await live.next()).value).toBe('before');
      const next = live.next();
      // The subscription connection drops, and the change is announced while it is away (nobody hears it).
      const replies = await redis.multi().client('KILL', 'ID', String(subscriberId)).set(state, 'after').publish(keys.channel('t'), 'x').exec();
      expect(replies?.[2]).toEqual([null, 0]);
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no value after the reconnection')), 10_000));
      expect(await Promise.race([next, timeout])).toEqual({ value: 'after', done: false });
      await live.return();
    } finally {
      await redis.del(state);
      await pubsub.close();
      await redis.quit();
    }
  });
});
