// The training data and the per-shopper history read from the real Postgres: event weights, time decay counted
// from the latest event (so a backfill of old history keeps its weights), and the two reads agreeing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../src/store/models';
import { connectDatabase, type Database } from '../src/store/db';
import type { PrismaClient } from '../src/store/prisma';
import { fileDatabaseUrl, uniqueId } from './support/platform';

let db: Database;
let prisma: PrismaClient;
let store: ModelStore;
beforeAll(async () => {
  db = connectDatabase(await fileDatabaseUrl());
  prisma = db.prisma;
  store = new ModelStore(prisma);
});
afterAll(() => db.close());

const DAY = 86_400_000;
const weights = { VIEW: 1, CLICK: 2, ADD_TO_CART: 4, PURCHASE: 8 };
/** The latest weighted event: a MovieLens-era timestamp, decades before now. */
const T = Date.UTC(1998, 3, 22);

async function insert(events: Array<{ type: string; user: string; product: string; at: number }>): Promise<void> {
  for (const e of events) {
    await prisma.$executeRaw`
      INSERT INTO events (id, type, user_id, product_id, occurred_at)
      VALUES (${uniqueId('e')}, ${e.type}::"EventType", ${e.user}, ${e.product}, ${new Date(e.at)})`;
  }
}

describe('ModelStore.interactions and history', () => {
  it('decays weights from the latest weighted event, not from now, and never underflows', async () => {
    const [u1, u2, u3] = ['u1', 'u2', 'u3'].map((u) => uniqueId(u));
    await insert([
      { type: 'VIEW', user: u1!, product: 'p1', at: T },
      { type: 'VIEW', user: u1!, product: 'p1', at: T - 30 * DAY },
      { type: 'PURCHASE', user: u1!, product: 'p2', at: T - 30 * DAY },
      { type: 'CLICK', user: u2!, product: 'p1', at: T - 60 * DAY },
      // Carries no weight, so it is not the reference time although it is the latest event.
      { type: 'IMPRESSION', user: u2!, product: 'p2', at: T + 5 * DAY },
      // 98 years before the reference: 1,192 half-lives, where Postgres' power() would raise an underflow error.
      { type: 'VIEW', user: u3!, product: 'p3', at: Date.UTC(1900, 0, 1) },
    ]);
    const { interactions, events, referenceTime } = await store.interactions({ weights, halfLifeDays: 30, maxUsers: 100 });
    expect(referenceTime?.getTime()).toBe(T);
    expect(events).toBe(5);
    const weight = (user: string, item: string) => interactions.find((x) => x.user === user && x.item === item)?.weight;
    expect(weight(u1!, 'p1')).toBeCloseTo(1 + 0.5, 10);
    expect(weight(u1!, 'p2')).toBeCloseTo(8 * 0.5, 10);
    expect(weight(u2!, 'p1')).toBeCloseTo(2 * 0.25, 10);
    expect(weight(u2!, 'p2')).toBeUndefined();
    // Kept at float32's smallest normal number: still an interaction when the model stores it in float32.
    expect(weight(u3!, 'p3')).toBe(2 ** -126);
    expect(Math.fround(weight(u3!, 'p3')!)).toBeGreaterThan(0);

    const undecayed = await store.interactions({ weights, halfLifeDays: 0, maxUsers: 100 });
    expect(undecayed.interactions.find((x) => x.user === u1 && x.item === 'p2')?.weight).toBe(8);

    // A shopper's history at request time weighs exactly as the training did, from the same reference time.
    const history = await store.history(u1!, { weights, halfLifeDays: 30, referenceTime: referenceTime!, maxEvents: 100 });
    expect(history.map((h) => [h.item, h.weight, h.lastAt]).sort()).toEqual([
      ['p1', weight(u1!, 'p1'), T],
      ['p2', weight(u1!, 'p2'), T - 30 * DAY],
    ]);
    // Only the latest events count when there are more than maxEvents.
    const latest = await store.history(u1!, { weights, halfLifeDays: 0, referenceTime: referenceTime!, maxEvents: 1 });
    expect(latest).toEqual([{ item: 'p1', weight: 1, lastAt: T }]);
  });
});

describe('ModelStore.openRun', () => {
  it('keeps one waiting run per algorithm however many requests race for it, and never joins a started one', async () => {
    // An algorithm name of this test's own: the one-waiting-run index is per algorithm.
    const algorithm = uniqueId('alg');
    const opened = await Promise.all(Array.from({ length: 20 }, (_, i) => store.openRun(algorithm, 'MANUAL', `admin-${i}`)));
    expect(new Set(opened.map((o) => o.run.id)).size).toBe(1);
    expect(opened.filter((o) => !o.joined)).toHaveLength(1);
    expect(opened[0]!.run.status).toBe('QUEUED');

    const started = await store.startRun(opened[0]!.run.id);
    expect(started?.status).toBe('RUNNING');
    const next = await store.openRun(algorithm, 'MANUAL', 'admin');
    expect(next).toMatchObject({ joined: false, run: { status: 'QUEUED' } });
    expect(next.run.id).not.toBe(started!.id);
    // Another algorithm waits in a run of its own.
    const other = await store.openRun(uniqueId('alg'), 'MANUAL', 'admin');
    expect(other.joined).toBe(false);
  });
});

describe('ModelStore.saveVersion', () => {
  it('promotes trainings that finish side by side one after the other, leaving one ACTIVE version', async () => {
    const metrics = { precisionAt10: 0, recallAt10: 0, ndcgAt10: 0, map: 0, users: 0, baselineNdcgAt10: null, baselineModelId: null };
    const version = { algorithm: 'ease', params: {}, metrics, trainingEvents: 1, durationMs: 1, artifact: new Uint8Array([1]), promote: true };
    for (let round = 0; round < 5; round++) {
      const saved = await Promise.all(Array.from({ length: 4 }, () => store.saveVersion(version)));
      expect(saved.every((v) => v.status === 'ACTIVE')).toBe(true);
      expect(await prisma.modelVersion.count({ where: { status: 'ACTIVE' } })).toBe(1);
    }
  });
});
