import { afterAll, describe, expect, it } from 'vitest';
import { DECAY_EPOCH_MS, decayFactor, EVENT_WEIGHTS } from '../src/domain/feature-updates';
import { Announcements, parseUserChange } from '../src/store/announcements';
import { defineWriteScripts, EventUnitOfWork, type JobEvents, type WriteCommands } from '../src/store/event-unit-of-work';
import { FeatureStore } from '../src/store/feature-store';
import { FeatureWrites } from '../src/store/feature-writes';
import { RedisKeys, topics } from '../src/store/keys';
import { createRedis, type Redis } from '../src/store/redis';
import { eventually, uniqueId } from './support/platform';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new RedisKeys(uniqueId('fs-test'));
const redis = createRedis(url, 'fs-test');
const writers = [createRedis(url, 'fs-w1'), createRedis(url, 'fs-w2'), createRedis(url, 'fs-w3')];
const store = new FeatureStore(redis, keys);
const unit = new EventUnitOfWork(keys, { features: new FeatureWrites(keys) });
const announcements = new Announcements(keys);

afterAll(async () => {
  await store.clear();
  await Promise.all([redis, ...writers].map((c) => c.quit()));
});

function job(jobId: string, productId: string, n: number): JobEvents {
  return {
    jobId,
    events: Array.from({ length: n }, (_, i) => ({
      id: `${jobId}-${i}`, type: 'VIEW' as const, userId: `u${i}`, sessionId: null, productId, category: 'c',
      campaignId: null, attributedCampaignId: null, recommendationId: null, quantity: 1, unitPrice: null, occurredAt: Date.now(),
    })),
  };
}

describe('EventUnitOfWork.apply', () => {
  it('applies each job once, also when several writers receive the same jobs at the same time', async () => {
    const jobs = Array.from({ length: 30 }, (_, i) => job(`job-${i}`, 'p1', 3));
    const results = await Promise.all(writers.map((w) => unit.apply(w, jobs)));
    expect(results.reduce((s, r) => s + r.applied, 0)).toBe(30);
    expect(await store.productStats('p1')).toEqual({ VIEW: 90 });
    const again = await unit.apply(writers[0]!, jobs.slice(0, 5));
    expect(again.applied).toBe(0);
    expect(await store.productStats('p1')).toEqual({ VIEW: 90 });
  });

  it('writes increments unrounded through its one-script plan', async () => {
    const product = uniqueId('exact');
    const at = DECAY_EPOCH_MS + 123_456_789;
    const j = job(uniqueId('j'), product, 1);
    j.events[0]!.occurredAt = at;
    await unit.apply(writers[0]!, [j]);
    expect(Number(await redis.zscore(keys.popularity(), product))).toBe(EVENT_WEIGHTS.VIEW * decayFactor(at));
    expect(await redis.zscore(keys.userItems('u0'), product)).toBe(String(at));
  });

  it('clears every feature key it owns', async () => {
    await unit.apply(writers[0]!, [job(uniqueId('j'), 'p2', 2)]);
    expect(await store.clear()).toBeGreaterThan(0);
    expect(await redis.keys(`${keys.prefix}:f:*`)).toEqual([]);
  });
});

describe('FeatureStore.userProfile', () => {
  it('reads recent items, affinity, popularity and the neighbours of the given seeds, then of recent items', async () => {
    const user = uniqueId('u');
    const at = Date.now();
    await redis
      .multi()
      .zadd(keys.userItems(user), at - 3, 'r3', at - 2, 'r2', at - 1, 'r1')
      .zadd(keys.userCategories(user), 5, 'shoes', 1, 'hats')
      .zadd(keys.popularity(), 10, 'top', 3, 'next')
      .zadd(keys.coOccurrence('page'), 4, 'a', 9, 'b')
      .zadd(keys.coOccurrence('r1'), 1, 'c')
      .zadd(keys.coOccurrence('r2'), 2, 'd')
      .exec();
    const profile = await store.userProfile(user, { popular: 10, popularKeep: 10, seeds: ['page', 'r2'], maxSeeds: 3, neighboursPerSeed: 1, excludeInteracted: true });
    expect(profile.recent).toEqual(['r1', 'r2', 'r3']);
    expect(profile.affinity).toEqual(new Map([['shoes', 5], ['hats', 1]]));
    expect([profile.popular.get('top'), profile.popular.get('next')]).toEqual([10, 3]);
    // Given seeds first, then recent items not given, up to maxSeeds; the top neighbour of each.
    expect(profile.neighbours).toEqual(new Map([['page', new Map([['b', 9]])], ['r2', new Map([['d', 2]])], ['r1', new Map([['c', 1]])]]));
  });

  it('answers empty lists for a user without history and no seeds', async () => {
    const profile = await store.userProfile(uniqueId('nobody'), { popular: 10, popularKeep: 10, seeds: [], maxSeeds: 12, neighboursPerSeed: 50, excludeInteracted: true });
    expect(profile.recent).toEqual([]);
    expect(profile.affinity.size).toBe(0);
    expect(profile.neighbours.size).toBe(0);
  });

  // Small exclusion sets are read whole, large ones (over 256) member by member: both ways give the same lists.
  it.each([['small', 0], ['large', 300]])(
    'leaves out what the user interacted with or bought, normalised by the unfiltered top (%s exclusion set)',
    async (_name, padding) => {
      const user = uniqueId('u');
      const page = uniqueId('page');
      const pad = Array.from({ length: padding }, (_, i) => `pad-${i}`);
      const popularity = keys.popularity();
      await redis.del(popularity);
      await redis
        .multi()
        .zadd(popularity, 10, 'seen-top', 8, 'bought', 6, 'p6', 5, 'p5', 4, 'p4')
        .zadd(keys.coOccurrence(page), 9, 'seen-top', 7, 'n7', 3, 'bought', 2, 'n2')
        .sadd(keys.userSeen(user), 'seen-top', 'bought', ...pad)
        .sadd(keys.userBought(user), 'bought', ...pad)
        .exec();
      const read = (excludeInteracted: boolean, popularKeep = 10) =>
        store.userProfile(user, { popular: 10, popularKeep, seeds: [page], maxSeeds: 1, neighboursPerSeed: 10, excludeInteracted });

      const strict = await read(true);
      expect([...strict.popular.keys()]).toEqual(['p6', 'p5', 'p4']);
      expect(strict.popularTop).toBe(10);
      expect(strict.neighbours.get(page)).toEqual(new Map([['n7', 7], ['n2', 2]]));
      expect(strict.neighbourTops.get(page)).toBe(9);

      // Without excludeInteracted only purchases are left out.
      const lenient = await read(false);
      expect([...lenient.popular.keys()]).toEqual(['seen-top', 'p6', 'p5', 'p4']);
      expect([...lenient.neighbours.get(page)!.keys()]).toEqual(['seen-top', 'n7', 'n2']);

      // popularKeep bounds what is kept after filtering, not what is read.
      expect([...(await read(true, 2)).popular.keys()]).toEqual(['p6', 'p5']);

      expect(await store.excluded(user, ['seen-top', 'bought', 'p6'], true)).toEqual(new Set(['seen-top', 'bought']));
      expect(await store.excluded(user, ['seen-top', 'bought', 'p6'], false)).toEqual(new Set(['bought']));
    },
  );
});

describe('FeatureStore exclusion sets', () => {
  it('records every interacted product (not impressions) and every purchase, once per job', async () => {
    const user = uniqueId('u');
    const event = (id: string, type: 'VIEW' | 'IMPRESSION' | 'REMOVE_FROM_CART' | 'PURCHASE', productId: string) => ({
      id, type, userId: user, sessionId: null, productId, category: 'c', campaignId: null, attributedCampaignId: null,
      recommendationId: null, quantity: 1, unitPrice: null, occurredAt: Date.now(),
    });
    await unit.apply(writers[0]!, [
      { jobId: uniqueId('j'), events: [event('e1', 'VIEW', 'v'), event('e2', 'IMPRESSION', 'i'), event('e3', 'REMOVE_FROM_CART', 'r'), event('e4', 'PURCHASE', 'b')] },
    ]);
    expect((await redis.smembers(keys.userSeen(user))).sort()).toEqual(['b', 'r', 'v']);
    expect(await redis.smembers(keys.userBought(user))).toEqual(['b']);
  });
});

describe('Announcements.announce', () => {
  it("publishes each listened-to user's state with the news, and nothing for users nobody listens to", async () => {
    const [listened, alone, big] = [uniqueId('u'), uniqueId('u'), uniqueId('u')];
    const at = Date.now();
    await redis
      .multi()
      .zadd(keys.userItems(listened), at - 1, 'older', at, 'newer')
      .zadd(keys.userCategories(listened), 3, 'shoes')
      .sadd(keys.userSeen(listened), 'older', 'newer')
      .sadd(keys.userBought(listened), 'newer')
      .sadd(keys.userSeen(big), ...Array.from({ length: 300 }, (_, i) => `p${i}`))
      .exec();
    const channel = (topic: string) => keys.channel(topic);
    const subscriber = createRedis(url, 'fs-sub');
    const received: Array<[string, string]> = [];
    subscriber.on('message', (c: string, m: string) => received.push([c, m]));
    await subscriber.subscribe(channel(topics.userFeatures(listened)), channel(topics.userFeatures(big)));
    try {
      // As the unit of work's transaction carries it.
      defineWriteScripts(writers[0]!);
      const tx = writers[0]!.multi() as ReturnType<Redis['multi']> & WriteCommands;
      announcements.announce(tx, [{ userId: listened, cart: true }, { userId: alone, cart: false }, { userId: big, cart: false }]);
      const [err, announced] = (await tx.exec())![0]!;
      expect(err).toBeNull();
      expect(announced).toBe(2);
      // A sentinel published after the transaction: once it is heard, so is everything the transaction published
      // (Redis sends a subscriber its messages in the order it ran the publications).
      await writers[0]!.publish(channel(topics.userFeatures(listened)), 'sentinel');
      await eventually(async () => received.some(([, m]) => m === 'sentinel'), 5000, 'the sentinel');
      expect(received.map(([c]) => c)).toEqual([channel(topics.userFeatures(listened)), channel(topics.userFeatures(big)), channel(topics.userFeatures(listened))]);
      const change = parseUserChange(received[0]![1])!;
      expect(change).toMatchObject({ cart: true, recent: ['newer', 'older'], affinity: new Map([['shoes', 3]]), seen: new Set(['older', 'newer']), bought: new Set(['newer']) });
      expect(change.v).toMatch(/^\d{16}$/);
      // An exclusion set too large to travel is left to the reader.
      expect(parseUserChange(received[1]![1])).toMatchObject({ seen: null, bought: new Set() });
      expect(Number(parseUserChange(received[1]![1])!.v)).toBeGreaterThanOrEqual(Number(change.v));
    } finally {
      await subscriber.quit();
    }
  });
});
