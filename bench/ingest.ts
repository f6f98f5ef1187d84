// npm run bench:ingest [-- --events 20000 --clients 4 --repeat 3 --batches 100,1000 --warmup 100000]
// Events per second accepted by `recordEvents` over real HTTP with a `service` token, next to a raw multi-row
// INSERT of the same rows into the same table through `pg`, in the same run, printed as a ratio (target ≥ 0.5).
//
// What the two sides do, so that the ratio means something:
// - recordEvents: HTTP + JSON + GraphQL parsing and validation (zod, every field), product lookup for prices
//   and categories, last-click attribution of purchases, then one statement that inserts the events
//   (ON CONFLICT DO NOTHING for idempotency), upserts the cart rows they imply and writes the outbox row;
//   purchases also lock their product rows and write stock, ledger and alerts in the same transaction.
//   The API process's outbox relay moves the rows into BullMQ meanwhile (it is part of accepting an event).
//   No worker runs: applying the jobs to the feature store is not part of ingest (jobs wait in BullMQ).
// - raw INSERT: the same rows (same values, other ids) into `events`, same columns, same batch sizes, same
//   number of concurrent clients, one plain multi-row INSERT … VALUES per batch over a pg pool. No validation,
//   no idempotency check, no cart, no outbox, no stock: the floor of what storing these rows costs.
// Phases alternate (raw, recordEvents, raw, …) so that both see the same table size; between phases the bench
// waits for the outbox to be empty, so that no phase pays for the previous one's relay work.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { demoCatalog, ShopperSimulator, type SimEvent } from '../src/simulator/shoppers';
import { cpuMeter, createDeployment, describeMachine, latencyColumns, runBench, sleep } from './support';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '4' },
    repeat: { type: 'string', default: '3' },
    products: { type: 'string', default: '1000' },
    users: { type: 'string', default: '5000' },
    batches: { type: 'string', default: '100,1000' },
    warmup: { type: 'string', default: '100000' },
  },
});
const EVENTS = Number(args.events);
const CLIENTS = Number(args.clients);
const REPEAT = Number(args.repeat);
const BATCH_SIZES = (args.batches ?? '100,1000').split(',').map(Number);
const RECORD_EVENTS = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const COLUMNS = ['id', 'type', 'user_id', 'session_id', 'product_id', 'campaign_id', 'attributed_campaign_id', 'recommendation_id', 'quantity', 'unit_price', 'occurred_at', 'outbox_id'];

interface Phase {
  kind: 'raw' | 'recordEvents';
  batch: number;
  events: number;
  seconds: number;
  /** Per-request durations in ms. */
  requests: number[];
  /** CPU µs per event by part (API, Postgres backends of this database, Redis, bench), relay work included. */
  cpu: string;
}

/** Runs `batches` through `clients` concurrent senders, each sending its next batch when the last returned. */
async function drive<T>(batches: T[], clients: number, send: (b: T) => Promise<void>): Promise<{ seconds: number; requests: number[] }> {
  let next = 0;
  const requests: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        const start = performance.now();
        await send(b);
        requests.push(performance.now() - start);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, requests };
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function main() {
  const deployment = await createDeployment('ingest');
  const db = new pg.Pool({ connectionString: deployment.databaseUrl, max: CLIENTS });
  try {
    const api = await deployment.start('api');
    const cpu = await cpuMeter(deployment.databaseUrl, { API: api });
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    // Plenty of stock: the bench is about recording purchases, not about running out (alerts are another path).
    const catalog = demoCatalog(Number(args.products)).map((p) => ({ ...p, stock: 1_000_000 }));
    for (const part of chunk(catalog, 1000)) {
      await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: part }, admin);
    }
    const price = new Map(catalog.map((p) => [p.id, p.price]));
    const sim = new ShopperSimulator({ users: Number(args.users), productIds: catalog.map((p) => p.id), seed: 42, sessions: 500 });
    const mix = new Map<string, number>();

    // Warm-up, not measured: a long-running API has its hot code compiled, and a shop's event table is not empty.
    // A fresh process spends its first ~100,000 events partly in V8's optimizing compiler (13 % of the API's CPU in
    // the first phases, and still falling after 200,000 events), which would count against whichever batch size
    // runs first. Sent in batches of 100, from the same simulator.
    const warmup = chunk(Array.from({ length: Number(args.warmup) }, () => sim.next()), 100).map((b) => JSON.stringify({ query: RECORD_EVENTS, variables: { e: b } }));
    await drive(warmup, CLIENTS, async (body) => {
      const res = await deployment.post(body, service);
      if (res.errors) throw new Error(`warm-up failed: ${JSON.stringify(res.errors)}`);
    });
    await outboxDrained(db);

    const phases: Phase[] = [];
    for (const batch of BATCH_SIZES) {
      for (let rep = 0; rep < REPEAT; rep++) {
        const events: SimEvent[] = Array.from({ length: EVENTS }, () => sim.next());
        for (const e of events) mix.set(e.type, (mix.get(e.type) ?? 0) + 1);

        // Raw: the rows recordEvents would store for these events (product price as unit price, as it defaults).
        const rawBatches = chunk(events, batch).map((b) =>
          b.flatMap((e) => [`raw-${e.id}`, e.type, e.userId, e.sessionId, e.productId ?? null, e.campaignId ?? null, null, e.recommendationId ?? null, e.quantity ?? 1, e.productId ? price.get(e.productId)! : null]),
        );
        let cpuSince = await cpu.start();
        const raw = await drive(rawBatches, CLIENTS, async (params) => {
          await db.query(insertSql(params.length / 10), params);
        });
        phases.push({ kind: 'raw', batch, events: events.length, ...raw, cpu: await cpuSince(events.length / 1000) });
        report(phases.at(-1)!);

        // recordEvents: bodies serialized up front, so that the figure is the server's, not this script's.
        const bodies = chunk(events, batch).map((b) => JSON.stringify({ query: RECORD_EVENTS, variables: { e: b } }));
        cpuSince = await cpu.start();
        const recorded = await drive(bodies, CLIENTS, async (body) => {
          const res = await deployment.post(body, service);
          if (res.errors || res.data.recordEvents.accepted !== JSON.parse(body).variables.e.length) {
            throw new Error(`recordEvents did not accept the whole batch: ${JSON.stringify(res.errors ?? res.data)}`);
          }
        });
        await outboxDrained(db);
        phases.push({ kind: 'recordEvents', batch, events: events.length, ...recorded, cpu: await cpuSince(events.length / 1000) });
        report(phases.at(-1)!);
      }
    }

    const total = [...mix.values()].reduce((a, b) => a + b, 0);
    console.log(`\nbench:ingest — ${CLIENTS} concurrent clients, ${EVENTS} events per phase, ${REPEAT} phases per side and batch size, catalog of ${catalog.length} products, ${args.users} users`);
    console.log(`event mix: ${[...mix].map(([t, n]) => `${t} ${((100 * n) / total).toFixed(1)}%`).join(', ')}`);
    console.log(`machine: ${await describeMachine()}\n`);
    // Each recordEvents phase ran right after its raw phase: the ratio of each such pair, so that a burst of
    // load from elsewhere on the machine spoils one pair rather than the whole comparison.
    console.log('| batch | raw INSERT events/s | recordEvents events/s | ratio (median of pairs) | ratio range | raw request p50 / p99 ms | recordEvents request p50 / p99 ms |');
    console.log('|---|---|---|---|---|---|---|');
    for (const batch of BATCH_SIZES) {
      const of = (kind: Phase['kind']) => phases.filter((p) => p.batch === batch && p.kind === kind);
      const rates = (ps: Phase[]) => ps.map((p) => p.events / p.seconds);
      const [raw, recorded] = [rates(of('raw')), rates(of('recordEvents'))];
      const ratios = recorded.map((r, i) => r / raw[i]!).sort((a, b) => a - b);
      const latency = (ps: Phase[]) => {
        const cols = latencyColumns(ps.flatMap((p) => p.requests));
        return `${cols[0]} / ${cols[2]}`;
      };
      console.log(
        `| ${batch} | ${median(raw).toFixed(0)} | ${median(recorded).toFixed(0)} | ${median(ratios).toFixed(2)} | ` +
          `${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)} | ${latency(of('raw'))} | ${latency(of('recordEvents'))} |`,
      );
    }
    console.log('\nEvents/s are medians over the phases; CPU per event by part is in the per-phase lines above.');
    await cpu.close();
  } finally {
    await db.end();
    await deployment.teardown();
  }
}

const insertSqls = new Map<number, string>();
/** The raw side's statement for `rows` rows: ten parameters a row, occurred_at = now() and no outbox id. */
function insertSql(rows: number): string {
  let sql = insertSqls.get(rows);
  if (!sql) {
    const row = (r: number) => `(${Array.from({ length: 10 }, (_, c) => `$${r * 10 + c + 1}`).join(', ')}, now(), NULL)`;
    sql = `INSERT INTO events (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, (_, r) => row(r)).join(', ')}`;
    insertSqls.set(rows, sql);
  }
  return sql;
}

function report(p: Phase): void {
  const [p50, , p99] = latencyColumns(p.requests);
  console.log(`${p.kind.padEnd(12)} batch ${String(p.batch).padStart(4)}: ${(p.events / p.seconds).toFixed(0).padStart(6)} events/s (${p.events} in ${p.seconds.toFixed(2)} s; request p50 ${p50} ms, p99 ${p99} ms)`);
  console.log(`  CPU µs per event: ${p.cpu}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Waits until the API's relay has moved every outbox row into BullMQ. */
async function outboxDrained(db: pg.Pool): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    if (rows[0]?.n === '0') return;
    await sleep(100);
  }
  throw new Error('the outbox did not drain within a minute');
}

runBench(main);
