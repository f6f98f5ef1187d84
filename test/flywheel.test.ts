// The loop end to end: events in on one API instance, a worker applying them, live lists out on another instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { spawnPlatform } from './support/process';
import { TcpProxy } from './support/tcp-proxy';
import { applyEventsJob } from '../src/jobs/apply-events';
import { outboxJobId } from '../src/jobs/job';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;
const LIVE = `subscription($userId: ID!) {
  recommendationsUpdated(userId: $userId, limit: 20) { id userId model items { product { id stock } reason score } }
}`;

async function seedCatalog(t: TestPlatform, prefix: string, stock: (i: number) => number, n = 6): Promise<string[]> {
  const products = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, name: `Item ${i}`, category: `${prefix}-cat`, price: 5, stock: stock(i) }));
  const res = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, await t.token('admin'));
  expect(res.errors).toBeUndefined();
  return products.map((p) => p.id);
}

const scrape = (t: TestPlatform) => fetch(`${t.url}/metrics`).then((r) => r.text());
/** A sample's value in a Prometheus text exposition (0 when absent). */
const value = (text: string, sample: string) => Number(text.match(new RegExp(`^${sample.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm'))?.[1] ?? 0);

describe('two API instances and one worker', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let worker: TestPlatform;
  beforeAll(async () => {
    a = await startTestPlatform({ ROLE: 'api' });
    const shared = { REDIS_PREFIX: a.env.REDIS_PREFIX! };
    b = await startTestPlatform({ ROLE: 'api', ...shared });
    worker = await startTestPlatform({ ROLE: 'worker', ...shared });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
  });

  it('pushes a fresh list on instance B after events recorded on instance A, without interacted or out-of-stock items', async () => {
    const prefix = uniqueId('fly');
    // Item 5 is out of stock: it may co-occur, but it must never be recommended.
    const ids = await seedCatalog(a, prefix, (i) => (i === 5 ? 0 : 10));
    const service = await a.token('service');
    const other = uniqueId('other');
    // Another shopper's history links item 0 with items 1, 2 and 5.
    const history = [0, 1, 2, 5].map((i, k) => ({ id: uniqueId('e'), type: 'VIEW', userId: other, productId: ids[i], occurredAt: new Date(Date.now() - 10_000 + k).toISOString() }));
    expect((await a.gql(RECORD, { events: history }, service)).data.recordEvents.accepted).toBe(4);

    const user = uniqueId('shopper');
    const sub = collect(b.ws(await b.token('shopper', user)), LIVE, { userId: user });
    const [first] = await sub.until((r) => r.length >= 1, 5000);
    expect(first!.errors).toBeUndefined();
    expect(first!.data.recommendationsUpdated.userId).toBe(user);

    await a.gql(RECORD, { events: [{ id: uniqueId('e'), type: 'VIEW', userId: user, productId: ids[0] }] }, service);
    // The issue asks for the push within a second; bench/latency.ts measures it. Here only a generous bound against a hang.
    const results = await sub.until((r) => r.some((x) => x.data?.recommendationsUpdated.model === 'co-occurrence'), 5000);
    const list = results.find((x) => x.data?.recommendationsUpdated.model === 'co-occurrence')!.data.recommendationsUpdated;
    const recommended = list.items.map((i: any) => i.product.id);
    expect(recommended).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    expect(recommended).not.toContain(ids[0]); // viewed by the user
    expect(recommended).not.toContain(ids[5]); // out of stock
    expect(list.items.every((i: any) => i.product.stock > 0)).toBe(true);
    expect(list.items.find((i: any) => i.product.id === ids[1]).reason).toBe('Viewed together with Item 0');
    sub.unsubscribe();
  });

  it('applies a job by the outbox message it names, and fails a job whose message has no events, alone', async () => {
    const [p] = await seedCatalog(a, uniqueId('ref'), () => 10, 1);
    // A job naming an outbox message that does not exist (nothing writes one without events) …
    const missing = '9000000000000';
    await a.platform.queues.addBulk(applyEventsJob, [{ jobId: outboxJobId(missing), data: { outboxId: missing } }]);
    // … next to real ones, which the worker applies once, reading their events by outbox id.
    const events = Array.from({ length: 6 }, () => ({ id: uniqueId('e'), type: 'CLICK', userId: uniqueId('u'), productId: p }));
    for (const e of events) await a.gql(RECORD, { events: [e] }, await a.token('service'));
    const clicks = () => a.platform.redis.hget(a.platform.keys.productStats(p!), 'CLICK');
    await eventually(async () => (await clicks()) === '6', 10_000, 'the clicks applied');
    await eventually(async () => {
      const job = await a.platform.queues.queue(applyEventsJob.queue).getJob(outboxJobId(missing));
      return (job?.attemptsMade ?? 0) >= 1 && job!.failedReason?.includes(`no events recorded with outbox message ${missing}`);
    }, 10_000, 'the job without events failed');
    // Retried alongside it, the others still count once: once each of their jobs has completed (a job completes only
    // after its batch is written, and those that failed with it only after a retry), every effect they can have is
    // in.
    const { rows } = await a.platform.db.pool.query<{ outbox_id: string }>('SELECT DISTINCT outbox_id::text FROM events WHERE id = ANY($1::text[])', [events.map((e) => e.id)]);
    expect(rows).toHaveLength(6);
    const queue = a.platform.queues.queue(applyEventsJob.queue);
    await eventually(async () => {
      const states = await Promise.all(rows.map(async (r) => (await queue.getJob(outboxJobId(r.outbox_id)))?.getState()));
      return states.every((s) => s === 'completed');
    }, 30_000, 'the real jobs completed');
    expect(await clicks()).toBe('6');
  });

  it('refuses a shopper subscribing to someone else, and answers queries for the same rules', async () => {
    const shopper = await b.token('shopper', 'me');
    const sub = collect(b.ws(shopper), LIVE, { userId: 'not-me' });
    await sub.until((r) => r.length > 0 || Boolean(sub.error) || sub.completed, 5000).catch(() => undefined);
    const errors = (sub.error as any[]) ?? sub.results[0]?.errors;
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const q = await b.gql(`{ recommendations(userId: "not-me") { id } }`, {}, shopper);
    expect(q.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await b.gql(`{ recommendations(userId: "me", limit: 0) { id } }`, {}, shopper);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/limit: must be between 1 and 100/);
  });

  it('tells Prometheus how the loop is doing: events recorded and duplicates on the API, applied with their lag on the worker', async () => {
    const [p] = await seedCatalog(a, uniqueId('metrics'), () => 10, 1);
    const service = await a.token('service');
    const accepted = 'events_recorded_total{outcome="accepted"}';
    const duplicate = 'events_recorded_total{outcome="duplicate"}';
    const [apiBefore, workerBefore] = await Promise.all([scrape(a), scrape(worker)]);

    const events = Array.from({ length: 7 }, () => ({ id: uniqueId('m'), type: 'VIEW', userId: uniqueId('u'), productId: p }));
    expect((await a.gql(RECORD, { events }, service)).data?.recordEvents).toEqual({ accepted: 7, duplicates: 0 });
    expect((await a.gql(RECORD, { events: events.slice(0, 2) }, service)).data?.recordEvents).toEqual({ accepted: 0, duplicates: 2 });
    const api = await scrape(a);
    expect(value(api, accepted) - value(apiBefore, accepted)).toBe(7);
    expect(value(api, duplicate) - value(apiBefore, duplicate)).toBe(2);

    // Each applied event once, with its lag from commit to feature store; nothing waits in the outbox.
    const applied = await eventually(async () => {
      const text = await scrape(worker);
      return value(text, 'events_applied_total') - value(workerBefore, 'events_applied_total') >= 7 && text;
    }, 10_000, 'events applied');
    expect(value(applied, 'feature_lag_seconds_count')).toBe(value(applied, 'events_applied_total'));
    expect(value(applied, 'feature_lag_seconds_bucket{le="60"}')).toBe(value(applied, 'feature_lag_seconds_count'));
    expect(value(applied, 'feature_lag_seconds_sum')).toBeGreaterThan(0);
    await eventually(async () => value(await scrape(a), 'outbox_pending') === 0, 5000, 'outbox drained');
    expect(api).toMatch(/^outbox_pending \d+$/m);
  });

  it('releases every listener and Redis subscription over many subscribe/unsubscribe cycles', async () => {
    const admin = await b.token('admin');
    const client = b.ws(admin);
    // Topics the instance holds for itself (e.g. model changes) are the baseline.
    const topicsBefore = (await fetch(`${b.url}/metrics`).then((r) => r.text())).match(/^pubsub_topics_active (\d+)$/m)![1];
    const channelsBefore = await b.platform.redis.pubsub('CHANNELS', `${b.env.REDIS_PREFIX}:ps:*`);
    const users = Array.from({ length: 20 }, () => uniqueId('leak'));
    for (let round = 0; round < 25; round++) {
      const subs = users.map((u) => collect(client, LIVE, { userId: u }));
      await Promise.all(subs.map((s) => s.until((r) => r.length >= 1, 10_000)));
      for (const s of subs) s.unsubscribe();
    }
    await eventually(async () => (await fetch(`${b.url}/metrics`).then((r) => r.text())).includes('ws_subscriptions_active 0'), 5000, 'no active subscriptions');
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`^pubsub_topics_active ${topicsBefore}$`, 'm'));
    const channels = await b.platform.redis.pubsub('CHANNELS', `${b.env.REDIS_PREFIX}:ps:*`);
    expect((channels as string[]).sort()).toEqual((channelsBefore as string[]).sort());
    expect((channels as string[]).some((c) => c.startsWith(b.platform.keys.channel('user:')))).toBe(false);
  });
});

describe('durability', () => {
  it('accepts events while Redis is down and applies them once it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.start();
    const t = await startTestPlatform({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    try {
      const [p] = await seedCatalog(t, uniqueId('outage'), () => 10, 1);
      const service = await t.token('service');
      await proxy.stop();
      const events = Array.from({ length: 25 }, () => ({ id: uniqueId('e'), type: 'CLICK', userId: uniqueId('u'), productId: p }));
      for (let i = 0; i < 25; i += 5) {
        const res = await t.gql(RECORD, { events: events.slice(i, i + 5) }, service);
        expect(res.data?.recordEvents).toEqual({ accepted: 5, duplicates: 0 });
      }
      // Held in the outbox meanwhile, as the metrics show.
      expect(value(await scrape(t), 'outbox_pending')).toBeGreaterThanOrEqual(5);
      await proxy.start();
      await eventually(async () => (await t.platform.redis.hget(t.platform.keys.productStats(p!), 'CLICK')) === '25', 20_000, 'clicks applied after the outage');
      await eventually(async () => value(await scrape(t), 'outbox_pending') === 0, 10_000, 'outbox drained');
    } finally {
      await t.stop();
      await proxy.stop();
    }
  });

  it('loses nothing and double-counts nothing when the worker is killed mid-stream', async () => {
    const api = await startTestPlatform({ ROLE: 'api' });
    const env = { ...api.env, ROLE: 'worker', PORT: '0', WORKER_LOCK_MS: '2000', WORKER_CONCURRENCY: '8', WORKER_BATCH_SIZE: '4' };
    let worker = spawnPlatform(env);
    try {
      await worker.started;
      const [p] = await seedCatalog(api, uniqueId('kill'), () => 10, 1);
      const service = await api.token('service');
      const stats = async () => Number((await api.platform.redis.hget(api.platform.keys.productStats(p!), 'VIEW')) ?? 0);
      // The stream goes on until the worker is dead and 100 events more were sent, so that the kill lands mid-stream
      // however fast the worker is and however late this process sees its progress (a fixed 400 events could all
      // be applied before a loaded machine's poll noticed the first 20).
      let sent = 0;
      let killed = false;
      const sending = (async () => {
        for (let after = 0; !killed || after < 100; ) {
          const events = Array.from({ length: 4 }, (_, k) => ({ id: `${p}-${sent + k}`, type: 'VIEW', userId: uniqueId('u'), productId: p }));
          const wasKilled = killed;
          expect((await api.gql(RECORD, { events }, service)).data?.recordEvents.accepted).toBe(4);
          sent += 4;
          if (wasKilled) after += 4;
        }
      })();
      await eventually(async () => (await stats()) > 20, 20_000, 'the worker to be under way');
      await worker.kill('SIGKILL');
      killed = true;
      await sending;
      const total = sent;
      const atKill = await stats();
      expect(atKill).toBeLessThan(total);
      worker = spawnPlatform(env);
      await worker.started;
      await eventually(async () => (await stats()) === total, 30_000, `all ${total} views applied after the restart`);
      // Redelivered jobs (those the killed worker held) must not count twice. They stay active until a stalled check
      // hands them back, and complete only after their batch is written: once no job is left to run, they all ran.
      const queue = api.platform.queues.queue(applyEventsJob.queue);
      await eventually(async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, 30_000, 'every job run, those the killed worker held again');
      expect(await stats()).toBe(total);
    } finally {
      await worker.kill('SIGTERM');
      await api.stop();
    }
  });
});
