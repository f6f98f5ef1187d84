// The API's near cache of shared feature reads: served for its time to live and read again ahead of it; 0 turns it off.
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureCache } from '../src/store/feature-cache';
import { FeatureStore } from '../src/store/feature-store';
import { RedisKeys } from '../src/store/keys';
import { createRedis } from '../src/store/redis';
import { uniqueId } from './support/platform';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'fc-test');
const keys = new RedisKeys(uniqueId('fc-test'));
const store = new FeatureStore(redis, keys);

afterAll(async () => {
  await store.clear();
  await redis.quit();
});

describe('FeatureCache', () => {
  it('serves neighbour lists and popular products for its time to live, reading them again ahead of it in the background', async () => {
    let now = 1_000_000;
    const cache = new FeatureCache(store, 300, 2, 2, () => now);
    const neighbours = async () => (await cache.neighbours(['a'])).get('a')!.ids;
    const popular = async () => [...(await cache.popular()).keys()];
    await redis.zadd(keys.coOccurrence('a'), 5, 'b', 3, 'c', 1, 'd');
    await redis.zadd(keys.popularity(), 9, 'x', 4, 'y', 1, 'z');
    expect(await cache.neighbours(['a', 'none'])).toEqual(new Map([
      ['a', { ids: ['b', 'c'], weights: [5, 3], top: 5 }],
      ['none', { ids: [], weights: [], top: 0 }],
    ]));
    expect(await cache.popular()).toEqual(new Map([['x', 9], ['y', 4]]));

    await redis.zadd(keys.coOccurrence('a'), 10, 'e');
    await redis.zadd(keys.popularity(), 20, 'w');
    // Served from the cache, with no read behind it, for the first half of its time to live …
    now = 1_000_149;
    expect(await neighbours()).toEqual(['b', 'c']);
    expect(await popular()).toEqual(['x', 'y']);
    await cache.refreshed();
    expect(await neighbours()).toEqual(['b', 'c']);
    expect(await popular()).toEqual(['x', 'y']);

    // … still served in the second half, while one read in the background brings the new lists …
    now = 1_000_150;
    expect(await neighbours()).toEqual(['b', 'c']);
    expect(await popular()).toEqual(['x', 'y']);
    await cache.refreshed();
    now = 1_000_151;
    expect((await cache.neighbours(['a'])).get('a')).toEqual({ ids: ['e', 'b'], weights: [10, 5], top: 10 });
    expect(await popular()).toEqual(['w', 'x']);

    // … and an entry past its whole time to live (counted from that read) is read before it is served.
    await redis.zadd(keys.coOccurrence('a'), 30, 'f');
    await redis.zadd(keys.popularity(), 40, 'v');
    now = 1_000_450;
    expect(await neighbours()).toEqual(['f', 'e']);
    expect(await popular()).toEqual(['v', 'w']);
  });

  it('reads every time with a time to live of 0', async () => {
    const cache = new FeatureCache(store, 0, 5, 5);
    const product = uniqueId('p');
    await redis.zadd(keys.coOccurrence(product), 1, 'q');
    expect((await cache.neighbours([product])).get(product)!.ids).toEqual(['q']);
    await redis.zadd(keys.coOccurrence(product), 2, 'r');
    expect((await cache.neighbours([product])).get(product)!.ids).toEqual(['r', 'q']);
  });
});
