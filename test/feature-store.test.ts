import { afterAll, describe, expect, it } from 'vitest';
import { FeatureStore, type JobEvents } from '../src/store/feature-store';
import { RedisKeys } from '../src/store/keys';
import { createRedis } from '../src/store/redis';
import { uniqueId } from './support/platform';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new RedisKeys(uniqueId('fs-test'));
const redis = createRedis(url, 'fs-test');
const writers = [createRedis(url, 'fs-w1'), createRedis(url, 'fs-w2'), createRedis(url, 'fs-w3')];
const store = new FeatureStore(redis, keys);

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

describe('FeatureStore.applyJobs', () => {
  it('applies each job once, also when several writers receive the same jobs at the same time', async () => {
    const jobs = Array.from({ length: 30 }, (_, i) => job(`job-${i}`, 'p1', 3));
    const results = await Promise.all(writers.map((w) => store.applyJobs(w, jobs)));
    expect(results.reduce((s, r) => s + r.applied, 0)).toBe(30);
    expect(await store.productStats('p1')).toEqual({ VIEW: 90 });
    const again = await store.applyJobs(writers[0]!, jobs.slice(0, 5));
    expect(again.applied).toBe(0);
    expect(await store.productStats('p1')).toEqual({ VIEW: 90 });
  });

  it('clears every feature key it owns', async () => {
    await store.applyJobs(writers[0]!, [job(uniqueId('j'), 'p2', 2)]);
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
    const profile = await store.userProfile(user, { popular: 10, seeds: ['page', 'r2'], maxSeeds: 3, neighboursPerSeed: 1 });
    expect(profile.recent).toEqual(['r1', 'r2', 'r3']);
    expect(profile.affinity).toEqual(new Map([['shoes', 5], ['hats', 1]]));
    expect([profile.popular.get('top'), profile.popular.get('next')]).toEqual([10, 3]);
    // Given seeds first, then recent items not given, up to maxSeeds; the top neighbour of each.
    expect(profile.neighbours).toEqual(new Map([['page', new Map([['b', 9]])], ['r2', new Map([['d', 2]])], ['r1', new Map([['c', 1]])]]));
  });

  it('answers empty lists for a user without history and no seeds', async () => {
    const profile = await store.userProfile(uniqueId('nobody'), { popular: 10, seeds: [], maxSeeds: 12, neighboursPerSeed: 50 });
    expect(profile.recent).toEqual([]);
    expect(profile.affinity.size).toBe(0);
    expect(profile.neighbours.size).toBe(0);
  });
});
