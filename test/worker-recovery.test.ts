// A killed worker's jobs on real processes (test/support/worker-kill.ts): a worker holding jobs (its Postgres hangs
// mid-batch) is SIGKILLed at the worst moment; BullMQ's stalled check hands them back and a second worker applies
// them, each event once. How long that takes against the README's bound (WORKER_LOCK_MS +
// WORKER_STALLED_CHECK_MS) is a figure of `npm run bench:worker-recovery`, not a check here; that the settings
// give that bound is config.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEventsJob } from '../src/jobs/apply-events';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { spawnPlatform, type PlatformProcess } from './support/process';
import { TcpProxy } from './support/tcp-proxy';
import { killWorkerMidBatch } from './support/worker-kill';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;

let api: TestPlatform;
const workers: PlatformProcess[] = [];
const proxy = new TcpProxy('127.0.0.1', 5432);

beforeAll(async () => {
  // The API only records and relays; every job goes to the spawned workers.
  api = await startTestPlatform({ ROLE: 'api' });
  await proxy.start();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await api?.stop();
  await proxy.stop();
});

describe('a killed worker', () => {
  it('has its jobs handed back by the stalled check and applied by another worker, each event once', async () => {
    const admin = await api.token('admin');
    const service = await api.token('service');
    const prefix = uniqueId('rec');
    const products = Array.from({ length: 4 }, (_, i) => ({ id: `${prefix}-${i}`, name: `Item ${i}`, category: 'c', price: 5, stock: 1000 }));
    expect((await api.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin)).errors).toBeUndefined();

    // Short, so that the test runs in seconds; not shorter, so that a loaded machine does not miss a lock renewal of
    // the first worker (its jobs would stall and come back while it still lives).
    const outcome = await killWorkerMidBatch(
      {
        redis: api.platform.redis,
        keys: api.platform.keys,
        queue: api.platform.queues.queue(applyEventsJob.queue),
        workerEnv: { ...api.env, ROLE: 'worker', PORT: '0' },
        proxy,
        async startWorker(env) {
          const worker = spawnPlatform(env);
          workers.push(worker);
          await worker.started;
          return worker;
        },
        async record(events) {
          expect((await api.gql(RECORD, { events }, service)).data?.recordEvents).toEqual({ accepted: events.length, duplicates: 0 });
        },
      },
      { lockMs: 10_000, checkMs: 2000 },
      products.map((p) => p.id),
      prefix,
    );
    console.info(`worker recovery: bound ${outcome.bound} ms; handed back after ${Math.max(...outcome.handedBack.map((t) => t ?? NaN))} ms, all applied after ${outcome.appliedAfter} ms`);
    outcome.jobs.forEach((job, i) => {
      expect(job.state, `job ${job.id}`).toBe('completed');
      // Handed back by the stalled check (not failed, not taken some other way), then taken by the second worker.
      const at = outcome.handedBack[i];
      expect(at, `job ${job.id} handed back`).toBeDefined();
      expect(job.processedAfter).toBeGreaterThanOrEqual(at!);
    });
    // Each event applied exactly once: per-product counts equal what was recorded.
    expect(outcome.counts.map((c) => c.counted)).toEqual(outcome.counts.map((c) => c.expected));
    expect(outcome.counts.reduce((n, c) => n + c.expected, 0)).toBe(60);
  }, 180_000);
});
