import { describe, expect, it } from 'vitest';
import { LiveQuery } from '../src/realtime/live-query';
import { RedisKeys } from '../src/store/keys';
import { MemoryPubSub, RedisPubSub } from '../src/store/pubsub';
import { createRedis } from '../src/store/redis';
import { ManualClock, settled } from './support/clock';
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
    let computing!: () => void;
    const started = new Promise<void>((r) => (computing = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const live = new LiveQuery({
      pubsub,
      topics: ['t'],
      compute: async () => {
        const read = state;
        computing();
        await held;
        return read;
      },
    });
    const first = live.next();
    // The first computation has read 'a' and is still running when the change is announced.
    await started;
    state = 'b';
    await pubsub.publish('t', 'x');
    release();
    expect((await first).value).toBe('a');
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
    let failed!: () => void;
    const reported = new Promise<void>((r) => (failed = r));
    const flaky = new LiveQuery({
      pubsub,
      topics: ['t'],
      compute: async () => {
        calls++;
        if (calls === 2) throw new Error('blip');
        return calls;
      },
      onError: (e) => {
        errors.push(e);
        failed();
      },
    });
    expect((await flaky.next()).value).toBe(1);
    const next = flaky.next();
    await pubsub.publish('t', 'x'); // fails
    await reported;
    await pubsub.publish('t', 'x'); // the next notification computes again, and succeeds
    expect((await next).value).toBe(3);
    expect(errors).toHaveLength(1);
    await flaky.return();
  });
});

describe('LiveQuery throttling', () => {
  it('delivers at most one value per interval and the latest state at the end of a burst', async () => {
    const pubsub = new MemoryPubSub();
    const clock = new ManualClock();
    const start = clock.now();
    let state = 0;
    const live = new LiveQuery({ pubsub, topics: ['t'], compute: async () => state, minIntervalMs: 100, clock });
    const seen: Array<{ value: number; at: number }> = [];
    const reader = (async () => {
      for await (const value of live) seen.push({ value, at: clock.now() - start });
    })();
    await settled();
    expect(seen).toEqual([{ value: 0, at: 0 }]);
    // A change every 4 ms for 200 ms: one value at the end of each interval, the state of that moment.
    for (let i = 1; i <= 50; i++) {
      state = i;
      await pubsub.publish('t', 'x');
      await clock.advance(4);
    }
    expect(seen).toEqual([
      { value: 0, at: 0 },
      { value: 25, at: 100 },
      { value: 50, at: 200 },
    ]);
    // Nothing changed since: nothing more to deliver, however long the consumer waits.
    await clock.advance(1000);
    expect(seen).toHaveLength(3);
    await live.return();
    await reader;
    expect(pubsub.topicCount).toBe(0);
  });
});

describe('LiveQuery put off by a notification', () => {
  it('computes again when the delay asked for ends (the earliest of several), not at the notification', async () => {
    const pubsub = new MemoryPubSub();
    const clock = new ManualClock();
    let state = 0;
    let computations = 0;
    const live = new LiveQuery({
      pubsub,
      topics: ['t'],
      compute: async () => {
        computations++;
        return state;
      },
      affects: (_topic, message) => (message === 'now' ? true : { afterMs: Number(message) }),
      clock,
    });
    expect(await live.next()).toEqual({ value: 0, done: false });
    const next = live.next();
    state = 1;
    await pubsub.publish('t', '300');
    await pubsub.publish('t', '100');
    await settled();
    await clock.advance(99);
    expect(computations).toBe(1);
    await clock.advance(1);
    expect(await next).toEqual({ value: 1, done: false });
    expect(computations).toBe(2);
    // The later delay was replaced by the earlier one: nothing more is computed when it would have ended.
    const after = live.next();
    await clock.advance(500);
    expect(computations).toBe(2);
    state = 2;
    await pubsub.publish('t', 'now');
    expect(await after).toEqual({ value: 2, done: false });
    await live.return();
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
