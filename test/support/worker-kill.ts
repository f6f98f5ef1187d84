// A killed worker's jobs on real processes, as one scenario for the test (that they come back and are applied
// once: test/worker-recovery.test.ts) and the bench (how long they took against the README's bound:
// bench/worker-recovery.ts). A worker holding jobs (its Postgres hangs mid-batch, behind a TcpProxy) is
// SIGKILLed at the worst moment; a second worker applies them once BullMQ's stalled check hands them back
// (WORKER_LOCK_MS + WORKER_STALLED_CHECK_MS, src/workers/recovery.ts).
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { applyEventsJob } from '../../src/jobs/apply-events';
import type { RedisKeys } from '../../src/store/keys';
import type { TcpProxy } from './tcp-proxy';
import { eventually } from './wait';

export interface KillScenario {
  redis: Redis;
  keys: RedisKeys;
  /** The deployment's apply-events queue. */
  queue: Queue;
  /** The environment a worker of the deployment starts with. */
  workerEnv: Record<string, string>;
  /** Starts a worker process (resolves once it is up); `kill` ends it with a signal. */
  startWorker(env: Record<string, string>): Promise<{ kill(signal: NodeJS.Signals): Promise<unknown> }>;
  /** Records events through the API (every one accepted, or throws). */
  record(events: Array<Record<string, unknown>>): Promise<void>;
  /** The Postgres proxy the first worker goes through (started). */
  proxy: TcpProxy;
}

export interface KillOutcome {
  /** WORKER_LOCK_MS + WORKER_STALLED_CHECK_MS of the run. */
  bound: number;
  /** Per held job: when BullMQ's `stalled` event handed it back (ms after the kill, Redis clock; undefined: never). */
  handedBack: Array<number | undefined>;
  /** Per held job: its final state, and when the second worker took it (ms after the kill). */
  jobs: Array<{ id: string; state: string; processedAfter: number }>;
  /** When the last held job was finished (ms after the kill). */
  appliedAfter: number;
  /** Per product: VIEW events recorded, and the feature store's count once every job finished. */
  counts: Array<{ expected: number; counted: number }>;
}

/** Resolves when the key's time to live goes up: it was just set again (a stalled check, a lock renewal). */
async function nextRenewal(redis: Redis, key: string, within: number): Promise<void> {
  const deadline = Date.now() + within;
  let last = await redis.pttl(key);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    const ttl = await redis.pttl(key);
    if (ttl > last) return;
    last = ttl;
  }
  throw new Error(`${key} was not renewed`);
}

/**
 * Runs the scenario once: 12 calls of 5 events held by a first worker whose Postgres hangs, the worker killed at
 * a bad moment, a second worker started. `products`: four products of the catalog, `prefix` unique to the run.
 */
export async function killWorkerMidBatch(
  s: KillScenario,
  recovery: { lockMs: number; checkMs: number },
  products: string[],
  prefix: string,
): Promise<KillOutcome> {
  const bound = recovery.lockMs + recovery.checkMs;
  const workerEnv = { ...s.workerEnv, WORKER_LOCK_MS: String(recovery.lockMs), WORKER_STALLED_CHECK_MS: String(recovery.checkMs) };
  // The first worker reaches Postgres through a proxy that will hang: its batch reads the events and waits
  // there, its jobs active and their locks renewed, as a worker in the middle of a slow batch.
  const url = new URL(s.workerEnv.DATABASE_URL!);
  url.port = String(s.proxy.port);
  const first = await s.startWorker({ ...workerEnv, DATABASE_URL: url.toString() });
  // The worker's first feature store check rebuilds what was recorded before (there is no generation yet): done
  // before Postgres hangs, or the worker would never take a job.
  await eventually(async () => ((await s.redis.hget(s.keys.featureRebuild(), 'finishedAt')) ? true : null), 30_000, "the feature store rebuilt at the worker's first check");
  s.proxy.pause();

  const calls = 12;
  const perCall = 5;
  const recorded = new Map<string, number>();
  for (let c = 0; c < calls; c++) {
    const events = Array.from({ length: perCall }, (_, k) => ({ id: `${prefix}-e${c}-${k}`, type: 'VIEW', userId: `${prefix}-u${c}`, productId: products[(c + k) % products.length]! }));
    for (const e of events) recorded.set(e.productId, (recorded.get(e.productId) ?? 0) + 1);
    await s.record(events);
  }
  // Every job taken by the first worker and held there.
  const held = await eventually(async () => {
    const counts = await s.queue.getJobCounts('wait', 'active', 'completed', 'delayed', 'failed');
    // Thrown rather than returned: a timeout reports the last counts.
    if (counts.active !== calls || ['wait', 'completed', 'delayed', 'failed'].some((state) => counts[state])) throw new Error(`job counts ${JSON.stringify(counts)}`);
    return s.queue.getActive();
  }, 60_000, `the first worker holding all ${calls} jobs`);

  const second = await s.startWorker(workerEnv);
  // Nothing reached the second worker while the first held the jobs.
  const activeWithTwo = (await s.queue.getJobCounts('active')).active;
  if (activeWithTwo !== calls) throw new Error(`${calls - activeWithTwo!} jobs left the first worker before it died`);

  // A bad moment to die: soon after a stalled check that marked the jobs and a lock renewal that unmarked them, so
  // the next check finds them locked and unmarked, and the one after only marks them. With the check as slow as
  // the lock (4ae2c6e) they came back two checks later: twice the lock after the check, where the README says one.
  // The kill lands midway between two renewals (every quarter lock).
  const key = (suffix: string) => `${s.keys.bullPrefix}:${applyEventsJob.queue}:${suffix}`;
  await nextRenewal(s.redis, key('stalled-check'), 10 * bound);
  await nextRenewal(s.redis, key(`${held[0]!.id}:lock`), 10 * bound);
  await new Promise((r) => setTimeout(r, recovery.lockMs / 8));
  await first.kill('SIGKILL');
  // Its death as Redis saw it, on the clock of BullMQ's event stream below: read once the process is gone, so
  // that no lock renewal of its own comes after.
  const [sec, micro] = await s.redis.time();
  const killedAt = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);

  const done = await eventually(async () => {
    const jobs = await Promise.all(held.map((j) => s.queue.getJob(j.id!)));
    return jobs.every((j) => j?.finishedOn) ? (jobs as Job[]) : null;
  }, 20 * bound, 'the held jobs finished by the second worker');
  // When each job was handed back: BullMQ's `stalled` event, from the check that found its lock gone.
  const stream = await s.redis.xrange(key('events'), '-', '+');
  const handedBackAt = new Map(stream.flatMap(([id, f]) => (f[1] === 'stalled' ? [[f[3]!, Number(id.split('-')[0])]] : [])));
  const jobs = await Promise.all(done.map(async (j) => ({ id: j.id!, state: await j.getState(), processedAfter: j.processedOn! - killedAt })));
  const counts = await Promise.all(
    products.map(async (p) => ({ expected: recorded.get(p) ?? 0, counted: Number(await s.redis.hget(s.keys.productStats(p), 'VIEW')) })),
  );
  await second.kill('SIGTERM');
  return {
    bound,
    handedBack: done.map((j) => {
      const at = handedBackAt.get(j.id!);
      return at === undefined ? undefined : at - killedAt;
    }),
    jobs,
    appliedAfter: Math.max(...done.map((j) => j.finishedOn!)) - killedAt,
    counts,
  };
}
