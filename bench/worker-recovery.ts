// npm run bench:worker-recovery [-- --runs 5 --lock 4000 --check 1000]
// How long a killed worker's jobs take to come back, against the bound the README states (WORKER_LOCK_MS +
// WORKER_STALLED_CHECK_MS, src/workers/recovery.ts). Each run is test/worker-recovery.test.ts's scenario
// (test/support/worker-kill.ts) on a deployment of its own: a worker holding 12 jobs (its Postgres hangs
// mid-batch) is SIGKILLed midway between two lock renewals, soon after a stalled check; a second worker applies
// the jobs once the stalled check hands them back. The test checks that they come back and are applied once; this
// prints how long it took. Short settings by default so that a run takes seconds; `--lock 25000 --check 5000` are
// the platform's defaults.
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { applyEventsJob } from '../src/jobs/apply-events';
import { RedisKeys } from '../src/store/keys';
import { createRedis } from '../src/store/redis';
import { TcpProxy } from '../test/support/tcp-proxy';
import { killWorkerMidBatch } from '../test/support/worker-kill';
import { createDeployment, describeMachine, runBench } from './support';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    lock: { type: 'string', default: '4000' },
    check: { type: 'string', default: '1000' },
  },
});
const RUNS = Number(args.runs);
const recovery = { lockMs: Number(args.lock), checkMs: Number(args.check) };
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`;

async function main() {
  const rows: string[] = [];
  let within = 0;
  for (let run = 1; run <= RUNS; run++) {
    const deployment = await createDeployment('recovery');
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-bench-recovery');
    const keys = new RedisKeys(deployment.redisPrefix, redis.options.db ?? 0);
    const queue = new Queue(applyEventsJob.queue, { connection: redis, prefix: keys.bullPrefix });
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(deployment.databaseUrl).port || 5432));
    try {
      await proxy.start();
      // The API only records and relays; every job goes to the workers the scenario starts.
      await deployment.start('api');
      const admin = await deployment.token('admin');
      const service = await deployment.token('service');
      const products = Array.from({ length: 4 }, (_, i) => `rec-${i}`);
      await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products.map((id) => ({ id, name: id, category: 'c', price: 5, stock: 1000 })) }, admin);
      const outcome = await killWorkerMidBatch(
        {
          redis,
          keys,
          queue,
          workerEnv: { DATABASE_URL: deployment.databaseUrl },
          proxy,
          startWorker: (env) => deployment.start('worker', env),
          async record(events) {
            const d = await deployment.gql(RECORD, { e: events }, service);
            if (d.recordEvents.accepted !== events.length) throw new Error(`recordEvents accepted ${d.recordEvents.accepted} of ${events.length}`);
          },
        },
        recovery,
        products,
        `rec-${deployment.run}`,
      );
      const back = outcome.handedBack.filter((t): t is number => t !== undefined);
      const latest = back.length ? Math.max(...back) : NaN;
      const once = outcome.counts.every((c) => c.counted === c.expected) && outcome.jobs.every((j) => j.state === 'completed');
      if (back.length === outcome.jobs.length && latest <= outcome.bound) within++;
      rows.push(
        `| ${run} | ${outcome.bound} | ${back.length} of ${outcome.jobs.length} | ${back.length ? Math.min(...back) : '—'} – ${latest} | ${outcome.appliedAfter} | ${once ? 'yes' : 'NO'} |`,
      );
      console.log(rows.at(-1));
    } finally {
      await deployment.teardown();
      await queue.close();
      await proxy.stop();
      redis.disconnect();
    }
  }
  console.log(`\nbench:worker-recovery — ${RUNS} runs, WORKER_LOCK_MS ${recovery.lockMs}, WORKER_STALLED_CHECK_MS ${recovery.checkMs}; 12 jobs of 5 events held by the killed worker`);
  console.log(`machine: ${await describeMachine()}\n`);
  console.log('| run | bound ms | jobs handed back by the stalled check | handed back, ms after the kill | all applied, ms after the kill | each event applied once |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nWithin the bound in ${within} of ${RUNS} runs (times on Redis's clock, from the kill to BullMQ's \`stalled\` event).`);
}

runBench(main);
