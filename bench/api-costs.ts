// npm run bench:api-costs [-- --requests 3000 --users 300 --pushes 3000]
// CPU of the API process per unit of its two hot paths, apart, for finding where bench:latency's time goes:
// - per HTTP request: a trivial query (`{ __typename }`: Express, Apollo, the response) and a one-event
//   `recordEvent` (the same plus validation, the grouped insert and the outbox hand-off), 8 clients;
// - per live push: subscribers on one API process, each push triggered by publishing "user changed" straight to
//   the user's Redis channel at 300 per second (no ingest, no worker in that phase), so the figure is the
//   recomputation of the list (Redis, Postgres, ranking), GraphQL execution and the WebSocket frame alone.
// CPU is read from /proc for each part, as in the other benches.
import { parseArgs } from 'node:util';
import { RedisKeys } from '../src/store/keys';
import { createRedis } from '../src/store/redis';
import { cpuMeter, createDeployment, describeMachine, runBench, sleep } from './support';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    users: { type: 'string', default: '300' },
    pushes: { type: 'string', default: '3000' },
  },
});
const REQUESTS = Number(args.requests);
const USERS = Number(args.users);
const PUSHES = Number(args.pushes);
const PAIRS = 500;
const PUSH_RATE = 300;

const productId = (i: number) => `ac-${String(i).padStart(4, '0')}`;

async function main() {
  const deployment = await createDeployment('apicosts');
  try {
    const api = await deployment.start('api');
    const worker = await deployment.start('worker');
    const cpu = await cpuMeter(deployment.databaseUrl, { API: api, worker });
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    const catalog = Array.from({ length: PAIRS * 2 }, (_, i) => ({ id: productId(i), name: `Product ${i}`, category: `cat-${(i >> 1) % 20}`, price: 10 + (i % 50), stock: 1_000_000 }));
    await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: catalog }, admin);
    const record = async (events: unknown[]) => {
      for (let i = 0; i < events.length; i += 1000) {
        await deployment.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events.slice(i, i + 1000) }, service);
      }
    };
    // Co-occurrence: pairs viewed together by a few shoppers; then five views for each measured user.
    let n = 0;
    await record(Array.from({ length: PAIRS * 4 }, (_, k) => [0, 1].map((j) => ({ id: `w-${n++}`, type: 'VIEW', userId: `warm-${k}`, productId: productId(2 * (k % PAIRS) + j) }))).flat());
    await record(Array.from({ length: USERS * 5 }, (_, k) => ({ id: `h-${k}`, type: 'VIEW', userId: `ac-${k % USERS}`, productId: productId(2 * ((k * 7) % PAIRS)) })));
    await sleep(3000); // the worker applies them

    const rows: string[] = [];
    const send = async (bodies: string[]) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < bodies.length) {
            const res = await deployment.post(bodies[next++]!, service);
            if (res.errors) throw new Error(JSON.stringify(res.errors));
          }
        }),
      );
    };
    const perRequest = async (name: string, body: (i: number) => string) => {
      // A first round is not counted: it pays for the JIT compiling this path.
      await send(Array.from({ length: 1000 }, (_, i) => body(REQUESTS + i)));
      const bodies = Array.from({ length: REQUESTS }, (_, i) => body(i));
      const since = await cpu.start();
      const t0 = performance.now();
      await send(bodies);
      const rate = REQUESTS / ((performance.now() - t0) / 1000);
      rows.push(`| ${name} | ${REQUESTS} | ${rate.toFixed(0)}/s | ${await since(REQUESTS)} |`);
      console.log(rows.at(-1));
    };
    await perRequest('`{ __typename }`', () => JSON.stringify({ query: '{ __typename }' }));
    await perRequest('`recordEvent`, one VIEW', (i) =>
      JSON.stringify({
        query: 'mutation($e: EventInput!) { recordEvent(event: $e) { accepted } }',
        variables: { e: { id: `r-${deployment.run}-${i}`, type: 'VIEW', userId: `other-${i % 1000}`, productId: productId(i % (PAIRS * 2)) } },
      }),
    );

    let pushes = 0;
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const client = deployment.ws(await deployment.token('shopper', `ac-${u}`));
        await new Promise<void>((resolve, reject) =>
          client.subscribe<any>(
            { query: `subscription($u: ID!) { recommendationsUpdated(userId: $u) { id model items { product { id name price } score reason } } }`, variables: { u: `ac-${u}` } },
            { next: (r) => (r.data ? (pushes++, resolve()) : reject(new Error(JSON.stringify(r.errors)))), error: reject, complete: () => undefined },
          ),
        );
      }),
    );
    const publisher = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-bench-publisher');
    const channels = new RedisKeys(deployment.redisPrefix, publisher.options.db ?? 0);
    const userChanged = (i: number) => publisher.publish(channels.channel(`user:ac-${i % USERS}`), 'events');
    for (let i = 0; i < 1000; i++) await userChanged(i); // not counted: JIT
    await sleep(2000);
    const before = pushes;
    const since = await cpu.start();
    const t0 = performance.now();
    for (let i = 0; i < PUSHES; i++) {
      await userChanged(i);
      const wait = t0 + ((i + 1) * 1000) / PUSH_RATE - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await sleep(2000);
    const done = pushes - before;
    rows.push(`| live push (\`recommendationsUpdated\`, ${USERS} subscribers, ${PUSH_RATE}/s) | ${done} of ${PUSHES} | ${PUSH_RATE}/s | ${await since(done)} |`);
    console.log(rows.at(-1));
    await publisher.quit();

    console.log(`\nbench:api-costs — machine: ${await describeMachine()}\n`);
    console.log('| unit | count | rate | CPU ms per unit by part |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(r);
    await cpu.close();
  } finally {
    await deployment.teardown();
  }
}

runBench(main);
