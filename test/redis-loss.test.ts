// Redis comes back empty while events flow (issue 20): a restart without persistence, on a private redis-server of
// this test's own (never the machine's shared Redis), under an API instance (in process) and a worker (a real
// process). With no human action, the live campaign KPIs must equal the recount from Postgres, the features a
// rebuild, the per-minute rollups must resume with no gap, and KPI and recommendation subscribers must get current values.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureRepair } from '../src/services/feature-repair';
import { EventStore } from '../src/store/events';
import { FeatureGenerationStore } from '../src/store/feature-generation';
import { FeatureStore } from '../src/store/feature-store';
import { KpiStore } from '../src/store/kpis';
import { ModelStore } from '../src/store/models';
import { createRedis } from '../src/store/redis';
import { createLogger } from '../src/logger';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { spawnPlatform, type PlatformProcess } from './support/process';

const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const KPIS = `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { impressions clicks } }`;
const LIST = `subscription($u: ID!) { recommendationsUpdated(userId: $u) { items { reason } } }`;
const SERIES = `query($id: ID!, $from: DateTime!, $to: DateTime!) { campaign(id: $id) { series(from: $from, to: $to, bucket: MINUTE) { impressions clicks } } }`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of this test's own, without persistence: each start is an empty Redis. */
class PrivateRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'fw-redis-loss-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-1000)}`)));
    });
  }

  /** Kills it (a crash: nothing saved, and nothing would be). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('a Redis that comes back empty while events flow', () => {
  let redis: PrivateRedis;
  let api: TestPlatform;
  let worker: PlatformProcess;
  let workerPort: number;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    api = await startTestPlatform({ ROLE: 'api', REDIS_URL: redis.url, KPI_THROTTLE_MS: '100' });
    workerPort = await freePort();
    worker = spawnPlatform({
      ...api.env,
      ROLE: 'worker',
      PORT: String(workerPort),
      FEATURE_STORE_CHECK_MS: '1000',
      KPI_ROLLUP_INTERVAL_MS: '1000',
      // A training now and then would only slow this test down.
      TRAIN_AFTER_EVENTS: '0',
    });
    await worker.started;
  }, 60_000);

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await api?.stop();
    await redis?.remove();
  });

  it('rebuilds KPIs and features from Postgres, puts the rollup schedule and waiting trainings back and pushes current values, unattended', async () => {
    const admin = await api.token('admin');
    const service = await api.token('service');
    const prefix = uniqueId('loss');
    const products = Array.from({ length: 6 }, (_, i) => ({ id: `${prefix}-${i}`, name: `Item ${i}`, category: `${prefix}-c${i % 2}`, price: 4, stock: 100_000 }));
    expect((await api.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin)).errors).toBeUndefined();
    const hour = 3600_000;
    const created = await api.gql(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
      { input: { name: uniqueId('Loss'), startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + hour).toISOString(), budget: 100 } },
      admin,
    );
    const campaignId = created.data.createCampaign.id as string;
    const from = new Date(Date.now() - 2 * 60_000).toISOString();
    const sub = collect(api.ws(admin), KPIS, { id: campaignId });
    await sub.until((r) => r.length >= 1, 10_000);

    // Shoppers browse and see the campaign's ads without pause; a failed call is sent again with the same ids.
    let sending = true;
    // Batches answered (accepted, or duplicates of a try whose answer was lost): one impression and one click each.
    let answered = 0;
    let batch = 0;
    const sender = (async () => {
      while (sending) {
        const b = batch++;
        const user = `${prefix}-u${b % 25}`;
        // The view a millisecond after the click: items touched at the same instant pair in the order a batch happens
        // to hold them, so a rebuild (one batch) could pair them otherwise than the workers (a job at a time).
        const at = Date.now();
        const events = [
          { id: `${prefix}-${b}-i`, type: 'IMPRESSION', userId: user, campaignId },
          { id: `${prefix}-${b}-c`, type: 'CLICK', userId: user, sessionId: `${user}-s${b % 3}`, productId: products[b % 6]!.id, campaignId, occurredAt: new Date(at - 1).toISOString() },
          { id: `${prefix}-${b}-v`, type: 'VIEW', userId: user, sessionId: `${user}-s${b % 3}`, productId: products[(b * 7 + 1) % 6]!.id, occurredAt: new Date(at).toISOString() },
        ];
        for (;;) {
          const res = await api.gql(RECORD, { e: events }, service).catch(() => null);
          if (res?.data?.recordEvents) {
            answered++;
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    try {
      const live = async () => (await api.platform.services.campaigns.verify(campaignId)).live;
      await eventually(async () => (await live()).impressions >= 30, 30_000, 'the worker applying events');
      const seriesTotal = async () => {
        const res = await api.gql(SERIES, { id: campaignId, from, to: new Date(Date.now() + 60_000).toISOString() }, admin);
        const points = (res.data?.campaign?.series ?? []) as Array<{ impressions: number; clicks: number }>;
        return { impressions: points.reduce((s, p) => s + p.impressions, 0), clicks: points.reduce((s, p) => s + p.clicks, 0) };
      };
      await eventually(async () => (await seriesTotal()).impressions > 0, 30_000, 'the rollup running');

      // A shopper who browsed before the loss and does nothing after it: their live list must still come back to
      // what they browsed once the store is rebuilt (no event of theirs will announce it).
      const quiet = `${prefix}-quiet`;
      const browsed = [
        { id: `${prefix}-q1`, type: 'VIEW', userId: quiet, sessionId: `${quiet}-s`, productId: products[0]!.id },
        { id: `${prefix}-q2`, type: 'VIEW', userId: quiet, sessionId: `${quiet}-s`, productId: products[1]!.id },
      ];
      expect((await api.gql(RECORD, { e: browsed }, service)).data.recordEvents.accepted).toBe(2);
      const lists = collect(api.ws(await api.token('shopper', quiet)), LIST, { u: quiet });
      const fromBrowsing = (r: any) => (r?.data?.recommendationsUpdated?.items ?? []).some((i: { reason: string }) => i.reason.startsWith('Viewed together with'));
      await lists.until((r) => fromBrowsing(r.at(-1)), 30_000);

      // A training still waiting when Redis dies: its run is QUEUED in Postgres, its job only in Redis (written here
      // without the job, as if the job had been lost with the data; nothing else would ever queue it again).
      const models = new ModelStore(api.platform.prisma);
      const { run: waiting } = await models.openRun('als', 'MANUAL', 'redis-loss-test');
      expect(waiting.status).toBe('QUEUED');

      // Redis dies and comes back empty, while events keep coming.
      await redis.kill();
      const atLoss = answered;
      await redis.start();
      const probe = createRedis(redis.url, 'redis-loss-probe');
      try {
        expect(await probe.dbsize()).toBeLessThan(50); // empty but for what reconnected clients wrote already
      } finally {
        probe.disconnect();
      }
      await eventually(async () => answered >= atLoss + 100, 60_000, 'events accepted after Redis came back');
      sending = false;
      await sender;

      // No human action from here: only waiting.
      const verify = () => api.platform.services.campaigns.verify(campaignId);
      const settled = await eventually(
        async () => {
          const { live: counted, recount } = await verify();
          return recount.impressions === answered && isDeepStrictEqual(counted, recount) && recount;
        },
        60_000,
        'the live KPIs to equal the recount from Postgres',
      );
      expect(settled.clicks).toBe(answered);
      await eventually(async () => isDeepStrictEqual(await seriesTotal(), { impressions: settled.impressions, clicks: settled.clicks }), 60_000, 'the rollups to cover every event (Campaign.series)');
      await sub.until((r) => isDeepStrictEqual(r.at(-1)?.data?.campaignKpisUpdated, { impressions: settled.impressions, clicks: settled.clicks }), 30_000);
      // The quiet shopper's list was computed again once the store was rebuilt (a list computed while Redis was
      // empty shows popular products only).
      await lists.until((r) => fromBrowsing(r.at(-1)), 30_000);

      // The waiting training was put back on the queue and run.
      const ran = await eventually(async () => {
        const run = await models.run(waiting.id);
        return run && ['SUCCEEDED', 'SKIPPED', 'FAILED'].includes(run.status) && run;
      }, 60_000, 'the waiting training to run once Redis came back');
      expect(ran.startedAt).not.toBeNull();

      // The features equal the counts in Postgres, and a rebuild changes none of them.
      const { redis: reader, keys, prisma, db } = api.platform;
      const features = new FeatureStore(reader, keys);
      const counts = async () => {
        const rows = await prisma.$queryRaw<Array<{ product_id: string; type: string; n: number }>>`
          SELECT product_id, type::text AS type, count(*)::int AS n FROM events WHERE product_id LIKE ${`${prefix}-%`} GROUP BY 1, 2`;
        const out: Record<string, Record<string, number>> = {};
        for (const r of rows) (out[r.product_id] ??= {})[r.type] = r.n;
        return out;
      };
      const stats = async () => Object.fromEntries(await Promise.all(products.map(async (p) => [p.id, await features.productStats(p.id)] as const)));
      const expected = await counts();
      await eventually(async () => isDeepStrictEqual(await stats(), expected), 30_000, 'the product stats to equal the events');
      const snapshot = async () => ({
        stats: await stats(),
        neighbours: await features.neighbourLists(
          products.flatMap((p) => (['coOccurrence', 'sequential'] as const).map((family) => ({ productId: p.id, family }))),
          200,
        ),
        seen: await Promise.all(Array.from({ length: 25 }, (_, u) => reader.smembers(keys.userSeen(`${prefix}-u${u}`)).then((s) => s.sort()))),
      });
      const before = await snapshot();
      const writer = createRedis(redis.url, 'redis-loss-rebuild');
      try {
        const rebuilt = await new FeatureRepair({
          events: new EventStore(db),
          features,
          kpis: new KpiStore(reader, keys, db),
          generations: new FeatureGenerationStore(reader, keys),
          writer,
          log: createLogger({ LOG_LEVEL: 'silent', ROLE: 'all' }),
        }).rebuild('test', 'manual');
        expect(rebuilt).not.toBeNull();
      } finally {
        await writer.quit();
      }
      const after = await snapshot();
      expect(after.stats).toEqual(before.stats);
      expect(after.seen).toEqual(before.seen);
      // Weights are sums of floats, added in another order by the replay: equal up to rounding.
      expect(after.neighbours.map((l) => [...l.keys()].sort())).toEqual(before.neighbours.map((l) => [...l.keys()].sort()));
      after.neighbours.forEach((list, i) => list.forEach((w, q) => expect(w).toBeCloseTo(before.neighbours[i]!.get(q)!, 6)));
      expect(before.neighbours.some((l) => l.size > 0)).toBe(true);

      // The repair was reported: the worker's log and metrics, and systemStatus (which now shows the test's rebuild).
      expect(worker.output()).toContain('feature store rebuilt from Postgres');
      const metrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
      expect(Number(metrics.match(/^feature_store_repairs_total\{cause="lost"\} (\d+)$/m)?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
      const status = await api.gql(`{ systemStatus { featureStore { health lastRebuild { reason finishedAt } } } }`, {}, admin);
      expect(status.data.systemStatus.featureStore).toMatchObject({ health: 'OK', lastRebuild: { reason: 'test' } });
    } catch (err) {
      console.error('redis-loss: batches answered, KPIs, worker log:', answered, JSON.stringify(await api.platform.services.campaigns.verify(campaignId)), worker.output().slice(-6000));
      throw err;
    } finally {
      sending = false;
      await sender;
      sub.unsubscribe();
    }
  }, 240_000);
});
