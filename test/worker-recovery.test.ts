// A killed worker's jobs on real processes: a worker holding jobs (its Postgres hangs mid-batch) is SIGKILLed at the
// worst moment, and they are handed back within the bound the README states for the settings in use
// (WORKER_LOCK_MS + WORKER_STALLED_CHECK_MS, src/workers/recovery.ts), then applied by a second worker, each event
// once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEventsJob } from '../src/jobs/apply-events';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { spawnPlatform, type PlatformProcess } from './support/process';
import { TcpProxy } from './support/tcp-proxy';

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;
// Short, so that the test runs in seconds; the bound is computed from them as the README states it.
const RECOVERY = { WORKER_LOCK_MS: '4000', WORKER_STALLED_CHECK_MS: '1000' };
const bound = Number(RECOVERY.WORKER_LOCK_MS) + Number(RECOVERY.WORKER_STALLED_CHECK_MS);

/** Resolves when the key's time to live goes up: it was just set again (a stalled check, a lock renewal). */
async function nextRenewal(key: string): Promise<void> {
  const deadline = Date.now() + 10 * bound;
  let last = await api.platform.redis.pttl(key);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    const ttl = await api.platform.redis.pttl(key);
    if (ttl > last) return;
    last = ttl;
  }
  throw new Error(`${key} was not renewed`);
}

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
  it('has its jobs applied by another worker, each event once, within WORKER_LOCK_MS + WORKER_STALLED_CHECK_MS', async () => {
    const admin = await api.token('admin');
    const service = await api.token('service');
    const prefix = uniqueId('rec');
    const products = Array.from({ length: 4 }, (_, i) => ({ id: `${prefix}-${i}`, name: `Item ${i}`, category: 'c', price: 5, stock: 1000 }));
    expect((await api.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin)).errors).toBeUndefined();

    const workerEnv = { ...api.env, ROLE: 'worker', PORT: '0', ...RECOVERY };
    // The first worker reaches Postgres through a proxy that will hang: its batch reads the events and waits
    // there, its jobs active and their locks renewed, as a worker in the middle of a slow batch.
    const url = new URL(api.env.DATABASE_URL!);
    url.port = String(proxy.port);
    const first = spawnPlatform({ ...workerEnv, DATABASE_URL: url.toString() });
    workers.push(first);
    await first.started;
    // The worker's first feature store check rebuilds what earlier tests of this file recorded (there is no
    // generation yet): done before Postgres hangs, or the worker would never take a job.
    await eventually(async () => ((await api.platform.redis.hget(api.platform.keys.featureRebuild(), 'finishedAt')) ? true : null), 30_000, 'the feature store rebuilt at the worker\'s first check');
    proxy.pause();

    const calls = 12;
    const perCall = 5;
    for (let c = 0; c < calls; c++) {
      const events = Array.from({ length: perCall }, (_, k) => ({ id: `${prefix}-e${c}-${k}`, type: 'VIEW', userId: `${prefix}-u${c}`, productId: products[(c + k) % 4]!.id }));
      expect((await api.gql(RECORD, { events }, service)).data?.recordEvents).toEqual({ accepted: perCall, duplicates: 0 });
    }
    const queue = api.platform.queues.queue(applyEventsJob.queue);
    // Every job taken by the first worker and held there.
    const held = await eventually(async () => {
      const counts = await queue.getJobCounts('wait', 'active', 'completed', 'delayed', 'failed');
      return counts.active === calls && ['wait', 'completed', 'delayed', 'failed'].every((state) => !counts[state]) ? await queue.getActive() : null;
    }, 20_000, `the first worker holding all ${calls} jobs`);

    const second = spawnPlatform(workerEnv);
    workers.push(second);
    await second.started;
    // Nothing reached the second worker while the first held the jobs.
    expect((await queue.getJobCounts('active')).active).toBe(calls);

    // A bad moment to die: soon after a stalled check that marked the jobs and a lock renewal that unmarked them, so
    // the next check finds them locked and unmarked, and the one after only marks them. With the check as slow as
    // the lock (4ae2c6e) they came back two checks later: twice the lock after the check, where the README says one.
    // The kill lands midway between two renewals (every quarter lock): the bound holds whenever it lands; the
    // margin is for a starved machine's late timers.
    const key = (suffix: string) => `${api.platform.keys.bullPrefix}:${applyEventsJob.queue}:${suffix}`;
    await nextRenewal(key('stalled-check'));
    await nextRenewal(key(`${held[0]!.id}:lock`));
    await new Promise((r) => setTimeout(r, Number(RECOVERY.WORKER_LOCK_MS) / 8));
    await first.kill('SIGKILL');
    // Its death as Redis saw it, on the clock of BullMQ's event stream below: read once the process is gone, so
    // that no lock renewal of its own comes after.
    const [sec, micro] = await api.platform.redis.time();
    const killedAt = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);

    const done = await eventually(async () => {
      const jobs = await Promise.all(held.map((j) => queue.getJob(j.id!)));
      return jobs.every((j) => j?.finishedOn) ? jobs : null;
    }, 20 * bound, 'the held jobs finished by the second worker');
    // When each job was handed back: BullMQ's `stalled` event, from the check that found its lock gone.
    const stream = await api.platform.redis.xrange(`${api.platform.keys.bullPrefix}:${applyEventsJob.queue}:events`, '-', '+');
    const handedBack = new Map(stream.flatMap(([id, f]) => (f[1] === 'stalled' ? [[f[3]!, Number(id.split('-')[0])]] : [])));
    for (const job of done) {
      expect(await job!.getState()).toBe('completed');
      const at = handedBack.get(job!.id!);
      expect(at, `job ${job!.id} handed back`).toBeDefined();
      expect(at! - killedAt, `job ${job!.id} handed back ${at! - killedAt} ms after the kill`).toBeLessThanOrEqual(bound);
      // Then taken and applied by the second worker at once (a batch's time, logged for the record).
      expect(job!.processedOn!).toBeGreaterThanOrEqual(at!);
    }
    const applied = Math.max(...done.map((j) => j!.finishedOn!)) - killedAt;
    console.info(`worker recovery: bound ${bound} ms; handed back after ${Math.max(...handedBack.values()) - killedAt} ms, all applied after ${applied} ms`);
    // Each event applied exactly once: per-product counts equal what was recorded.
    for (const [i, p] of products.entries()) {
      const expected = Array.from({ length: calls }, (_, c) => Array.from({ length: perCall }, (_, k) => (c + k) % 4)).flat().filter((x) => x === i).length;
      expect(Number(await api.platform.redis.hget(api.platform.keys.productStats(p.id), 'VIEW'))).toBe(expected);
    }
  }, 90_000);
});
