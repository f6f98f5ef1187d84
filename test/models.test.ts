// Training in the loop: retrain → evaluated version → promotion → served on every instance; A/B experiments.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ShopperSimulator, type SimEvent } from '../src/simulator/shoppers';
import { dropDatabase } from '../src/store/migrator';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let a: TestPlatform;
let b: TestPlatform;
let admin: string;
let service: string;
const prefix = uniqueId('ml');
const clusters = [0, 1].map((c) => Array.from({ length: 8 }, (_, i) => `${prefix}-c${c}-p${i}`));

// Training reads the whole store, so this file gets a database of its own rather than sharing the run's.
const databaseUrl = (() => {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${uniqueId('fw_models').replace(/-/g, '_')}`;
  return url.toString();
})();

beforeAll(async () => {
  // Scheduled and event-count training off: the tests ask for each training themselves.
  const env = { TRAIN_INTERVAL_MS: '0', TRAIN_AFTER_EVENTS: '0', DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true' };
  a = await startTestPlatform(env);
  b = await startTestPlatform({ ...env, ROLE: 'api', REDIS_PREFIX: a.env.REDIS_PREFIX! });
  admin = await a.token('admin');
  service = await a.token('service');
  const products = clusters.flat().map((id, i) => ({ id, name: id, category: id.includes('-c0-') ? 'left' : 'right', price: 10 + i, stock: 1000 }));
  await a.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin);
  // Planted structure: 60 users, each interacting with 5 products of one cluster only.
  const events = [];
  for (let u = 0; u < 60; u++) {
    const cluster = clusters[u % 2]!;
    for (let k = 0; k < 5; k++) {
      events.push({ id: `${prefix}-u${u}-${k}`, type: k === 4 ? 'ADD_TO_CART' : 'VIEW', userId: `${prefix}-u${u}`, productId: cluster[(u + k * 3) % cluster.length] });
    }
  }
  const res = await a.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service);
  expect(res.data.recordEvents.accepted).toBe(300);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await dropDatabase(databaseUrl);
});

const RETRAIN = `mutation($alg: String) { retrainModel(algorithm: $alg) { id status algorithm } }`;
const RUN = `query($id: ID!) { trainingRun(id: $id) { status error model { id status algorithm metrics { ndcgAt10 precisionAt10 users baselineNdcgAt10 } } } }`;

async function finished(id: string) {
  return eventually(async () => {
    const r = (await a.gql(RUN, { id }, admin)).data.trainingRun;
    return r.status === 'SUCCEEDED' || r.status === 'FAILED' ? r : null;
  }, 60_000, `training run ${id}`);
}

describe('model training', () => {
  it('trains, evaluates and activates a first model that every API instance then serves', async () => {
    const first = await a.gql(RETRAIN, { alg: 'ease' }, admin);
    expect(first.errors).toBeUndefined();
    // A request while one is open joins it.
    const joined = await a.gql(RETRAIN, { alg: 'sar' }, admin);
    expect(joined.data.retrainModel.id).toBe(first.data.retrainModel.id);

    const run = await finished(first.data.retrainModel.id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.model).toMatchObject({ status: 'ACTIVE', algorithm: 'ease' });
    expect(run.model.metrics.ndcgAt10).toBeGreaterThan(0);
    expect(run.model.metrics.baselineNdcgAt10).toBeNull();

    // A user with history in cluster 0 gets cluster-0 products from the model, on instance B as well.
    const user = `${prefix}-u0`;
    for (const t of [a, b]) {
      const list = await eventually(async () => {
        const r = await t.gql(`query($u: ID!) { recommendations(userId: $u, limit: 3) { model items { product { id } reason } } }`, { u: user }, service);
        return r.data.recommendations.model === `ease:${run.model.id}` ? r.data.recommendations : null;
      }, 10_000, 'the instance to serve the new model');
      expect(list.items.map((i: any) => i.product.id).every((id: string) => clusters[0]!.includes(id))).toBe(true);
    }
    const active = await b.gql(`{ activeModel { id } }`, {}, admin);
    expect(active.data.activeModel.id).toBe(run.model.id);
  });

  it('compares a candidate with the active recipe on the same hold-out, and keeps the better one', async () => {
    const res = await a.gql(RETRAIN, { alg: 'sar' }, admin);
    const run = await finished(res.data.retrainModel.id);
    expect(run.status).toBe('SUCCEEDED');
    const m = run.model.metrics;
    expect(m.baselineNdcgAt10).not.toBeNull();
    expect(run.model.status).toBe(m.ndcgAt10 >= m.baselineNdcgAt10 ? 'ACTIVE' : 'REJECTED');
    const listed = await a.gql(`{ models(first: 10) { edges { node { id status } } } }`, {}, admin);
    expect(listed.data.models.edges.filter((e: any) => e.node.status === 'ACTIVE')).toHaveLength(1);
    const bad = await a.gql(RETRAIN, { alg: 'deep-magic' }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const shopper = await a.gql(RETRAIN, {}, await a.token('shopper'));
    expect(shopper.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('A/B experiments', () => {
  it('splits users stably and credits clicks and purchases to the variant that showed the list', async () => {
    const exp = await a.gql(
      `mutation($v: [VariantInput!]!) { configureExperiment(variants: $v) { id variants { name } } }`,
      { v: [{ name: 'model', weight: 1, model: 'active' }, { name: 'popular', weight: 1, model: 'popularity' }] },
      admin,
    );
    expect(exp.errors).toBeUndefined();
    const counts: Record<string, { served: number; clicks: number; purchases: number; revenue: number }> = {
      model: { served: 0, clicks: 0, purchases: 0, revenue: 0 },
      popular: { served: 0, clicks: 0, purchases: 0, revenue: 0 },
    };
    const events: unknown[] = [];
    for (let u = 0; u < 40; u++) {
      const userId = `${prefix}-ab${u}`;
      const r = await eventually(async () => {
        const res = await b.gql(`query($u: ID!) { recommendations(userId: $u, limit: 3) { id variant items { product { id price } } } }`, { u: userId }, service);
        return res.data.recommendations.variant ? res.data.recommendations : null;
      }, 10_000, 'instance B to see the experiment');
      const again = await a.gql(`query($u: ID!) { recommendations(userId: $u, limit: 3) { variant } }`, { u: userId }, service);
      expect(again.data.recommendations.variant).toBe(r.variant); // stable across calls and instances
      counts[r.variant]!.served += 2;
      const item = r.items[0];
      if (u % 2 === 0 && item) {
        events.push({ id: `${userId}-click`, type: 'CLICK', userId, productId: item.product.id, recommendationId: r.id });
        counts[r.variant]!.clicks++;
        if (u % 4 === 0) {
          events.push({ id: `${userId}-buy`, type: 'PURCHASE', userId, productId: item.product.id, recommendationId: r.id, quantity: 2 });
          counts[r.variant]!.purchases++;
          counts[r.variant]!.revenue += 2 * item.product.price;
        }
      }
    }
    expect(counts.model!.served).toBeGreaterThan(0);
    expect(counts.popular!.served).toBeGreaterThan(0);
    await a.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service);
    const results = await a.gql(`{ experimentResults { experiment { id } variants { name listsServed clicks clickThroughRate purchases revenue pValue } } }`, {}, admin);
    const byName = Object.fromEntries(results.data.experimentResults.variants.map((v: any) => [v.name, v]));
    for (const name of ['model', 'popular']) {
      expect(byName[name]).toMatchObject({ listsServed: counts[name]!.served, clicks: counts[name]!.clicks, purchases: counts[name]!.purchases });
      expect(byName[name].revenue).toBeCloseTo(counts[name]!.revenue, 2);
    }
    expect(byName.model.pValue).toBeNull();
    expect(byName.popular.pValue).toBeGreaterThanOrEqual(0);
    expect(byName.popular.pValue).toBeLessThanOrEqual(1);
  });

  it('counts a simulated run\'s clicks, purchases and revenue per variant exactly', async () => {
    const exp = await a.gql(
      `mutation($v: [VariantInput!]!) { configureExperiment(variants: $v) { id } }`,
      { v: [{ name: 'ctl', weight: 1, model: 'popularity' }, { name: 'model', weight: 2, model: 'active' }] },
      admin,
    );
    const experimentId = exp.data.configureExperiment.id;
    const prices = new Map(clusters.flat().map((id, i) => [id, 10 + i]));
    const sim = new ShopperSimulator({ users: 40, productIds: clusters.flat(), seed: 21, sessions: 12 });
    const expected: Record<string, { served: number; clicks: number; purchases: number; revenue: number }> = {};
    const tally = (variant: string) => (expected[variant] ??= { served: 0, clicks: 0, purchases: 0, revenue: 0 });
    const sent: SimEvent[] = [];
    for (let round = 0; round < 30; round++) {
      // The storefront shows some open sessions their recommendations, as the simulate command does.
      for (const userId of sim.activeUsers().slice(0, 4)) {
        const r = (await b.gql(`query($u: ID!) { recommendations(userId: $u, limit: 5) { id variant items { product { id } } } }`, { u: userId }, service)).data.recommendations;
        expect(r.id).toContain(`.${experimentId}.${r.variant}.`);
        tally(r.variant).served++;
        sim.recommended.set(userId, { listId: r.id, productIds: r.items.map((i: any) => i.product.id) });
      }
      const events = Array.from({ length: 40 }, () => sim.next());
      const res = await a.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service);
      expect(res.data.recordEvents.accepted).toBe(40);
      sent.push(...events);
    }
    // What the results must say, counted from the events the simulator sent: the variant is in the list id.
    for (const e of sent) {
      if (!e.recommendationId || (e.type !== 'CLICK' && e.type !== 'PURCHASE')) continue;
      const v = tally(e.recommendationId.split('.')[2]!);
      if (e.type === 'CLICK') v.clicks++;
      else {
        v.purchases++;
        v.revenue += (e.quantity ?? 1) * prices.get(e.productId!)!;
      }
    }
    expect(Object.keys(expected).sort()).toEqual(['ctl', 'model']);
    expect(expected.model!.clicks + expected.ctl!.clicks).toBeGreaterThan(10);
    expect(expected.model!.purchases + expected.ctl!.purchases).toBeGreaterThan(0);
    const results = await a.gql(`{ experimentResults { experiment { id } variants { name listsServed clicks purchases revenue } } }`, {}, admin);
    expect(results.data.experimentResults.experiment.id).toBe(experimentId);
    for (const v of results.data.experimentResults.variants) {
      expect(v).toMatchObject({ listsServed: expected[v.name]!.served, clicks: expected[v.name]!.clicks, purchases: expected[v.name]!.purchases });
      expect(v.revenue).toBeCloseTo(expected[v.name]!.revenue, 2);
    }
  });
});
