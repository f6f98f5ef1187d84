// Serving an active model through the API: the list follows the model's own ranking of the shopper's whole
// history (real-time co-occurrence, category affinity and popularity do not re-rank what the model has seen),
// while an interaction after the model's data still brings its neighbours in at once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadModel } from '../src/recommender';
import { trainingSettings } from '../src/services/models';
import { modelWeight } from '../src/services/model-blend';
import { dropDatabase } from '../src/store/migrator';
import { ModelStore } from '../src/store/models';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
let admin: string;
let service: string;
const prefix = uniqueId('serve');
const shoes = Array.from({ length: 10 }, (_, i) => `${prefix}-a${i}`);
const hats = Array.from({ length: 10 }, (_, i) => `${prefix}-b${i}`);
const shopper = `${prefix}-target`;
const DAY = 86_400_000;

// Training reads the whole store, so this file gets a database of its own rather than sharing the run's.
const databaseUrl = (() => {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${uniqueId('fw_serving').replace(/-/g, '_')}`;
  return url.toString();
})();

const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`;
const RECOMMEND = `query($u: ID!, $n: Int) { recommendations(userId: $u, limit: $n) { model items { product { id } score reason } } }`;

beforeAll(async () => {
  t = await startTestPlatform({ TRAIN_INTERVAL_MS: '0', TRAIN_AFTER_EVENTS: '0', DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true' });
  admin = await t.token('admin');
  service = await t.token('service');
  const products = [...shoes.map((id) => ({ id, category: 'shoes' })), ...hats.map((id) => ({ id, category: 'hats' }))];
  await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products.map((p) => ({ ...p, name: p.id, price: 10, stock: 100 })) }, admin);
  // Planted structure: 30 shoppers who view 7 of the shoes each, 30 who view 7 of the hats, ten days ago.
  const at = (daysAgo: number, k = 0) => new Date(Date.now() - daysAgo * DAY + k * 1000).toISOString();
  const events = [];
  for (let u = 0; u < 60; u++) {
    const items = u % 2 ? hats : shoes;
    for (let k = 0; k < 7; k++) events.push({ id: `${prefix}-u${u}-${k}`, type: 'VIEW', userId: `${prefix}-u${u}`, productId: items[(u + k * 3) % 10], occurredAt: at(10, k) });
  }
  // The shopper viewed six shoes a while ago and four hats since: co-occurrence and recency favour hats, the
  // whole history favours shoes.
  shoes.slice(0, 6).forEach((p, k) => events.push({ id: `${prefix}-t-a${k}`, type: 'VIEW', userId: shopper, productId: p, occurredAt: at(6, k) }));
  hats.slice(0, 4).forEach((p, k) => events.push({ id: `${prefix}-t-b${k}`, type: 'VIEW', userId: shopper, productId: p, occurredAt: at(2, k) }));
  expect((await t.gql(RECORD, { e: events }, service)).data.recordEvents.accepted).toBe(events.length);
  // Every real-time feature of the shopper is in place before the model is trained and served.
  await eventually(async () => (await t.platform.redis.zcard(t.platform.keys.userItems(shopper))) === 10, 10_000, 'the shopper\'s events applied');
  const run = (await t.gql(`mutation { retrainModel(algorithm: "als") { id } }`, {}, admin)).data.retrainModel;
  const done = await eventually(async () => {
    const r = (await t.gql(`query($id: ID!) { trainingRun(id: $id) { status error model { id status } } }`, { id: run.id }, admin)).data.trainingRun;
    return r.status === 'SUCCEEDED' || r.status === 'FAILED' ? r : null;
  }, 60_000, 'the training');
  expect(done.model?.status).toBe('ACTIVE');
  await eventually(async () => (await t.gql(RECOMMEND, { u: shopper, n: 4 }, service)).data.recommendations.model === `als:${done.model.id}`, 10_000, 'the model served');
});
afterAll(async () => {
  await t?.stop();
  await dropDatabase(databaseUrl);
});

describe('serving a trained model', () => {
  it('lists exactly the model\'s ranking of the shopper\'s whole weighted history', async () => {
    // The ranking the active model gives, computed here from its stored artifact and the same weighted history.
    const store = new ModelStore(t.platform.prisma);
    const version = (await store.active())!;
    const model = loadModel((await store.artifact(version.id))!);
    const training = trainingSettings(version);
    expect(training.referenceTime).toBeDefined();
    const history = await store.history(shopper, { weights: training.weights!, halfLifeDays: training.halfLifeDays!, referenceTime: new Date(training.referenceTime!), maxEvents: 1000 });
    expect(history).toHaveLength(10);
    const expected = model.scoreUser(history.map((h) => ({ item: h.item, weight: h.weight })), { limit: 4 });

    const list = (await t.gql(RECOMMEND, { u: shopper, n: 4 }, service)).data.recommendations;
    expect(list.items.map((i: any) => i.product.id)).toEqual(expected.map((s) => s.item));
    expect(list.items.map((i: any) => i.score)).toEqual(expected.map((s) => expect.closeTo((modelWeight(history.length) * s.score) / expected[0]!.score, 9)));
    expect(list.items.every((i: any) => i.reason === 'Picked for you')).toBe(true);
    // The planted answer: the unseen shoes, which the whole history points to.
    expect(list.items.every((i: any) => shoes.slice(6).includes(i.product.id))).toBe(true);
  });

  it('brings in the neighbours of a click made after the model\'s data, at once', async () => {
    const fresh = [`${prefix}-n0`, `${prefix}-n1`];
    await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: fresh.map((id) => ({ id, name: id, category: 'socks', price: 5, stock: 10 })) }, admin);
    // Someone else views the two new products together; then the shopper views the first.
    await t.gql(RECORD, { e: fresh.map((p, k) => ({ id: `${prefix}-o-${k}`, type: 'VIEW', userId: `${prefix}-other`, productId: p })) }, service);
    await eventually(async () => (await t.gql(`query($p: ID!) { similarProducts(productId: $p, limit: 1) { product { id } } }`, { p: fresh[0] }, service)).data.similarProducts.length === 1, 10_000, 'the pair applied');
    await t.gql(RECORD, { e: [{ id: `${prefix}-t-n0`, type: 'VIEW', userId: shopper, productId: fresh[0] }] }, service);

    const list = await eventually(async () => {
      const r = (await t.gql(RECOMMEND, { u: shopper, n: 10 }, service)).data.recommendations;
      return r.items.some((i: any) => i.product.id === fresh[1]) ? r : null;
    }, 10_000, 'the new neighbour listed');
    // The model never saw the new product: only the real-time path can list it, and it names the click.
    expect(list.items.find((i: any) => i.product.id === fresh[1]).reason).toBe(`Viewed together with ${fresh[0]}`);
    expect(list.items.filter((i: any) => i.reason === 'Picked for you').length).toBeGreaterThan(0);
  });
});
