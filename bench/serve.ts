// npm run bench:serve [-- --seconds 10 --rounds 3 --warmup 3 --connections 16 --users 2000 --products 1000 --cache-seconds N]
// What reading costs, against a floor measured in the same run by the same client (issue 22's target:
// `recommendations` p50 ≤ 2× and `product(id)` ≤ 1.5× a bare HTTP + one-Redis-GET server). One API process
// (ROLE=api) and one worker, NODE_ENV=production; the bare server (bench/serve-bare.ts) is a process of its own on
// the same Redis and answers a recorded 10-item `recommendations` answer, so the bytes moved are the same.
//
// The client is closed-loop: --connections keep-alive connections (node:http), each sending its next request when
// the previous one returned, for --seconds per round; bodies and headers are serialized beforehand, so the bench's
// own cost per request is the same for the three targets. Rounds alternate bare, recommendations, bare, product,
// …, bare (--rounds of each), and each round's p50 is divided by the mean p50 of the two bare rounds next to it:
// the machine is shared and its speed drifts over minutes, a ratio taken across the whole run would drift with it.
// At 16 connections every target keeps the two cores busy, so p50 ≈ connections ÷ throughput: the ratio is
// mostly one of the machine's CPU per request, the bench's own client included (0.07 ms per request in a first
// run, as much as the bare server's 0.06), which is why the table gives each part's CPU per request.
// Before them, --warmup seconds of each target are sent and not reported (a fresh process's first thousands of
// requests pay V8's compiler).
//
// Data: --products products in 20 categories (stock large enough never to run out), and --users shoppers with
// ~10 events each (views, carts, a few purchases) mostly in one category of their own, so that lists have
// co-occurrence neighbours ("Viewed together with …"), as a live shop's do; each `recommendations` request is
// for a random one of them with that shopper's own token, each `product` request for a random product.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/simulator/shoppers';
import { createRedis } from '../src/store/redis';
import { metric, scrape } from './soak-readings';
import { cpuMeter, createDeployment, describeMachine, percentile, runBench, sleep } from './support';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    users: { type: 'string', default: '2000' },
    products: { type: 'string', default: '1000' },
    // RECOMMENDATION_CACHE_SECONDS for the API (the platform's default when absent; 0: every list computed).
    'cache-seconds': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const PRODUCTS = Number(args.products);
const CATEGORIES = 20;
const EVENTS_PER_USER = 10;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const METRICS_TOKEN = 'serve-metrics-token-0123456789';

const RECOMMENDATIONS = `query($u: ID!) { recommendations(userId: $u, limit: 10) { id items { product { id name price } score reason } } }`;
const PRODUCT = `query($id: ID!) { product(id: $id) { id name price stock category } }`;

const productId = (i: number) => `sv-${String(i).padStart(4, '0')}`;
const userId = (u: number) => `sv-user-${u}`;

/** One request a target may be sent, serialized beforehand. */
interface Request {
  body: string;
  headers: http.OutgoingHttpHeaders;
}

interface Target {
  name: string;
  url: string;
  requests: Request[];
}

interface Round {
  target: Target;
  requests: number;
  seconds: number;
  sorted: number[];
  cpu: string;
  /** Of the `recommendations` answers, the share served from a kept list (recommendation_lists_total). */
  kept: string;
}

// One pool for every target (node:http keeps one per origin): the same client code and socket handling for all.
// `timeout` closes a socket idle for 4 s, before the servers' 5 s keep-alive timeout would (see support.ts).
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, timeout: 4000 });

/** POSTs `request` and resolves with the response text; rejects on a status other than 200. */
function send(url: string, request: Request, retried = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: request.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as idle just as it was reused (Node's documented race): once more.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) send(url, request, true).then(resolve, reject);
      else reject(err);
    });
    req.end(request.body);
  });
}

/** Closed loop for `seconds`: each connection sends a random request of the target as soon as its last returned. */
async function load(target: Target, seconds: number, rand: () => number): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const request = target.requests[Math.floor(rand() * target.requests.length)]!;
        const sentAt = performance.now();
        const text = await send(target.url, request);
        latencies.push(performance.now() - sentAt);
        // A GraphQL error comes with status 200: a cheap check, so that a refused request is never timed as served.
        if (text.startsWith('{"errors"') || text.includes('"errors":[')) throw new Error(`${target.name}: ${text.slice(0, 300)}`);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

/** Starts bench/serve-bare.ts and resolves with its process and URL once it listens. */
function startBare(key: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'serve-bare.ts')], {
    env: { ...process.env, NODE_ENV: 'production', REDIS_URL, BARE_KEY: key },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}/` });
    });
    child.once('exit', (code) => reject(new Error(`bare server exited (${code}): ${out}`)));
  });
}

async function main() {
  // The per-shopper limit (1,200 requests a minute by default) would refuse a long run's requests for a few
  // users; raised so that every request is served. The limiter still counts each one, as in production.
  const deployment = await createDeployment('serve', {
    METRICS_TOKEN,
    HTTP_RATE_LIMIT_TOKEN: '1000000',
    ...(args['cache-seconds'] !== undefined ? { RECOMMENDATION_CACHE_SECONDS: args['cache-seconds'] } : {}),
  });
  let bare: ChildProcess | undefined;
  try {
    const api = await deployment.start('api');
    const worker = await deployment.start('worker');
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    const rand = seededRandom(22);

    const catalog = Array.from({ length: PRODUCTS }, (_, i) => ({
      id: productId(i),
      name: `Product ${String(i).padStart(4, '0')}`,
      category: `cat-${i % CATEGORIES}`,
      price: 10 + (i % 50),
      stock: 10_000_000,
    }));
    await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: catalog }, admin);

    // Each shopper: ~10 events, 8 in 10 in its own category; a third of them carts, one in 20 a purchase.
    const inCategory = (c: number) => c + CATEGORIES * Math.floor(rand() * Math.ceil((PRODUCTS - c) / CATEGORIES));
    const events = Array.from({ length: USERS }, (_, u) =>
      Array.from({ length: EVENTS_PER_USER }, (_, k) => {
        const r = rand();
        const p = rand() < 0.8 ? inCategory(u % CATEGORIES) : Math.floor(rand() * PRODUCTS);
        const type = r < 0.05 ? 'PURCHASE' : r < 0.35 ? 'ADD_TO_CART' : 'VIEW';
        return { id: `sv-${deployment.run}-${u}-${k}`, type, userId: userId(u), sessionId: `sv-${u}`, productId: productId(p) };
      }),
    ).flat();
    let accepted = 0;
    for (let i = 0; i < events.length; i += 1000) {
      const d = await deployment.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events.slice(i, i + 1000) }, service);
      accepted += d.recordEvents.accepted;
    }
    // Until the worker has applied every event (its own counter), then a look at what lists hold.
    const t0 = performance.now();
    for (let applied = 0; applied < accepted; ) {
      if (performance.now() - t0 > 300_000) throw new Error(`worker applied ${applied} of ${accepted} events in 5 minutes`);
      await sleep(250);
      applied = metric(await scrape(worker.port, METRICS_TOKEN), 'events_applied_total') || 0;
    }
    const reasons = new Map<string, number>();
    let items = 0;
    for (let u = 0; u < 50; u++) {
      const d = await deployment.gql(RECOMMENDATIONS, { u: userId(u) }, service);
      for (const item of d.recommendations.items) {
        const kind = item.reason.replace(/ with .*/, ' with …');
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
        items++;
      }
    }
    if (!reasons.has('Viewed together with …')) throw new Error(`no co-occurrence reason in 50 lists: ${JSON.stringify([...reasons])}`);
    console.log(`seeded: ${PRODUCTS} products, ${accepted} events of ${USERS} shoppers, applied in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `50 lists hold ${items} items: ${[...reasons].map(([k, n]) => `${n}× "${k}"`).join(', ')}`);

    const tokens = await Promise.all(Array.from({ length: USERS }, (_, u) => deployment.token('shopper', userId(u))));
    const headers = (body: string, token?: string): http.OutgoingHttpHeaders => ({
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    const request = (query: string, variables: Record<string, unknown>, token: string): Request => {
      const body = JSON.stringify({ query, variables });
      return { body, headers: headers(body, token) };
    };
    const apiUrl = `http://127.0.0.1:${api.port}/graphql`;
    const recommendations: Target = { name: '`recommendations` (limit 10)', url: apiUrl, requests: tokens.map((t, u) => request(RECOMMENDATIONS, { u: userId(u) }, t)) };
    const product: Target = { name: '`product(id)`', url: apiUrl, requests: catalog.map((p, i) => request(PRODUCT, { id: p.id }, tokens[i % USERS]!)) };

    // The bare server answers a real answer of the API: shopper 0's list, as the API serialized it.
    const payload = await send(apiUrl, recommendations.requests[0]!);
    const key = `${deployment.redisPrefix}:bench-bare-payload`;
    const redis = createRedis(REDIS_URL, 'flywheel-bench-serve');
    await redis.set(key, payload);
    await redis.quit();
    const started = await startBare(key);
    bare = started.child;
    const bareBody = JSON.stringify({ query: RECOMMENDATIONS, variables: { u: userId(0) } });
    const bareTarget: Target = { name: 'bare (HTTP + one Redis GET)', url: started.url, requests: [{ body: bareBody, headers: headers(bareBody) }] };

    for (const target of [bareTarget, recommendations, product]) await load(target, WARMUP, rand);
    const cpu = await cpuMeter(deployment.databaseUrl, { API: api, worker, bare: { child: bare } });
    const order = Array.from({ length: ROUNDS }, () => [bareTarget, recommendations, bareTarget, product]).flat();
    const rounds: Round[] = [];
    const lists = async () => {
      const samples = await scrape(api.port, METRICS_TOKEN);
      const count = (path: string) => metric(samples, 'recommendation_lists_total', (l) => l.path === path) || 0;
      return { kept: count('kept'), computed: count('computed') };
    };
    for (const target of [...order, bareTarget]) {
      await sleep(500);
      const listsBefore = await lists();
      const since = await cpu.start();
      const { latencies, seconds } = await load(target, SECONDS, rand);
      const cpuPer = await since(latencies.length);
      const listsAfter = await lists();
      const served = listsAfter.kept + listsAfter.computed - listsBefore.kept - listsBefore.computed;
      const kept = served ? `${((100 * (listsAfter.kept - listsBefore.kept)) / served).toFixed(0)} %` : '';
      const sorted = latencies.sort((a, b) => a - b);
      rounds.push({ target, requests: latencies.length, seconds, sorted, cpu: cpuPer, kept });
      console.log(`${target.name}: ${latencies.length} requests, p50 ${percentile(sorted, 50).toFixed(2)} ms; CPU ms per request: ${cpuPer}`);
    }
    await cpu.close();

    const p50 = (r: Round) => percentile(r.sorted, 50);
    const ratios = new Map<Target, number[]>();
    console.log(`\nbench:serve — ${CONNECTIONS} keep-alive connections, closed loop, ${SECONDS} s per round; ${PRODUCTS} products, ${USERS} shoppers; one API process and a worker, NODE_ENV=production`);
    console.log(`machine: ${await describeMachine()}\n`);
    console.log('| target | requests/s | p50 ms | p90 ms | p99 ms | max ms | p50 ÷ adjacent bare p50 | lists kept | CPU ms per request by part |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    rounds.forEach((r, i) => {
      let ratio = '';
      if (r.target !== bareTarget) {
        const x = p50(r) / ((p50(rounds[i - 1]!) + p50(rounds[i + 1]!)) / 2);
        ratios.set(r.target, [...(ratios.get(r.target) ?? []), x]);
        ratio = `${x.toFixed(2)}×`;
      }
      const columns = [50, 90, 99, 100].map((p) => percentile(r.sorted, p).toFixed(2));
      console.log(`| ${r.target.name} | ${(r.requests / r.seconds).toFixed(0)} | ${columns.join(' | ')} | ${ratio} | ${r.kept} | ${r.cpu} |`);
    });
    for (const [target, xs] of ratios) {
      const sorted = [...xs].sort((a, b) => a - b);
      console.log(`\n${target.name}: p50 ÷ bare p50 median ${percentile(sorted, 50).toFixed(2)}× over ${xs.length} round${xs.length > 1 ? 's' : ''} (${xs.map((x) => x.toFixed(2)).join(', ')})`);
    }
  } finally {
    agent.destroy();
    if (bare && bare.exitCode === null) {
      const exited = new Promise((resolve) => bare!.once('exit', resolve));
      bare.kill('SIGTERM');
      await exited;
    }
    await deployment.teardown();
  }
}

runBench(main);
