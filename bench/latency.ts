// npm run bench:latency [-- --users 500 --seconds 10 --rates 100,1000 --warmup 300x10 --apis 1 --split --dump PREFIX]
// The flywheel's loop, end to end: the time from `recordEvent` returning to the `recommendationsUpdated` push
// that reflects the event arriving at a graphql-ws subscriber. API (ROLE=api) and worker (ROLE=worker) run as
// separate processes; events are sent open-loop (on a fixed schedule, whether or not earlier ones returned).
//
// How a push is recognised as reflecting an event, reliably: the catalog comes in pairs (2k, 2k+1) that
// warm-up shoppers view together, so each even product has its partner as a neighbour and nothing else does.
// Measured users view only even products, each at most once. A list names a product in a reason ("Viewed
// together with <name>") only when that product is among the user's recent items in the feature store, i.e.
// once the worker has applied the event — the partner's only route into the list. So the first push whose
// reasons name the viewed product is the one that reflects the event; earlier pushes (other events of the same
// user) cannot, and exclusion of the viewed product alone would not do (Postgres excludes it at commit).
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/simulator/shoppers';
import { RedisKeys } from '../src/store/keys';
import { createRedis } from '../src/store/redis';
import { cpuMeter, createDeployment, describeMachine, latencyColumns, runBench, sleep } from './support';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    rates: { type: 'string', default: '100,1000' },
    // RATExSECONDS of traffic through the whole loop before the measured rates, not reported: a running platform
    // has its hot code compiled (a fresh API and worker spend their first thousands of events in V8's compiler,
    // which the first measured rate would otherwise pay for). 0 for none.
    warmup: { type: 'string', default: '300x10' },
    'warm-users': { type: 'string', default: '4' },
    // API processes (shoppers' connections and recordEvent calls spread over them round-robin, as a load
    // balancer would): the platform scales out by adding them.
    apis: { type: 'string', default: '1' },
    // Also listen to the workers' announcements on Redis pub/sub, to split the delay (costs the bench and Redis
    // a copy of every announcement, so off by default).
    split: { type: 'boolean', default: false },
    // Write each measured rate's per-event timings to PREFIX-RATE.json, to see how the tail is made (see dumpTimings).
    dump: { type: 'string' },
  },
});
const USERS = Number(args.users);
const SECONDS = Number(args.seconds);
const RATES = args.rates!.split(',').map(Number);
const [WARMUP_RATE, WARMUP_SECONDS] = args.warmup === '0' ? [0, 0] : args.warmup!.split('x').map(Number) as [number, number];
const APIS = Number(args.apis);
const PAIRS = 500;
const WARM_USERS_PER_PAIR = Number(args['warm-users']);
/** How long after the last response a missing push counts as missed. */
const GRACE_MS = 5000;

const RECORD_EVENT = `mutation($e: EventInput!) { recordEvent(event: $e) { accepted } }`;
const RECOMMENDATIONS_UPDATED = `subscription($u: ID!) { recommendationsUpdated(userId: $u) { id model items { product { id name price } score reason } } }`;

const productId = (i: number) => `lp-${String(i).padStart(4, '0')}`;
const productName = (i: number) => `Product ${String(i).padStart(4, '0')}`;

interface Sent {
  user: number;
  /** The reason that shows the event was applied. */
  reason: string;
  scheduledAt: number;
  sentAt: number;
  respondedAt?: number;
  /** The first "user changed" message on Redis pub/sub for this user after the response (diagnostic, see below). */
  publishedAt?: number;
  pushedAt?: number;
}

async function main() {
  const deployment = await createDeployment('latency');
  try {
    const apis = [];
    for (let i = 0; i < APIS; i++) apis.push(await deployment.start('api'));
    const worker = await deployment.start('worker');
    const cpu = await cpuMeter(deployment.databaseUrl, { ...Object.fromEntries(apis.map((a, i) => [APIS > 1 ? `API ${i + 1}` : 'API', a])), worker });
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    const rand = seededRandom(7);

    const catalog = Array.from({ length: PAIRS * 2 }, (_, i) => ({
      id: productId(i),
      name: productName(i),
      category: `cat-${Math.floor(i / 2) % 20}`,
      price: 10 + (i % 50),
      stock: 1_000_000,
    }));
    await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: catalog }, admin);

    // Warm-up: each pair viewed together by a few shoppers who view nothing else.
    const warm = Array.from({ length: PAIRS }, (_, k) =>
      Array.from({ length: WARM_USERS_PER_PAIR }, (_, w) =>
        [2 * k, 2 * k + 1].map((p) => ({ id: `warm-${deployment.run}-${k}-${w}-${p}`, type: 'VIEW', userId: `warm-${k}-${w}`, sessionId: `warm-${k}-${w}`, productId: productId(p) })),
      ).flat(),
    ).flat();
    for (let i = 0; i < warm.length; i += 1000) {
      await deployment.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: warm.slice(i, i + 1000) }, service);
    }
    let unready = Array.from({ length: PAIRS }, (_, k) => 2 * k);
    for (let attempt = 0; unready.length; attempt++) {
      if (attempt > 100) throw new Error(`warm-up not applied for ${unready.length} products`);
      const checks = await Promise.all(
        unready.map(async (p) => {
          const d = await deployment.gql(`query($p: ID!) { similarProducts(productId: $p, limit: 1) { product { id } } }`, { p: productId(p) }, service);
          return d.similarProducts[0]?.product.id === productId(p + 1);
        }),
      );
      unready = unready.filter((_, i) => !checks[i]);
      if (unready.length) await sleep(200);
    }
    console.log(`warm-up: ${warm.length} events, ${PAIRS} product pairs`);

    // One graphql-ws connection per shopper, as browsers would have, with the shopper's own token.
    const pending: Sent[][] = Array.from({ length: USERS }, () => []);
    let pushes = 0;
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const client = deployment.ws(await deployment.token('shopper', `lat-${u}`), u);
        await new Promise<void>((resolve, reject) => {
          client.subscribe<any>({ query: RECOMMENDATIONS_UPDATED, variables: { u: `lat-${u}` } }, {
            next: (r) => {
              const at = performance.now();
              pushes++;
              resolve();
              if (!r.data) return reject(new Error(JSON.stringify(r.errors)));
              const reasons = new Set<string>(r.data.recommendationsUpdated.items.map((i: any) => i.reason));
              pending[u] = pending[u]!.filter((s) => {
                if (!reasons.has(s.reason)) return true;
                s.pushedAt = at;
                return false;
              });
            },
            error: reject,
            complete: () => undefined,
          });
        });
      }),
    );
    console.log(`subscribed: ${USERS} shoppers, one graphql-ws connection each`);

    // Diagnostic split of the delay (--split): the bench also listens to the workers' announcements on Redis
    // pub/sub. The first one for the user after the response marks "worker applied the event" (approximately: it
    // could be an earlier event's, when one user's events come faster than the loop turns).
    const tap = args.split ? createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-bench-tap') : undefined;
    const channelPrefix = new RedisKeys(deployment.redisPrefix, tap?.options.db ?? 0).channel('user:lat-');
    await tap?.psubscribe(`${channelPrefix}*`);
    tap?.on('pmessage', (_pattern: string, channel: string) => {
      const at = performance.now();
      for (const s of pending[Number(channel.slice(channelPrefix.length))] ?? []) {
        if (s.respondedAt !== undefined && s.publishedAt === undefined) s.publishedAt = at;
      }
    });

    // Each user views even products in an order of its own, each once.
    const orders = Array.from({ length: USERS }, () => shuffle(Array.from({ length: PAIRS }, (_, k) => 2 * k), rand));
    const rows: string[] = [];
    const phases = [...(WARMUP_RATE ? [{ rate: WARMUP_RATE, seconds: WARMUP_SECONDS, warmup: true }] : []), ...RATES.map((rate) => ({ rate, seconds: SECONDS, warmup: false }))];
    for (const { rate, seconds, warmup } of phases) {
      const total = Math.round(rate * seconds);
      const sent: Sent[] = [];
      const requests: Promise<void>[] = [];
      const pushesBefore = pushes;
      const cpuSince = await cpu.start();
      const loopDelay = monitorEventLoopDelay({ resolution: 1 });
      loopDelay.enable();
      const interval = 1000 / rate;
      const t0 = performance.now() + 50;
      for (let i = 0; i < total; ) {
        const now = performance.now();
        for (; i < total && t0 + i * interval <= now; i++) {
          const u = Math.floor(rand() * USERS);
          const p = orders[u]!.pop();
          if (p === undefined) throw new Error(`user ${u} has viewed every product: use more --users`);
          const s: Sent = { user: u, reason: `Viewed together with ${productName(p)}`, scheduledAt: t0 + i * interval, sentAt: now };
          sent.push(s);
          pending[u]!.push(s);
          const event = { id: `lat-${deployment.run}-${warmup ? "w" : ""}${rate}-${i}`, type: 'VIEW', userId: `lat-${u}`, sessionId: `lat-${deployment.run}-${u}`, productId: productId(p) };
          requests.push(
            deployment.post(JSON.stringify({ query: RECORD_EVENT, variables: { e: event } }), service, i).then((res) => {
              s.respondedAt = performance.now();
              if (res.data?.recordEvent?.accepted !== 1) throw new Error(`recordEvent failed: ${JSON.stringify(res.errors ?? res.data)}`);
            }),
          );
        }
        await sleep(Math.max(0, t0 + i * interval - performance.now()));
      }
      await Promise.all(requests);
      const sendSeconds = (Math.max(...sent.map((s) => s.respondedAt!)) - t0) / 1000;
      const deadline = performance.now() + GRACE_MS;
      while (sent.some((s) => s.pushedAt === undefined) && performance.now() < deadline) await sleep(20);
      // CPU per event of each part (ms), over the sending and the tail: where the machine's two cores go.
      const cpuPerEvent = await cpuSince(total);
      loopDelay.disable();

      const measured = sent.filter((s) => s.pushedAt !== undefined);
      // A push can in principle beat the HTTP response to the client; such an event counts as 0 ms.
      const delays = measured.map((s) => Math.max(0, s.pushedAt! - s.respondedAt!));
      const early = measured.filter((s) => s.pushedAt! < s.respondedAt!).length;
      if (args.dump && !warmup) dumpTimings(`${args.dump}-${rate}.json`, sent, t0);
      const [p50, p95, p99, max] = latencyColumns(delays);
      const [r50, , r99] = latencyColumns(sent.map((s) => s.respondedAt! - s.sentAt));
      const lag = latencyColumns(sent.map((s) => s.sentAt - s.scheduledAt))[2];
      const split = (from: (s: Sent) => number | undefined, to: (s: Sent) => number | undefined) => {
        const [a, , c] = latencyColumns(measured.flatMap((s) => (from(s) !== undefined && to(s) !== undefined ? [Math.max(0, to(s)! - from(s)!)] : [])));
        return `p50 ${a}, p99 ${c}`;
      };
      if (warmup) {
        console.log(`warm-up: ${total} events at ${rate}/s (not reported): push delay p50 ${p50}, p99 ${p99} ms, ${measured.length} measured; CPU ms per event: ${cpuPerEvent}`);
        for (const list of pending) list.length = 0;
        await sleep(2000);
        continue;
      }
      rows.push(
        `| ${rate} | ${(total / sendSeconds).toFixed(0)} | ${p50} | ${p95} | ${p99} | ${max} | ${total} | ${measured.length} | ${total - measured.length} | ${r50} / ${r99} | ${pushes - pushesBefore} |`,
      );
      console.log(rows.at(-1));
      const splits = tap
        ? `; response → worker's announcement ${split((s) => s.respondedAt, (s) => s.publishedAt)} ms; announcement → push ${split((s) => s.publishedAt, (s) => s.pushedAt)} ms`
        : '';
      // The bench's own event loop: a push that arrives while it is busy is timed late by that much.
      const benchLoop = `bench event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} (max ${(loopDelay.max / 1e6).toFixed(1)}) ms`;
      console.log(`  pacing lag p99 ${lag} ms; ${benchLoop}; pushes before the response: ${early}${splits}\n  ${tailBursts(measured)}\n  CPU ms per event: ${cpuPerEvent}`);
      for (const list of pending) list.length = 0;
      await sleep(2000);
    }

    console.log(`\nbench:latency — ${USERS} subscribed shoppers (graphql-ws), VIEW events through recordEvent (service token), ${SECONDS} s per rate, open loop; ${APIS} API process${APIS > 1 ? 'es' : ''} and a worker, each a process of its own`);
    console.log(`machine: ${await describeMachine()}\n`);
    console.log('| target events/s | achieved events/s | push delay p50 ms | p95 ms | p99 ms | max ms | sent | measured | missed | recordEvent response p50 / p99 ms | pushes |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('\nPush delay: from recordEvent\'s HTTP response to the first recommendationsUpdated push whose reasons name the viewed product.');
    await tap?.quit();
    await cpu.close();
  } finally {
    await deployment.teardown();
  }
}

/**
 * How the tail is made: the slowest 1 % of events, grouped into bursts (responses less than 50 ms apart). A few
 * large bursts (one stall delaying every event in flight) make a p99 that varies from run to run far more than
 * the same number of events delayed one by one would.
 */
function tailBursts(measured: Sent[]): string {
  const delay = (s: Sent) => s.pushedAt! - s.respondedAt!;
  const slow = [...measured].sort((a, b) => delay(b) - delay(a)).slice(0, Math.ceil(measured.length / 100));
  slow.sort((a, b) => a.respondedAt! - b.respondedAt!);
  const sizes: number[] = [];
  slow.forEach((s, i) => {
    if (i > 0 && s.respondedAt! - slow[i - 1]!.respondedAt! < 50) sizes[sizes.length - 1]!++;
    else sizes.push(1);
  });
  sizes.sort((a, b) => b - a);
  return `slowest 1 %: ${slow.length} events in ${sizes.length} bursts (responses < 50 ms apart), the largest ${sizes.slice(0, 3).join(', ')}`;
}

/**
 * Per-event timings, for looking at the tail offline: `t0` is the rate's start as a Unix time in ms (to line
 * events up with other processes' logs), and each event is [user, scheduled, responded, announced, pushed] in
 * ms after t0 (announced with --split only; null where unknown).
 */
function dumpTimings(path: string, sent: Sent[], t0: number): void {
  const at = (t: number | undefined) => (t === undefined ? null : Math.round((t - t0) * 100) / 100);
  const events = sent.map((s) => [s.user, at(s.scheduledAt), at(s.respondedAt), at(s.publishedAt), at(s.pushedAt)]);
  writeFileSync(path, JSON.stringify({ t0: performance.timeOrigin + t0, events }));
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

runBench(main);
