// npm run soak [-- --minutes 30 --rate 500 --subscribers 1000 --train-every 5 --max-growth 1]
// A deployment kept under realistic load for a long time, to find what only time shows: memory that keeps
// growing, backlogs that build up, a real-time path that stalls. API (ROLE=api) and worker (ROLE=worker) run as
// separate processes on a database and Redis prefix of their own; the simulator's shoppers send their events
// through recordEvents, graphql-ws subscribers watch, and a training is requested every few minutes. One table
// row a minute; at the end a verdict (exit code 1 with the reasons when the soak failed). See BENCHMARKS.md.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createRedis } from '../src/store/redis';
import { mainIsolate, metric, postgresMb, redisFootprint, rssMb, scrape, TRACE_FULL_GC, watchFullGcs, type FullGc, type RedisFootprint, type Sample } from './soak-readings';
import { attachSubscribers, seedShop, shopTraffic } from './soak-traffic';
import { createDeployment, describeMachine, sleep } from './support';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '500' },
    subscribers: { type: 'string', default: '1000' },
    // Minutes between training requests (retrainModel); 0 for none.
    'train-every': { type: 'string', default: '5' },
    users: { type: 'string', default: '1000' },
    products: { type: 'string', default: '200' },
    campaigns: { type: 'string', default: '2' },
    // Fail when a platform process's memory (its live heap, or what it holds outside V8's heap) grows by more than
    // this many MB a minute after warm-up.
    'max-growth': { type: 'string', default: '1' },
    // Fail when the backlog (outbox + queued jobs) of the last third exceeds the middle third's by this many and by half.
    'max-backlog': { type: 'string', default: '100' },
    // How long, after the traffic stops, every accepted event may take to be applied.
    'drain-seconds': { type: 'string', default: '60' },
    seed: { type: 'string', default: '7' },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const SUBSCRIBERS = Number(args.subscribers);
const TRAIN_EVERY = Number(args['train-every']);
const MAX_GROWTH = Number(args['max-growth']);
const MAX_BACKLOG = Number(args['max-backlog']);
const DRAIN_SECONDS = Number(args['drain-seconds']);
for (const [name, v] of Object.entries({ minutes: MINUTES, rate: RATE, subscribers: SUBSCRIBERS, 'train-every': TRAIN_EVERY, 'max-growth': MAX_GROWTH, users: Number(args.users) })) {
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} must be a number ≥ 0`);
    process.exit(2);
  }
}
/** Resident memory is read this often (cheap, from /proc) for the verdict; the table shows one reading a minute. */
const RSS_SAMPLE_MS = 10_000;
/** How long after a training ends the worker's RSS still holds its thread's memory (seen: 30–45 s). */
const TRAINING_SETTLE_MS = 60_000;
const METRICS_TOKEN = 'soak-metrics-token-0123456789';

/** Memory of the three processes at one moment, minutes after the traffic started. */
interface MemorySample {
  t: number;
  /** Date.now() of the reading, to place it against trainings (their times come from the API). */
  at: number;
  api: number;
  worker: number;
  bench: number;
}

/** What the verdict needs of each minute, besides its printed row. */
interface Minute {
  t: number;
  /** Date.now() of the readings. */
  at: number;
  /** Resident memory outside V8's heap, per process (MB): RSS less the heap V8 has committed, read in one scrape. */
  outsideApi: number;
  outsideWorker: number;
  backlog: number;
  /** The last full collection of the minute, per process (undefined: none in the minute). */
  gcApi?: FullGc;
  gcWorker?: FullGc;
  redis: RedisFootprint;
  postgres: number;
}

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Growth per minute after warm-up: the mean of the last third of the run minus the mean of the middle third,
 * divided by the time between their middles (a third of the run). The first third is warm-up (V8 growing its heap
 * to a working size, pools filling, caches warming) and left out. NaN when a third has no reading.
 */
function growthPerMinute<T extends { t: number }>(samples: T[], value: (s: T) => number, minutes: number): { middle: number; last: number; perMinute: number } {
  const middle = samples.filter((s) => s.t > minutes / 3 && s.t <= (2 * minutes) / 3).map(value).filter(Number.isFinite);
  const last = samples.filter((s) => s.t > (2 * minutes) / 3).map(value).filter(Number.isFinite);
  if (!middle.length || !last.length) return { middle: NaN, last: NaN, perMinute: NaN };
  return { middle: mean(middle), last: mean(last), perMinute: (mean(last) - mean(middle)) / (minutes / 3) };
}

async function main(): Promise<boolean> {
  const machine = await describeMachine();
  const settings =
    `${MINUTES} min at ${RATE} events/s, ${SUBSCRIBERS} graphql-ws subscribers, training every ${TRAIN_EVERY || '∞'} min, ` +
    `${args.users} shoppers, ${args.products} products, ${args.campaigns} campaigns; fail above ${MAX_GROWTH} MB/min of memory growth after warm-up`;
  console.log(`soak — ${settings}\nmachine: ${machine}`);
  const deployment = await createDeployment('soak', { METRICS_TOKEN });
  const db = new pg.Client({ connectionString: deployment.databaseUrl });
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-bench-soak');
  const started = performance.now();
  try {
    await db.connect();
    // Each process reports its full collections (TRACE_FULL_GC): the live heap after them is judged.
    const api = await deployment.start('api', {}, TRACE_FULL_GC);
    const worker = await deployment.start('worker', {}, TRACE_FULL_GC);
    let t0 = NaN;
    const gcs: Array<FullGc & { t: number; role: 'api' | 'worker' }> = [];
    for (const [role, p] of [['api', api], ['worker', worker]] as const) {
      watchFullGcs(p.child.stdout!, (gc) => gcs.push({ ...gc, role, t: Number.isFinite(t0) ? (performance.now() - t0) / 60_000 : 0 }));
    }
    /** The main thread's collections of a process (not its module loader's or its training threads'). */
    const mainGcs = (role: 'api' | 'worker') => {
      const mine = gcs.filter((g) => g.role === role);
      const isolate = mainIsolate(mine);
      return mine.filter((g) => g.isolate === isolate);
    };
    const lastGc = (role: 'api' | 'worker', since: number) => mainGcs(role).filter((g) => g.t > since).at(-1);
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    const { catalog, campaignIds } = await seedShop(deployment, admin, Number(args.products), Number(args.campaigns));
    const subscribers = await attachSubscribers(deployment, { total: SUBSCRIBERS, campaignIds, categories: [...new Set(catalog.map((p) => p.category))], admin });
    console.log(`setup: ${catalog.length} products, ${campaignIds.length} campaigns, ${SUBSCRIBERS} subscribers attached (${subscribers.shoppers} shoppers), ${((performance.now() - started) / 1000).toFixed(0)} s`);

    // Ctrl-C ends the run early, without a verdict (the terminal sends the signal to the platform processes too,
    // which stop), but with the teardown: the deployment's database and Redis keys are not left behind.
    let interrupted = false;
    process.once('SIGINT', () => {
      console.log('SIGINT: ending the soak, no verdict');
      interrupted = true;
    });
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    const memory: MemorySample[] = [];
    const minutes: Minute[] = [];
    const rows: string[] = [];
    const trainings: Array<{ id: string; requestedAt: number; status: string; seconds?: number; error?: string; startedAt?: number; finishedAt?: number }> = [];
    let previous = { sent: 0, applied: 0, pushes: { recommendations: 0, kpis: 0, alerts: 0 } };

    const traffic = shopTraffic(deployment, { rate: RATE, users: Math.max(Number(args.users), subscribers.shoppers), seed: Number(args.seed), catalog, campaignIds, service, admin });
    /**
     * One row of the table: the minute's counts, taken at the minute mark, then the readings of the state (which
     * take a second or two, more when a process is slow to answer its /metrics). `then` runs between the two.
     */
    const row = async (t: number, then?: () => Promise<void>): Promise<string> => {
      const sent = traffic.counters.sent;
      const p = { ...subscribers.pushes };
      const rss = { t, at: Date.now(), api: rssMb(api.child.pid), worker: rssMb(worker.child.pid), bench: rssMb(process.pid) };
      const benchDelay = benchLoop.percentile(99) / 1e6;
      benchLoop.reset();
      await then?.();
      const readingsStart = performance.now();
      const [apiMetrics, workerMetrics] = await Promise.all([scrape(api.port, METRICS_TOKEN), scrape(worker.port, METRICS_TOKEN)]);
      const [postgres, footprint] = await Promise.all([postgresMb(db), redisFootprint(redis, deployment.redisPrefix)]);
      for (const run of trainings.filter((r) => r.status === 'QUEUED' || r.status === 'RUNNING')) {
        const { trainingRun } = await deployment.gql(`query($id: ID!) { trainingRun(id: $id) { status startedAt finishedAt error } }`, { id: run.id }, admin);
        run.status = trainingRun.status;
        run.error = trainingRun.error ?? undefined;
        if (trainingRun.startedAt) run.startedAt = Date.parse(trainingRun.startedAt);
        if (trainingRun.finishedAt) run.finishedAt = Date.parse(trainingRun.finishedAt);
        if (run.finishedAt && run.startedAt) run.seconds = (run.finishedAt - run.startedAt) / 1000;
      }
      const inQueues = (s: Sample[]) => metric(s, 'queue_jobs', (l) => ['wait', 'active', 'delayed'].includes(l.state!));
      const backlog = metric(apiMetrics, 'outbox_pending') + inQueues(apiMetrics);
      const applied = metric(workerMetrics, 'events_applied_total');
      const readingSeconds = (performance.now() - readingsStart) / 1000;
      if (readingSeconds > 10) console.log(`(the readings of minute ${t} took ${readingSeconds.toFixed(0)} s)`);
      const ms = (s: Sample[]) => metric(s, 'nodejs_eventloop_lag_p99_seconds') * 1000;
      // prom-client reads both at the scrape, so they describe the same moment (the RSS of /proc above does not).
      const outside = (s: Sample[]) => (metric(s, 'process_resident_memory_bytes') - metric(s, 'nodejs_heap_size_total_bytes')) / 2 ** 20;
      memory.push(rss);
      minutes.push({
        t,
        at: Date.now(),
        outsideApi: outside(apiMetrics),
        outsideWorker: outside(workerMetrics),
        backlog,
        gcApi: lastGc('api', t - 1),
        gcWorker: lastGc('worker', t - 1),
        redis: footprint,
        postgres,
      });
      const gcCell = (gc?: FullGc) => (gc ? `${fmt(gc.live)} (${fmt(gc.committed)})` : '–');
      const cells = [
        t,
        sent - previous.sent,
        fmt(applied - previous.applied),
        `${fmt(rss.api)} / ${fmt(rss.worker)} / ${fmt(rss.bench)}`,
        `${gcCell(minutes.at(-1)!.gcApi)} / ${gcCell(minutes.at(-1)!.gcWorker)}`,
        `${fmt(minutes.at(-1)!.outsideApi)} / ${fmt(minutes.at(-1)!.outsideWorker)}`,
        `${fmt(ms(apiMetrics), 1)} / ${fmt(ms(workerMetrics), 1)} / ${fmt(benchDelay, 1)}`,
        fmt(postgres, 1),
        `${fmt(footprint.serverMb, 1)} / ${fmt(footprint.mb, 1)} (${footprint.keys})`,
        `${fmt(metric(apiMetrics, 'outbox_pending'))} / ${fmt(inQueues(apiMetrics))}`,
        fmt(metric(apiMetrics, 'queue_jobs', (l) => l.state === 'failed')),
        `${p.recommendations - previous.pushes.recommendations} / ${p.kpis - previous.pushes.kpis} / ${p.alerts - previous.pushes.alerts}`,
        `${trainings.filter((r) => r.status === 'SUCCEEDED').length} / ${trainings.length}`,
      ];
      previous = { sent, applied: Number.isFinite(applied) ? applied : previous.applied, pushes: p };
      return `| ${cells.join(' | ')} |`;
    };

    const header =
      '| min | events sent | applied | RSS MB API / worker / bench | heap after full GC MB, live (committed), API / worker | outside the heap MB API / worker | event-loop delay p99 ms API / worker / bench | Postgres MB | ' +
      'Redis MB server / deployment (keys) | outbox / queued jobs | failed jobs | pushes lists / KPIs / alerts | trainings done / requested |';
    const separator = `|${'---|'.repeat(13)}`;
    console.log(`\n${header}\n${separator}`);
    rows.push(await row(0));
    console.log(rows.at(-1));

    traffic.start();
    t0 = performance.now();
    const sampler = setInterval(() => {
      memory.push({ t: (performance.now() - t0) / 60_000, at: Date.now(), api: rssMb(api.child.pid), worker: rssMb(worker.child.pid), bench: rssMb(process.pid) });
    }, RSS_SAMPLE_MS);
    for (let m = 1; m <= MINUTES && !interrupted; m++) {
      const at = t0 + m * 60_000;
      while (performance.now() < at && !interrupted) await sleep(Math.min(1000, at - performance.now()));
      if (interrupted) break;
      // The last row is read once the traffic stopped (its counts were taken at the mark).
      const last = m === MINUTES;
      rows.push(await row(m, last ? () => traffic.stop() : undefined));
      console.log(rows.at(-1));
      if (!last && TRAIN_EVERY && m % TRAIN_EVERY === 0) {
        const { retrainModel } = await deployment.gql(`mutation { retrainModel { id status } }`, {}, admin);
        trainings.push({ id: retrainModel.id, requestedAt: m, status: retrainModel.status });
      }
    }
    clearInterval(sampler);
    await traffic.stop();
    if (interrupted) return false;

    // Every accepted event applied once the traffic stops, within the drain time.
    const drainStart = performance.now();
    let recorded = NaN;
    let applied = NaN;
    while (performance.now() - drainStart < DRAIN_SECONDS * 1000) {
      recorded = metric(await scrape(api.port, METRICS_TOKEN), 'events_recorded_total', (l) => l.outcome === 'accepted');
      applied = metric(await scrape(worker.port, METRICS_TOKEN), 'events_applied_total');
      if (applied >= recorded) break;
      await sleep(1000);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const c = traffic.counters;

    console.log(`\nsoak — ${settings}\nmachine: ${machine}\n\n${header}\n${separator}\n${rows.join('\n')}\n`);
    console.log(
      `events: ${c.sent} sent (${(c.sent / (MINUTES * 60)).toFixed(0)}/s), ${c.accepted} accepted, ${c.duplicates} duplicates, ${c.failed} failed` +
        `${c.firstFailure ? ` (first: ${c.firstFailure})` : ''}, ${c.retries} calls retried${c.firstRetry ? ` (first: ${c.firstRetry})` : ''}; ${fmt(applied)} of ${fmt(recorded)} recorded applied ${drainSeconds.toFixed(1)} s after the traffic stopped`,
    );
    console.log(`storefront: ${c.recommendationQueries} recommendation lists shown, ${c.restocked} products restocked`);
    const p = subscribers.pushes;
    console.log(`pushes: ${p.recommendations} lists, ${p.kpis} KPIs, ${p.alerts} stock alerts; ${subscribers.dropped} subscriptions dropped${subscribers.firstDrop ? ` (first: ${subscribers.firstDrop})` : ''}`);
    for (const r of trainings) console.log(`training requested at minute ${r.requestedAt}: ${r.status}${r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)} s` : ''}${r.error ? ` (${r.error})` : ''}`);

    // The verdict. Postgres grows with the events it keeps, and Redis holds what its retention windows keep
    // (completed jobs an hour, job markers 7 days, sessions a day), so both are reported, not judged.
    const failures: string[] = [];
    // Backlogs are read once a minute: a verdict needs a reading in each third.
    if (MINUTES < 3) failures.push(`too short for a verdict: ${MINUTES} min (at least 3, one reading per third; 30 to leave warm-up behind)`);
    const judge = (what: string, g: { perMinute: number }) => {
      if (Number.isFinite(g.perMinute) && g.perMinute > MAX_GROWTH) failures.push(`${what} grows ${fmt(g.perMinute, 2)} MB/min after warm-up (limit ${MAX_GROWTH})`);
    };
    // A process's memory is judged in the two parts a leak grows, whatever V8's heap sizing does:
    // - its live heap, what is still reachable after each full collection (a leak in JavaScript);
    // - what it holds outside V8's heap, RSS less V8's committed heap read in one scrape (buffers, sockets, compiled
    //   code, the allocator: a leak in native memory).
    // Its RSS is their sum plus the heap V8 has committed beyond the live objects, which V8 sizes from the live heap
    // and the allocation rate (a few times the live heap at most) and gives back after collections: at 500 events/s
    // the API's RSS breathes between ≈ 330 and 600 MB with the moment of the reading, and the mean of a third
    // depends on where in that breath its readings fall. So RSS and committed heap are reported (with their range in
    // each third), not judged.
    // A training runs in a thread of the worker, whose heap (outside the main thread's) grows with the data
    // (bench:training-scale measures it) and is given back after it: the worker's memory outside the heap is judged
    // on the minutes outside trainings (from a training's start to TRAINING_SETTLE_MS after its end).
    const inTraining = (at: number) => trainings.some((r) => r.startedAt !== undefined && at >= r.startedAt && at <= (r.finishedAt ?? Infinity) + TRAINING_SETTLE_MS);
    const range = (xs: MemorySample[], name: 'api' | 'worker' | 'bench', from: number, to: number) => {
      const v = xs.filter((s) => s.t > from && s.t <= to).map((s) => s[name]).filter(Number.isFinite);
      return v.length ? `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}` : 'n/a';
    };
    for (const name of ['api', 'worker', 'bench'] as const) {
      const g = growthPerMinute(memory, (s) => s[name], MINUTES);
      console.log(
        `RSS ${name} (reported): middle third ${fmt(g.middle)} MB (${range(memory, name, MINUTES / 3, (2 * MINUTES) / 3)}), ` +
          `last third ${fmt(g.last)} MB (${range(memory, name, (2 * MINUTES) / 3, MINUTES)}): ${fmt(g.perMinute, 2)} MB/min`,
      );
    }
    const outsideApi = growthPerMinute(minutes, (m) => m.outsideApi, MINUTES);
    const between = minutes.filter((m) => !inTraining(m.at));
    const outsideWorker = growthPerMinute(between, (m) => m.outsideWorker, MINUTES);
    console.log(`outside the heap api: middle third ${fmt(outsideApi.middle, 1)} MB, last third ${fmt(outsideApi.last, 1)} MB: ${fmt(outsideApi.perMinute, 2)} MB/min`);
    console.log(
      `outside the heap worker, outside trainings (${between.length} of ${minutes.length} minutes): middle third ${fmt(outsideWorker.middle, 1)} MB, ` +
        `last third ${fmt(outsideWorker.last, 1)} MB: ${fmt(outsideWorker.perMinute, 2)} MB/min`,
    );
    judge('api memory outside the heap', outsideApi);
    judge('worker memory outside the heap (outside trainings)', outsideWorker);
    for (const role of ['api', 'worker'] as const) {
      const mine = mainGcs(role);
      const live = growthPerMinute(mine, (g) => g.live, MINUTES);
      const committed = growthPerMinute(mine, (g) => g.committed, MINUTES);
      const ratio = Math.max(...mine.filter((g) => g.t > MINUTES / 3).map((g) => g.committed / g.live));
      console.log(
        `heap after full GC ${role} (${mine.length} collections): live ${fmt(live.middle, 1)} → ${fmt(live.last, 1)} MB, ${fmt(live.perMinute, 2)} MB/min; ` +
          `committed ${fmt(committed.middle)} → ${fmt(committed.last)} MB, ${fmt(committed.perMinute, 2)} MB/min, at most ${fmt(ratio, 1)}× the live heap after warm-up (reported)`,
      );
      judge(`${role} live heap`, live);
    }
    const backlog = growthPerMinute(minutes, (m) => m.backlog, MINUTES);
    console.log(`backlog (outbox + queued jobs): middle third ${fmt(backlog.middle, 1)}, last third ${fmt(backlog.last, 1)}`);
    if (backlog.last > backlog.middle + MAX_BACKLOG && backlog.last > backlog.middle * 1.5) {
      failures.push(`backlog grows: ${fmt(backlog.middle, 1)} in the middle third, ${fmt(backlog.last, 1)} in the last`);
    }
    const pgGrowth = growthPerMinute(minutes, (m) => m.postgres, MINUTES);
    const first = minutes[0]!;
    const last = minutes.at(-1)!;
    console.log(`Postgres: ${fmt(first.postgres, 1)} → ${fmt(last.postgres, 1)} MB, ${fmt(pgGrowth.perMinute, 2)} MB/min after warm-up, ${fmt(((last.postgres - first.postgres) * 1000) / Math.max(1, c.accepted), 3)} MB per 1,000 events (expected: it keeps the events)`);
    console.log(`Redis (this deployment's keys): ${fmt(first.redis.mb, 1)} → ${fmt(last.redis.mb, 1)} MB; by family at the end:`);
    const families = [...last.redis.families].sort((a, b) => b[1].mb - a[1].mb);
    const afterWarmUp = minutes.find((m) => m.t > MINUTES / 3);
    for (const [family, f] of families.slice(0, 12)) {
      const before = afterWarmUp?.redis.families.get(family);
      console.log(`  ${family}: ${f.keys} keys, ${f.mb.toFixed(2)} MB${before ? ` (minute ${afterWarmUp!.t}: ${before.keys} keys, ${before.mb.toFixed(2)} MB)` : ''}`);
    }
    if (c.failed) failures.push(`${c.failed} events in failed recordEvents calls (first: ${c.firstFailure})`);
    if (subscribers.dropped) failures.push(`${subscribers.dropped} subscriptions dropped (first: ${subscribers.firstDrop})`);
    if (!(applied >= recorded)) failures.push(`${fmt(recorded - applied)} recorded events not applied ${DRAIN_SECONDS} s after the traffic stopped`);
    if (trainings.some((r) => r.status === 'FAILED')) failures.push('a training failed');
    console.log(failures.length ? `\nFAIL:\n${failures.map((f) => `- ${f}`).join('\n')}` : '\nPASS: live heaps and memory outside the heap level off after warm-up, backlogs stay bounded, every accepted event applied');
    console.log(`(${((performance.now() - started) / 60_000).toFixed(1)} min end to end before teardown)`);
    return failures.length === 0;
  } finally {
    await db.end().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await deployment.teardown();
  }
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
