// Training in the loop: retrain → evaluated version → promotion → served on every instance; which run a request
// joins; a scheduled run on an empty store; A/B experiments.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ShopperSimulator, type SimEvent } from '../src/simulator/shoppers';
import { dropDatabase } from '../src/store/migrator';
import { trainOnThread, type TrainingInput, type TrainingOutput } from '../src/services/training-thread';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

/**
 * Stands in for the worker's `fit`: while held, a training that reaches it (its run RUNNING, its interactions read)
 * waits there, so a test can act while a run is observably in progress, then let it go; no sleeps.
 */
class FitGate {
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  private readonly arrivals: Array<(input: TrainingInput) => void> = [];

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
    this.gate = Promise.resolve();
  }

  /** Resolves when the next training reaches `fit`, with what it is given. */
  nextArrival(): Promise<TrainingInput> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  fit = async (input: TrainingInput): Promise<TrainingOutput> => {
    this.arrivals.shift()?.(input);
    await this.gate;
    return trainOnThread(input);
  };
}
const fitGate = new FitGate();

/** A database of a test's own, created and migrated by the platform that starts on it. */
function ownDatabase(name: string): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${uniqueId(name).replace(/-/g, '_')}`;
  return url.toString();
}

let a: TestPlatform;
let b: TestPlatform;
let admin: string;
let service: string;
const prefix = uniqueId('ml');
const clusters = [0, 1].map((c) => Array.from({ length: 8 }, (_, i) => `${prefix}-c${c}-p${i}`));

// Training reads the whole store, so this file gets a database of its own rather than sharing the run's.
const databaseUrl = ownDatabase('fw_models');

beforeAll(async () => {
  // Scheduled and event-count training off: the tests ask for each training themselves.
  const env = { TRAIN_INTERVAL_MS: '0', TRAIN_AFTER_EVENTS: '0', DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true' };
  // A runs the training worker (one training at a time), through the gate; B is an API instance only.
  a = await startTestPlatform(env, { fit: fitGate.fit });
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
const RUN = `query($id: ID!) { trainingRun(id: $id) { status error model { id status algorithm halfLifeDays choices { algorithm halfLifeDays ndcgAt10 } metrics { ndcgAt10 precisionAt10 users baselineNdcgAt10 } } } }`;

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

    const run = await finished(first.data.retrainModel.id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.model).toMatchObject({ status: 'ACTIVE', algorithm: 'ease' });
    expect(run.model.metrics.ndcgAt10).toBeGreaterThan(0);
    expect(run.model.metrics.baselineNdcgAt10).toBeNull();
    // TRAIN_HALF_LIFE_DAYS=auto (the default): both half-lives tried on the hold-out, the better one kept.
    const choices = run.model.choices;
    expect(choices.map((c: any) => c.halfLifeDays)).toEqual([0, 30]);
    const best = choices.reduce((x: any, y: any) => (y.ndcgAt10 > x.ndcgAt10 ? y : x));
    expect(run.model.halfLifeDays).toBe(best.halfLifeDays);
    expect(run.model.metrics.ndcgAt10).toBe(best.ndcgAt10);

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

  it('trains on what is there when asked: a request during a running training queues a new run, requests while it waits join it', async () => {
    const TRAINED = `query($id: ID!) { trainingRun(id: $id) { status model { trainingEvents } } }`;
    const status = async (id: string) => (await a.gql(RUN, { id }, admin)).data.trainingRun.status;
    fitGate.hold();
    try {
      const firstArrives = fitGate.nextArrival();
      const first = (await a.gql(RETRAIN, { alg: 'ease' }, admin)).data.retrainModel;
      const firstInput = await firstArrives; // the first run has started and read the store: it is in progress
      expect(await status(first.id)).toBe('RUNNING');

      // A client imports events, then asks for a training.
      const imported = Array.from({ length: 4 }, (_, k) => ({ id: `${prefix}-late-${k}`, type: 'VIEW', userId: `${prefix}-late${k % 2}`, productId: clusters[0]![k] }));
      expect((await a.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: imported }, service)).data.recordEvents.accepted).toBe(4);
      // Asked of both API instances at once: one waiting run, whichever instance wins the insert.
      const [second, fromB] = (await Promise.all([a.gql(RETRAIN, { alg: 'ease' }, admin), b.gql(RETRAIN, { alg: 'ease' }, admin)])).map((r) => r.data.retrainModel);
      expect(second.id).not.toBe(first.id);
      expect(second.status).toBe('QUEUED');
      expect(fromB.id).toBe(second.id);
      // Still waiting behind the held run (the worker trains one at a time): a later request joins it too.
      const third = (await a.gql(RETRAIN, { alg: 'ease' }, admin)).data.retrainModel;
      expect(third).toMatchObject({ id: second.id, status: 'QUEUED' });
      // Another algorithm is another run.
      const other = (await b.gql(RETRAIN, { alg: 'sar' }, admin)).data.retrainModel;
      expect(other.id).not.toBe(second.id);

      const secondArrives = fitGate.nextArrival();
      fitGate.open();
      const secondInput = await secondArrives; // the queued run is taken once the first is done, not dropped
      expect(secondInput.interactions.length).toBeGreaterThan(firstInput.interactions.length);
      await Promise.all([first.id, second.id, other.id].map(finished));
      const [before, after] = await Promise.all([first.id, second.id].map(async (id) => (await a.gql(TRAINED, { id }, admin)).data.trainingRun));
      expect(before.status).toBe('SUCCEEDED');
      expect(after.status).toBe('SUCCEEDED');
      // The run asked for after the import has seen the imported events; the one already running had not.
      expect(after.model.trainingEvents).toBe(before.model.trainingEvents + imported.length);
    } finally {
      fitGate.open();
    }
  });
});

describe('scheduled training on an empty store', () => {
  let empty: TestPlatform;
  const emptyDatabaseUrl = ownDatabase('fw_models_empty');
  beforeAll(async () => {
    // The schedule's first request comes right away, as when a worker starts on a new shop.
    empty = await startTestPlatform({ TRAIN_INTERVAL_MS: '3600000', TRAIN_AFTER_EVENTS: '0', DATABASE_URL: emptyDatabaseUrl, MIGRATE_ON_START: 'true' });
  });
  afterAll(async () => {
    await empty?.stop();
    await dropDatabase(emptyDatabaseUrl);
  });

  it('is skipped with its reason, not failed; a manual request there fails and says why', async () => {
    const scheduled = await eventually(async () => {
      const [run] = await empty.platform.prisma.trainingRun.findMany({ where: { trigger: 'SCHEDULE' } });
      return run && run.finishedAt ? run : null;
    }, 20_000, 'the scheduled run to end');
    const token = await empty.token('admin');
    const seen = (await empty.gql(`query($id: ID!) { trainingRun(id: $id) { status error model { id } } }`, { id: scheduled.id }, token)).data.trainingRun;
    expect(seen).toMatchObject({ status: 'SKIPPED', model: null });
    expect(seen.error).toMatch(/not enough interactions .*\(0 rows/);

    const manual = (await empty.gql(RETRAIN, { alg: 'ease' }, token)).data.retrainModel;
    const failed = await eventually(async () => {
      const r = (await empty.gql(RUN, { id: manual.id }, token)).data.trainingRun;
      return r.status !== 'QUEUED' && r.status !== 'RUNNING' ? r : null;
    }, 20_000, 'the manual run to end');
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/not enough interactions/);
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
