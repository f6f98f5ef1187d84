import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ TRAIN_INTERVAL_MS: '0', TRAIN_AFTER_EVENTS: '40' });
});
afterAll(() => t.stop());

describe('training triggers', () => {
  it('asks for a training after TRAIN_AFTER_EVENTS new events', async () => {
    const prefix = uniqueId('trig');
    const products = Array.from({ length: 6 }, (_, i) => ({ id: `${prefix}-${i}`, name: `P${i}`, category: 'c', price: 1, stock: 10 }));
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
    const runs = () => t.platform.prisma.trainingRun.count({ where: { trigger: 'EVENTS' } });
    expect(await runs()).toBe(0);
    const events = Array.from({ length: 30 }, (_, i) => ({ id: `${prefix}-e${i}`, type: 'VIEW', userId: `${prefix}-u${i % 7}`, productId: products[i % 6]!.id }));
    await t.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, await t.token('service'));
    // 30 < 40: nothing yet (given time to be applied).
    await eventually(async () => Number(await t.platform.redis.get(t.platform.keys.eventsSinceTraining())) === 30, 10_000, '30 events counted');
    expect(await runs()).toBe(0);
    await t.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events.map((e) => ({ ...e, id: `${e.id}-2` })) }, await t.token('service'));
    await eventually(async () => (await runs()) === 1, 20_000, 'an EVENTS-triggered run');
  });
});
