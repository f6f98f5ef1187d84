// npm run bench:subscribers [-- --steps 2000,5000,10000,19800 --children 4 --campaigns 10 --users 200 --idle 10 --events 5]
//
// How many live subscribers one API process holds, and what a change costs it when they are many (issue 22).
// One `ROLE=api` process and one worker (NODE_ENV=production); the subscribers are raw graphql-ws sockets held by
// `--children` separate processes (bench/subscribers-client.ts), so that neither the bench nor the API shares its
// open-file limit with them. Half watch `campaignKpisUpdated` (round-robin over `--campaigns` campaigns, admin
// token), half `recommendationsUpdated` (round-robin over `--users` shoppers with some history, each with its own
// token). The ramp adds subscribers step by step up to the open-file limit the API inherits (`ulimit -n`, less a
// margin for its Postgres, Redis and listening sockets); at each step:
// - idle: `--idle` seconds with no event. Every push then is a push of an unchanged value (the rollup notice
//   every 5 s must not cause any); counted per kind, with the API's CPU.
// - fan-out: `--events` IMPRESSION events on the first campaign, 1 s apart; for each, the delay from the
//   mutation's response to the push that shows the new impressions, over every subscriber of that campaign
//   (p50/p99/max), the API's CPU per event, and its event-loop delay during the fan-outs (prom-client's p99 and
//   max, which cover the time since the previous scrape: scraped right before the first event).
// - the API's resident memory, from /proc.
// The pushes whose payload equals the subscriber's previous one are counted over the whole run (`dup`).
// The API's WebSocket limits per client (issue 19) are raised in its environment: all the shoppers' sockets come
// from one IP, which a deployment would refuse past WS_MAX_SOCKETS_IP (200).
// Prints figures only; results go to BENCHMARKS.md by hand. This machine is shared: run it twice before trusting a figure.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, createDeployment, describeMachine, latencyColumns, runBench, sleep } from './support';
import { metric, rssMb, scrape } from './soak-readings';
import type { ChildMessage, ChildReport, SubscriberKind, SubscriberSpec } from './subscribers-protocol';

const METRICS_TOKEN = 'subscribers-metrics-token-0123456789';
/** File descriptors the API keeps for other things than subscribers: Postgres and Redis connections, the listening
 * socket, the bench's HTTP pool, files. 19,800 of 20,000 held in the run. */
const FD_MARGIN = 200;
const UNLIMITED = '100000000';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000,5000,10000,19800' },
    children: { type: 'string', default: '4' },
    campaigns: { type: 'string', default: '10' },
    users: { type: 'string', default: '200' },
    idle: { type: 'string', default: '10' },
    events: { type: 'string', default: '5' },
  },
});

/** The soft open-file limit of this process (which the API inherits), from /proc (Linux). */
function openFileLimit(): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : Infinity;
}

/** A subscriber process and a way to wait for its next report of a kind. */
class Holder {
  readonly child: ChildProcess;
  private readonly waiting: Array<{ accept: (r: ChildReport) => boolean; resolve: (r: ChildReport) => void }> = [];

  constructor() {
    this.child = fork(fileURLToPath(new URL('./subscribers-client.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: ChildReport) => {
      const i = this.waiting.findIndex((w) => w.accept(r));
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(r);
    });
  }

  next<T extends ChildReport['type']>(type: T, accept: (r: Extract<ChildReport, { type: T }>) => boolean = () => true): Promise<Extract<ChildReport, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting.push({ accept: (r) => r.type === type && accept(r as Extract<ChildReport, { type: T }>), resolve: resolve as (r: ChildReport) => void });
    });
  }

  send(msg: ChildMessage): void {
    this.child.send(msg);
  }

  close(): void {
    if (this.child.connected) this.send({ type: 'close' });
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }
}

async function counts(holders: Holder[]) {
  const all = await Promise.all(holders.map((h) => {
    const r = h.next('counts');
    h.send({ type: 'counts' });
    return r;
  }));
  const sum = (f: (r: (typeof all)[number]) => number) => all.reduce((s, r) => s + f(r), 0);
  const by = (f: (r: (typeof all)[number]) => Record<SubscriberKind, number>) => ({ kpi: sum((r) => f(r).kpi), recs: sum((r) => f(r).recs) });
  return { pushes: by((r) => r.pushes), duplicates: by((r) => r.duplicates), open: sum((r) => r.open), closed: sum((r) => r.closed), errors: sum((r) => r.errors) };
}

async function main() {
  const fdLimit = openFileLimit();
  const cap = fdLimit - FD_MARGIN;
  const steps = [...new Set(opts.steps.split(',').map((s) => Math.min(Number(s), cap)))].filter((n) => n > 0);
  const children = Number(opts.children);
  const campaignCount = Number(opts.campaigns);
  const userCount = Number(opts.users);
  const idleSeconds = Number(opts.idle);
  const eventCount = Number(opts.events);
  console.log(`open-file limit ${fdLimit}: at most ${cap} subscribers; steps ${steps.join(', ')}`);

  const deployment = await createDeployment('subscribers', {
    METRICS_TOKEN,
    WS_CONNECT_RATE_LIMIT_TOKEN: UNLIMITED,
    WS_CONNECT_RATE_LIMIT_IP: UNLIMITED,
    WS_MESSAGE_RATE_LIMIT_TOKEN: UNLIMITED,
    WS_MESSAGE_RATE_LIMIT_IP: UNLIMITED,
    WS_MAX_SOCKETS_TOKEN: UNLIMITED,
    WS_MAX_SOCKETS_IP: UNLIMITED,
  });
  const holders: Holder[] = [];
  const gql = deployment.gql;
  try {
    const api = await deployment.start('api');
    await deployment.start('worker');
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    const products = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, name: `P${i}`, category: `c${i % 5}`, price: 10 + i, stock: 1_000_000 }));
    await gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: products }, admin);
    const campaigns: string[] = [];
    for (let i = 0; i < campaignCount; i++) {
      const c = await gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, { i: { name: `C${i}`, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), budget: 1 } }, admin);
      campaigns.push(c.createCampaign.id);
    }
    // Each shopper viewed 5 products, so that their lists are computed from a history (co-occurrence), not empty.
    const users = Array.from({ length: userCount }, (_, i) => `u${i}`);
    const history = users.flatMap((u, i) => Array.from({ length: 5 }, (_, k) => ({ id: `h-${u}-${k}`, type: 'VIEW', userId: u, productId: `p${(i * 7 + k * 3) % products.length}` })));
    for (let i = 0; i < history.length; i += 500) {
      await gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: history.slice(i, i + 500) }, service);
    }
    const userTokens = await Promise.all(users.map((u) => deployment.token('shopper', u)));
    // The worker applies the history before the ramp: its notices are not counted as idle pushes.
    await sleep(3000);

    for (let i = 0; i < children; i++) holders.push(new Holder());
    await Promise.all(holders.map((h) => h.next('ready')));
    const url = `ws://127.0.0.1:${api.port}/graphql`;
    const spec = (i: number): SubscriberSpec => {
      const n = Math.floor(i / 2);
      return i % 2 === 0 ? { kind: 'kpi', key: campaigns[n % campaigns.length]!, token: admin } : { kind: 'recs', key: users[n % users.length]!, token: userTokens[n % users.length]! };
    };

    const hot = campaigns[0]!;
    let impressions = 0;
    let held = 0;
    const rows: string[] = [];
    for (const target of steps) {
      if (target <= held) continue;
      // Connect: the new subscribers, shared round-robin among the holders; each is counted once its first value came.
      const cpuConnect = cpuSeconds(api.child.pid)!;
      const shares: SubscriberSpec[][] = holders.map(() => []);
      for (let i = held; i < target; i++) shares[i % children]!.push(spec(i));
      const opened = await Promise.all(holders.map((h, k) => {
        const r = h.next('opened');
        h.send({ type: 'open', url, specs: shares[k]! });
        return r;
      }));
      const connectSeconds = Math.max(...opened.map((o) => o.ms)) / 1000;
      const failed = opened.reduce((s, o) => s + o.failed, 0);
      const connectCpu = cpuSeconds(api.child.pid)! - cpuConnect;
      held = target;

      // Idle: nothing happens; the rollup notices come every 5 s.
      await sleep(1000);
      const before = await counts(holders);
      const cpuIdle = cpuSeconds(api.child.pid)!;
      await sleep(idleSeconds * 1000);
      const idleCpu = cpuSeconds(api.child.pid)! - cpuIdle;
      const after = await counts(holders);
      const idle = { kpi: after.pushes.kpi - before.pushes.kpi, recs: after.pushes.recs - before.pushes.recs };

      // Fan-out: one impression at a time on the hot campaign.
      await scrape(api.port, METRICS_TOKEN);
      const cpuFan = cpuSeconds(api.child.pid)!;
      const fanStart = performance.now();
      // The subscriber processes share the machine's cores with the API: their CPU over the fan-outs tells how much
      // of the delay may be theirs (reading and parsing every push) rather than the API's.
      const holdersCpu = () => holders.reduce((sum, h) => sum + (cpuSeconds(h.child.pid) ?? 0), 0);
      const clientCpuStart = holdersCpu();
      const delays: number[] = [];
      let missed = 0;
      for (let e = 0; e < eventCount; e++) {
        impressions++;
        const armed = holders.map((h) => h.next('arrived', (r) => r.target === impressions));
        for (const h of holders) h.send({ type: 'watch', campaignId: hot, target: impressions });
        const event = { id: `fan-${deployment.run}-${impressions}`, type: 'IMPRESSION', userId: 'viewer', campaignId: hot };
        await gql(`mutation($e: EventInput!) { recordEvent(event: $e) { accepted } }`, { e: event }, service);
        const respondedAt = performance.timeOrigin + performance.now();
        const timeout = setTimeout(() => holders.forEach((h) => h.send({ type: 'report' })), 10_000);
        const arrived = await Promise.all(armed);
        clearTimeout(timeout);
        const expected = Math.ceil(held / 2 / campaigns.length);
        const got = arrived.flatMap((r) => r.arrivals);
        missed += expected - got.length;
        delays.push(...got.map((at) => at - respondedAt));
        await sleep(1000);
      }
      const fanCpu = cpuSeconds(api.child.pid)! - cpuFan;
      // Less what the API burnt idle over as long (its timers, the rollup notices): the part the events cost.
      const fanNet = fanCpu - (idleCpu / idleSeconds) * ((performance.now() - fanStart) / 1000);
      const clientCpu = holdersCpu() - clientCpuStart;
      const samples = await scrape(api.port, METRICS_TOKEN);
      const loopP50 = metric(samples, 'nodejs_eventloop_lag_p50_seconds') * 1000;
      const loopP99 = metric(samples, 'nodejs_eventloop_lag_p99_seconds') * 1000;
      const loopMax = metric(samples, 'nodejs_eventloop_lag_max_seconds') * 1000;
      const end = await counts(holders);
      const [p50, , p99, max] = latencyColumns(delays);
      rows.push(
        `| ${held} (${Math.ceil(held / 2)} / ${Math.floor(held / 2)}) | ${end.open} | ${failed} / ${end.closed} | ${connectSeconds.toFixed(1)} | ${connectCpu.toFixed(1)} | ` +
          `${idle.kpi} / ${idle.recs} | ${((idleCpu / idleSeconds) * 100).toFixed(1)} | ${Math.ceil(held / 2 / campaigns.length)} | ${p50} / ${p99} / ${max} | ${missed} | ` +
          `${((fanCpu * 1000) / eventCount).toFixed(0)} / ${((fanNet * 1000) / eventCount).toFixed(0)} | ${((clientCpu * 1000) / eventCount).toFixed(0)} | ${loopP50.toFixed(1)} / ${loopP99.toFixed(1)} / ${loopMax.toFixed(1)} | ${rssMb(api.child.pid).toFixed(0)} | ${end.duplicates.kpi} / ${end.duplicates.recs} |`,
      );
      console.log(rows.at(-1));
    }

    console.log(`\nbench:subscribers — one API process and one worker, NODE_ENV=production; subscribers as raw graphql-ws sockets in ${children} processes; ` +
      `KPI subscribers over ${campaigns.length} campaigns (events on one), recommendation subscribers over ${users.length} shoppers; idle ${idleSeconds} s, ${eventCount} fan-outs per step`);
    console.log(`machine: ${await describeMachine()}\n`);
    console.log('| subscribers (KPI / recs) | open | failed / closed | connect s | API CPU connect s | idle pushes KPI / recs | API CPU idle % | subscribers of the campaign | fan-out p50 / p99 / max ms | missed | API CPU per event ms (all / above idle) | subscriber processes CPU per event ms | API loop p50 / p99 / max ms | API RSS MB | unchanged pushes KPI / recs |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('\nFan-out: from the recordEvent response to the push showing the new impressions (wall clock across processes); it includes the worker applying the event and at most KPI_THROTTLE_MS after a previous computation (events are 1 s apart, so the throttle should not delay them).');
    console.log("API loop: prom-client's event-loop delay over the fan-outs (from the scrape before the first event to the one after the last); it samples every 10 ms, so an idle loop reads about 10 ms.");
  } finally {
    for (const h of holders) h.close();
    await deployment.teardown();
  }
}

runBench(main);
