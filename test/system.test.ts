// systemStatus: dependencies, outbox backlog, queue depths and worker health, over real HTTP against real
// Postgres and Redis, with deployments that lack workers and with Redis cut off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { TcpProxy } from './support/tcp-proxy';

const STATUS = `{ systemStatus {
  checkedAt instance { role uptimeSeconds }
  dependencies { name ok latencyMs error }
  outboxPending
  queues { name health waiting active delayed failed completed workers { name address ageSeconds idleSeconds } }
} }`;
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`;

async function status(t: TestPlatform, token: string) {
  const res = await t.gql(STATUS, {}, token);
  expect(res.errors).toBeUndefined();
  return res.data.systemStatus;
}

const queue = (s: any, name: string) => s.queues.find((q: any) => q.name === name);

async function seedProduct(t: TestPlatform, admin: string): Promise<string> {
  const id = uniqueId('sys');
  const res = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id, name: id, category: 'sys', price: 3, stock: 50 }] }, admin);
  expect(res.errors).toBeUndefined();
  return id;
}

describe('queues and workers', () => {
  let api: TestPlatform;
  let worker: TestPlatform | undefined;
  let admin: string;
  beforeAll(async () => {
    api = await startTestPlatform({ ROLE: 'api' });
    admin = await api.token('admin');
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  it('is for admins only', async () => {
    const anonymous = await api.gql(STATUS);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const service = await api.gql(STATUS, {}, await api.token('service'));
    expect(service.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows jobs waiting with no worker attached, then the worker that drains them', async () => {
    const first = await status(api, admin);
    expect(first.instance.role).toBe('api');
    expect(first.dependencies.map((d: any) => [d.name, d.ok])).toEqual([
      ['postgres', true],
      ['redis', true],
    ]);
    expect(first.dependencies.every((d: any) => d.latencyMs >= 0 && d.error === null)).toBe(true);
    expect(first.queues.map((q: any) => q.name)).toEqual(['events', 'inventory', 'rollups', 'training']);
    expect(first.queues.every((q: any) => q.health === 'NO_WORKERS' && q.workers.length === 0)).toBe(true);

    const product = await seedProduct(api, admin);
    const service = await api.token('service');
    for (let i = 0; i < 3; i++) {
      const res = await api.gql(RECORD, { e: [{ id: uniqueId('e'), type: 'VIEW', userId: uniqueId('u'), productId: product }] }, service);
      expect(res.data?.recordEvents.accepted).toBe(1);
    }
    // The relay moves each call's outbox row into the events queue, where it waits: nobody works on it.
    const waiting = await eventually(async () => {
      const s = await status(api, admin);
      return queue(s, 'events').waiting === 3 && s.outboxPending === 0 ? s : null;
    }, 10_000, 'three jobs waiting');
    expect(queue(waiting, 'events')).toMatchObject({ health: 'NO_WORKERS', active: 0, completed: 0 });

    worker = await startTestPlatform({ ROLE: 'worker', REDIS_PREFIX: api.env.REDIS_PREFIX! });
    const drained = await eventually(async () => {
      const s = await status(api, admin);
      return queue(s, 'events').completed === 3 ? s : null;
    }, 15_000, 'the worker to drain the queue');
    const events = queue(drained, 'events');
    expect(events).toMatchObject({ health: 'OK', waiting: 0 });
    expect(events.workers.length).toBeGreaterThanOrEqual(1);
    expect(events.workers[0].address).toMatch(/:\d+$/);
    expect(events.workers[0].ageSeconds).toBeGreaterThanOrEqual(0);
    // Every job type has a worker in a ROLE=worker process.
    expect(drained.queues.map((q: any) => q.health)).toEqual(['OK', 'OK', 'OK', 'OK']);
  });
});

describe('Redis outage', () => {
  it('reports Redis down, the queues unknown and the events held in the outbox, then recovery', async () => {
    // This file's other platforms are stopped: no other relay can move these outbox rows.
    const proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.start();
    const t = await startTestPlatform({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    try {
      const admin = await t.token('admin');
      const product = await seedProduct(t, admin);
      await eventually(async () => (await status(t, admin)).outboxPending === 0, 10_000, 'an empty outbox');
      await proxy.stop();
      const service = await t.token('service');
      for (let i = 0; i < 2; i++) {
        const res = await t.gql(RECORD, { e: [{ id: uniqueId('e'), type: 'VIEW', userId: uniqueId('u'), productId: product }] }, service);
        expect(res.data?.recordEvents.accepted).toBe(1);
      }
      const down = await status(t, admin);
      expect(down.dependencies.find((d: any) => d.name === 'redis')).toMatchObject({ ok: false, latencyMs: null });
      expect(down.dependencies.find((d: any) => d.name === 'redis').error).toBeTruthy();
      expect(down.dependencies.find((d: any) => d.name === 'postgres')).toMatchObject({ ok: true });
      expect(down.outboxPending).toBe(2);
      expect(down.queues.map((q: any) => q.health)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);

      await proxy.start();
      const back = await eventually(async () => {
        const s = await status(t, admin);
        return s.outboxPending === 0 && queue(s, 'events').health === 'OK' ? s : null;
      }, 20_000, 'recovery');
      expect(back.dependencies.every((d: any) => d.ok)).toBe(true);
    } finally {
      await t.stop();
      await proxy.stop();
    }
  });
});
