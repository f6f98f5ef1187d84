import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureRepair } from '../src/services/feature-repair';
import { EventStore } from '../src/store/events';
import { FeatureGenerationStore } from '../src/store/feature-generation';
import { FeatureStore } from '../src/store/feature-store';
import { KpiStore } from '../src/store/kpis';
import { createRedis } from '../src/store/redis';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.stop());

describe('feature store rebuild', () => {
  it('restores the same counts and neighbours from Postgres after Redis lost everything', async () => {
    const prefix = uniqueId('rb');
    const products = Array.from({ length: 4 }, (_, i) => ({ id: `${prefix}-${i}`, name: `P${i}`, category: 'c', price: 1, stock: 5 }));
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
    const service = await t.token('service');
    for (let u = 0; u < 10; u++) {
      const events = [0, 1, u % 2 ? 2 : 3].map((i, k) => ({ id: `${prefix}-u${u}-${k}`, type: 'VIEW', userId: `${prefix}-u${u}`, productId: products[i]!.id }));
      await t.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service);
    }
    const { redis, keys } = t.platform;
    const features = new FeatureStore(redis, keys);
    await eventually(async () => (await features.productStats(products[0]!.id)).VIEW === 10, 10_000, 'events applied');
    const before = {
      stats: await features.productStats(products[0]!.id),
      neighbours: await redis.zrange(keys.coOccurrence(products[0]!.id), 0, -1, 'WITHSCORES'),
      seen: (await redis.smembers(keys.userSeen(`${prefix}-u1`))).sort(),
    };
    expect(before.seen).toEqual([products[0]!.id, products[1]!.id, products[2]!.id]);
    await features.clear();
    expect(await features.productStats(products[0]!.id)).toEqual({});

    const writer = createRedis(t.env.REDIS_URL!, 'rebuild-test');
    try {
      // Under the workers' rebuild lock, as npm run features:rebuild does (the platform's worker runs meanwhile).
      const repair = new FeatureRepair({ events: new EventStore(t.platform.db), features, kpis: new KpiStore(redis, keys, t.platform.db), generations: new FeatureGenerationStore(redis, keys), writer, log: t.platform.log });
      const result = (await eventually(() => repair.rebuild('test', 'manual'), 10_000, 'the rebuild lock'))!;
      expect(result.applied).toBeGreaterThanOrEqual(10);
      expect(await features.productStats(products[0]!.id)).toEqual(before.stats);
      expect(await redis.zrange(keys.coOccurrence(products[0]!.id), 0, -1, 'WITHSCORES')).toEqual(before.neighbours);
      expect((await redis.smembers(keys.userSeen(`${prefix}-u1`))).sort()).toEqual(before.seen);
      // A second rebuild is idempotent as well.
      await eventually(() => repair.rebuild('test', 'manual'), 10_000, 'the rebuild lock');
      expect(await features.productStats(products[0]!.id)).toEqual(before.stats);
    } finally {
      await writer.quit();
    }
  });
});
