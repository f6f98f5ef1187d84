// Two deployments on one Redis server with the same REDIS_PREFIX in different logical databases: neither hears
// the other's announcements nor counts the other's workers (issue 20). Each has its own Postgres database, as two
// deployments would.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics } from '../src/store/keys';
import { createRedis, type Redis } from '../src/store/redis';
import { deleteRedisPrefix } from './support/redis-cleanup';
import { copyOfTemplate, eventually, fileDatabaseUrl, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Databases other tests leave alone (they use 0); the shared prefix is unique to this run.
const DATABASES = [7, 8] as const;
const prefix = uniqueId(inject('redisPrefix'));
const inDatabase = (db: number) => `${REDIS.replace(/\/\d*$/, '')}/${db}`;

let a: TestPlatform;
let b: TestPlatform;
const listeners: Redis[] = [];

beforeAll(async () => {
  // A runs workers; B is an API alone, whose queues have none.
  a = await startTestPlatform({ ROLE: 'all', REDIS_URL: inDatabase(DATABASES[0]), REDIS_PREFIX: prefix, DATABASE_URL: await fileDatabaseUrl() });
  b = await startTestPlatform({ ROLE: 'api', REDIS_URL: inDatabase(DATABASES[1]), REDIS_PREFIX: prefix, DATABASE_URL: await copyOfTemplate('iso_') });
});
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.quit()));
  await Promise.all([a?.stop(), b?.stop()]);
  for (const db of DATABASES) await deleteRedisPrefix(inDatabase(db), prefix, 'isolation-test-cleanup');
});

/** A connection subscribed to one channel, keeping what it hears in order. */
async function listen(db: number, channel: string): Promise<string[]> {
  const heard: string[] = [];
  const l = createRedis(inDatabase(db), 'isolation-test-listener');
  listeners.push(l);
  l.on('message', (_c: string, m: string) => heard.push(m));
  await l.subscribe(channel);
  return heard;
}

describe('deployments in different Redis databases with one prefix', () => {
  it('do not hear each other\'s announcements', async () => {
    const admin = await a.token('admin');
    const product = uniqueId('iso');
    expect((await a.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: product, name: product, category: 'c', price: 3, stock: 9 }] }, admin)).errors).toBeUndefined();
    const user = uniqueId('u');
    // Someone listens to the user on each side (so that A's worker announces the user at all).
    const heardByA = await listen(DATABASES[0], a.platform.keys.channel(topics.userFeatures(user)));
    const heardByB = await listen(DATABASES[1], b.platform.keys.channel(topics.userFeatures(user)));
    const res = await a.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: [{ id: uniqueId('e'), type: 'VIEW', userId: user, productId: product }] }, await a.token('service'));
    expect(res.data?.recordEvents.accepted).toBe(1);
    await eventually(async () => heardByA.length > 0, 10_000, 'A\'s announcement of the user');
    // B's own announcement on the same topic, published after A's: the first and only thing B's listener hears.
    await b.platform.redis.publish(b.platform.keys.channel(topics.userFeatures(user)), 'from B');
    await eventually(async () => heardByB.includes('from B'), 5000, 'B\'s own announcement');
    expect(heardByB).toEqual(['from B']);
  });

  it('count only their own workers', async () => {
    const status = `{ systemStatus { queues { name health workers { name } } } }`;
    const ofA = (await a.gql(status, {}, await a.token('admin'))).data.systemStatus.queues;
    const ofB = (await b.gql(status, {}, await b.token('admin'))).data.systemStatus.queues;
    expect(ofA.length).toBeGreaterThan(0);
    for (const q of ofA) expect(q.health, `A's ${q.name}`).toBe('OK');
    // B has no worker: A's, with the same prefix in another database, are not B's.
    for (const q of ofB) expect({ queue: q.name, health: q.health, workers: q.workers }).toEqual({ queue: q.name, health: 'NO_WORKERS', workers: [] });
  });
});
