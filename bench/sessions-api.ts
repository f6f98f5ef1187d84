// npm run bench:sessions-api [-- --sessions 300] [-- --concurrency 12] [-- --phases none,model] [-- --algorithm als]
//                           [-- --present] [-- --dir ../shared/data/yoochoose-100k]
// Next-click prediction on YOOCHOOSE (100k sample) end to end through the public API, by the protocol of
// SESSIONS_DIR/PROTOCOL.md (session-rec's evaluation_next): for each test session, sorted by (SessionId, Time),
// click t is predicted from clicks 0..t-1, t = 1..n-1 (10,152 points), over the whole catalogue, with items
// already clicked in the session allowed; HR@k and MRR@k for k = 5, 10, 20, averaged over points. The figures sit
// next to the protocol's reference rows (most popular, co-occurrence, AR, SR, VSKNN), read from PROTOCOL.md.
//
// Each phase runs in a deployment of its own (bench/support.ts, default settings: no background training): every
// item of train and test as a product (one category, stock 1,000,000 that VIEW events leave alone anyway); the
// train clicks imported with recordEvents (service token, batches of 1,000, in time order) as VIEW events, user =
// session = `s<SessionId>`, occurredAt = the click's time; then the test sessions replayed through the live path,
// several sessions at once, each session's clicks one after another:
//   subscribe recommendationsUpdated(user, limit: 20, excludeInteracted: false) and take its first list; then for
//   each click t but the last: record it (recordEvents), wait for the push that reflects it, ask
//   recommendations(user, limit: 20, excludeInteracted: false) over HTTP and score it against click t+1. A
//   session's last click is never sent: nothing is predicted from it.
// The push that reflects click t is the first one after it was sent: a list is pushed only after a worker
// announces a change of its user (or a stock change, and VIEW events make none), the user's previous click was
// reflected by a push already, and no other event of the user is in flight. It is awaited for PUSH_TIMEOUT_MS
// (a miss is counted, and the query asked anyway). The pushed list is scored too, apart: it is what a storefront
// subscribed to the user shows. Check: with LIVE_FEATURE_CACHE_MS=0 in the environment, the pushed list and the
// query's were the same at 99.6 % of 1,025 points; with the default 5 s cache, at about 60 %, the rest differing
// by neighbour lists that other sessions' clicks changed since the cache read them.
//
// Phases: `none`, co-occurrence and popularity only; `model`, with a model trained by retrainModel on the train
// clicks, ACTIVE before the first test click (the run's model must have seen every train event), test users named
// `s<SessionId>-m`. Separate deployments, because the replay itself feeds the platform: each click sent becomes
// co-occurrence (and would be training data). In one deployment, the phase run second would find the other
// phase's replay of the very same sessions, targets included, among its neighbours. Within a phase, a test
// session's clicks still reach later test sessions' neighbours (session-rec's protocol never learns from the
// test; a live platform always does): every click so sent precedes, in the replay, the predictions it can touch
// in other sessions, never its own session's targets. The effect is counted in neither direction.
//
// Time: occurredAt is the data's (April 2014), which the API accepts as past. The feature store's popularity
// decays forward from 2026-01-01 with a one-day half-life (src/domain/feature-updates.ts), so 2014 clicks add
// 2^-4288 — zero in a double — and popularity ranks nothing; `--present` moves every click by one offset so that
// the last test click is a minute old (gaps, order and the train/test boundary unchanged) to measure that part too.
//
// Data: not redistributable, read in place from SESSIONS_DIR or --dir, never copied into the project. The
// reader is bench:sessions' (kept apart: that file belongs to the in-process bench) with the protocol's order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from 'graphql-ws';
import { eventsApplied, importEvents, trainAndServe, type TrainedModel } from './api-steps';
import { createDeployment, describeMachine, latencyColumns, runBench, type BenchDeployment } from './support';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: process.env.SESSIONS_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/yoochoose-100k') },
    /** Test sessions replayed at once (each one click after another). */
    concurrency: { type: 'string', default: '12' },
    /** Only the first N test sessions (a quick run). @default all */
    sessions: { type: 'string' },
    phases: { type: 'string', default: 'none,model' },
    /** Model family for the `model` phase. @default the deployment's TRAIN_ALGORITHM (auto) */
    algorithm: { type: 'string' },
    /** Shift every click so that the last test click is a minute old (see above). @default false */
    present: { type: 'boolean', default: false },
  },
});
const CONCURRENCY = Number(args.concurrency);
const PHASES = args.phases!.split(',');
for (const p of PHASES) if (p !== 'none' && p !== 'model') throw new Error(`unknown phase ${p}; known: none, model`);
const LIMIT = 20;
const KS = [5, 10, 20] as const;
/** The protocol's prediction points (PROTOCOL.md). */
const PROTOCOL_POINTS = 10_152;
const PUSH_TIMEOUT_MS = 10_000;

const UPSERT = `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created updated } }`;
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const RECOMMEND = `query($u: ID!) { recommendations(userId: $u, limit: ${LIMIT}, excludeInteracted: false) { model items { product { id } } } }`;
const LIVE = `subscription($u: ID!) { recommendationsUpdated(userId: $u, limit: ${LIMIT}, excludeInteracted: false) { model items { product { id } } } }`;

interface Session {
  id: string;
  /** Item ids and epoch ms, in time order. */
  clicks: Array<{ item: string; at: number }>;
}

/** A session-rec file (tab-separated SessionId, ItemId, Time in epoch seconds, a header) sorted by (SessionId, Time). */
function readSessions(file: string): Session[] {
  const bySession = new Map<string, Session>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [id, item, time] = line.split('\t');
    if (!id || !item || !time) continue;
    let s = bySession.get(id);
    if (!s) bySession.set(id, (s = { id, clicks: [] }));
    s.clicks.push({ item, at: Math.round(Number(time) * 1000) });
  }
  // Array.prototype.sort is stable: clicks with the same time keep the file's order, as in pandas' sort_values.
  for (const s of bySession.values()) s.clicks.sort((a, b) => a.at - b.at);
  return [...bySession.values()].sort((a, b) => Number(a.id) - Number(b.id));
}

/** The protocol's reference rows: the table under "Reference figures" in PROTOCOL.md, cells as written there. */
function referenceRows(file: string): string[][] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('| Algorithm |'));
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim()));
  }
  if (header < 0 || !rows.length) throw new Error(`no reference table in ${file}`);
  return rows;
}

/** Hit rate and MRR at each of KS, summed over points. */
class Scores {
  points = 0;
  readonly hits = KS.map(() => 0);
  readonly reciprocal = KS.map(() => 0);

  add(list: readonly string[], target: string): number {
    const rank = list.indexOf(target) + 1;
    this.points++;
    KS.forEach((k, i) => {
      if (rank > 0 && rank <= k) {
        this.hits[i]!++;
        this.reciprocal[i]! += 1 / rank;
      }
    });
    return rank;
  }

  /** HR@5, HR@10, HR@20, MRR@5, MRR@10, MRR@20. */
  cells(): string[] {
    const mean = (x: number) => (this.points ? (x / this.points).toFixed(4) : 'n/a');
    return [...this.hits.map(mean), ...this.reciprocal.map(mean)];
  }
}

interface Replay {
  query: Scores;
  pushed: Scores;
  /** Points whose target the session clicked before, and how many of them the query's list hit at 20. */
  repeats: number;
  repeatHits: number;
  shortLists: number;
  missedPushes: number;
  /** Points where the pushed list and the query's list named the same products in the same order. */
  sameAsPush: number;
  models: Map<string, number>;
  pushMs: number[];
  queryMs: number[];
  seconds: number;
}

/** A user's pushed lists (product ids), as they arrive. */
function watchLists(client: Client, userId: string) {
  const lists: string[][] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = client.subscribe<any>({ query: LIVE, variables: { u: userId } }, {
    next: (r) => {
      if (r.data) lists.push(r.data.recommendationsUpdated.items.map((i: any) => i.product.id));
      else failure = new Error(`recommendationsUpdated(${userId}): ${JSON.stringify(r.errors)}`);
      wake?.();
    },
    error: (err) => {
      failure = err instanceof Error ? err : new Error(`recommendationsUpdated(${userId}) closed: ${JSON.stringify(err)}`);
      wake?.();
    },
    complete: () => undefined,
  });
  return {
    count: () => lists.length,
    /** The n-th list pushed (1: the one at subscription), or undefined if it did not come within PUSH_TIMEOUT_MS. */
    async push(n: number): Promise<string[] | undefined> {
      const deadline = performance.now() + PUSH_TIMEOUT_MS;
      while (lists.length < n) {
        if (failure) throw failure;
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return lists[n - 1];
    },
    close: unsubscribe,
  };
}

/** Replays the test sessions through the live path (see the header); `suffix` names this phase's users. */
async function replay(d: BenchDeployment, sessions: Session[], suffix: string, iso: (at: number) => string): Promise<Replay> {
  const service = await d.token('service');
  const r: Replay = {
    query: new Scores(), pushed: new Scores(), repeats: 0, repeatHits: 0, shortLists: 0, missedPushes: 0, sameAsPush: 0,
    models: new Map(), pushMs: [], queryMs: [], seconds: 0,
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    const client = d.ws(service);
    while (next < sessions.length) {
      const s = sessions[next++]!;
      const user = `s${s.id}${suffix}`;
      const live = watchLists(client, user);
      try {
        if (!(await live.push(1))) throw new Error(`no first list for ${user}`);
        for (let t = 0; t + 1 < s.clicks.length; t++) {
          const awaited = live.count() + 1;
          const sentAt = performance.now();
          const event = { id: `${user}-${t}`, type: 'VIEW', userId: user, sessionId: user, productId: s.clicks[t]!.item, occurredAt: iso(s.clicks[t]!.at) };
          const recorded = (await d.gql(RECORD, { e: [event] }, service)).recordEvents;
          if (recorded.accepted !== 1) throw new Error(`recordEvents ${event.id}: ${JSON.stringify(recorded)}`);
          const pushed = await live.push(awaited);
          if (pushed) r.pushMs.push(performance.now() - sentAt);
          else r.missedPushes++;

          const askedAt = performance.now();
          const list = (await d.gql(RECOMMEND, { u: user }, service)).recommendations;
          r.queryMs.push(performance.now() - askedAt);
          const ids: string[] = list.items.map((i: any) => i.product.id);
          const target = s.clicks[t + 1]!.item;
          const rank = r.query.add(ids, target);
          if (s.clicks.slice(0, t + 1).some((c) => c.item === target)) {
            r.repeats++;
            if (rank > 0) r.repeatHits++;
          }
          if (ids.length < LIMIT) r.shortLists++;
          r.models.set(list.model, (r.models.get(list.model) ?? 0) + 1);
          if (pushed) {
            r.pushed.add(pushed, target);
            if (pushed.join() === ids.join()) r.sameAsPush++;
          }
        }
      } finally {
        live.close();
      }
    }
  }));
  r.seconds = (performance.now() - started) / 1000;
  return r;
}

interface PhaseResult {
  phase: string;
  title: string;
  replay: Replay;
  trained?: TrainedModel;
  trainEvents: number;
  recordSeconds: number;
  applySeconds: number;
  seconds: number;
}

async function runPhase(phase: string, train: Session[], test: Session[], iso: (at: number) => string): Promise<PhaseResult> {
  const started = performance.now();
  const d = await createDeployment('sessionsapi');
  try {
    await d.start('api');
    await d.start('worker');
    const admin = await d.token('admin');
    const service = await d.token('service');
    const items = [...new Set([...train, ...test].flatMap((s) => s.clicks.map((c) => c.item)))].sort();
    const products = items.map((id) => ({ id, name: `Item ${id}`, category: 'clicks', price: 1, stock: 1_000_000 }));
    for (let i = 0; i < products.length; i += 1000) await d.gql(UPSERT, { p: products.slice(i, i + 1000) }, admin);

    // The shop's history in the order it happened (a backfill); ids stable across runs.
    const events = train
      .flatMap((s) => s.clicks.map((c, i) => ({ at: c.at, e: { id: `tr-${s.id}-${i}`, type: 'VIEW', userId: `s${s.id}`, sessionId: `s${s.id}`, productId: c.item, occurredAt: iso(c.at) } })))
      .sort((a, b) => a.at - b.at)
      .map((x) => x.e);
    const recordSeconds = await importEvents(d, events, service);
    const recorded = performance.now();
    await eventsApplied(d, admin);
    const applySeconds = (performance.now() - recorded) / 1000;
    console.log(`${phase}: ${products.length} products, ${events.length} train clicks recorded in ${recordSeconds.toFixed(1)} s, applied ${applySeconds.toFixed(1)} s later`);

    let trained: TrainedModel | undefined;
    if (phase === 'model') {
      trained = await trainAndServe(d, { algorithm: args.algorithm, probeUser: events[0]!.userId, minEvents: events.length });
      console.log(`${phase}: ${trained.label} ACTIVE after ${trained.seconds.toFixed(1)} s (${trained.model.trainingEvents} events, hold-out NDCG@10 ${trained.model.metrics.ndcgAt10.toFixed(4)}, ${trained.calls} retrainModel call${trained.calls > 1 ? 's' : ''})`);
    }
    const r = await replay(d, test, phase === 'model' ? '-m' : '', iso);
    console.log(`${phase}: ${r.query.points} points replayed in ${r.seconds.toFixed(1)} s; HR@20 ${r.query.cells()[2]}, MRR@20 ${r.query.cells()[5]}`);
    const title = trained ? `platform, trained model (${trained.model.algorithm})` : 'platform, no model';
    return { phase, title, replay: r, trained, trainEvents: events.length, recordSeconds, applySeconds, seconds: (performance.now() - started) / 1000 };
  } finally {
    await d.teardown();
  }
}

async function main() {
  const started = performance.now();
  const train = readSessions(path.join(args.dir!, 'yoochoose-clicks-100k_train_full.txt'));
  const allTest = readSessions(path.join(args.dir!, 'yoochoose-clicks-100k_test.txt'));
  const references = referenceRows(path.join(args.dir!, 'PROTOCOL.md'));
  const test = args.sessions ? allTest.slice(0, Number(args.sessions)) : allTest;
  const expectedPoints = test.reduce((n, s) => n + s.clicks.length - 1, 0);
  const lastTest = Math.max(...allTest.flatMap((s) => s.clicks.map((c) => c.at)));
  const offset = args.present ? Date.now() - 60_000 - lastTest : 0;
  const iso = (at: number) => new Date(at + offset).toISOString();
  console.log(`bench:sessions-api — YOOCHOOSE 100k next clicks end to end through the API, data from ${args.dir}`);
  console.log(`train ${train.length} sessions, ${train.reduce((n, s) => n + s.clicks.length, 0)} clicks; test ${test.length} of ${allTest.length} sessions, ` +
    `${expectedPoints} points; phases ${PHASES.join(', ')}; ${CONCURRENCY} sessions at once; times ${args.present ? `moved by ${(offset / 86_400_000).toFixed(1)} days to the present` : 'as in the data (2014)'}\n`);

  const results: PhaseResult[] = [];
  for (const phase of PHASES) results.push(await runPhase(phase, train, test, iso));

  const elapsed = (performance.now() - started) / 1000;
  console.log(`\nbench:sessions-api — next-click prediction through the public API (recordEvents, recommendationsUpdated, recommendations; limit ${LIMIT}, excludeInteracted: false), YOOCHOOSE 100k, ${PROTOCOL_POINTS.toLocaleString('en')}-point protocol of PROTOCOL.md`);
  console.log(`machine: ${await describeMachine()}\n`);
  console.log('| | HR@5 | HR@10 | HR@20 | MRR@5 | MRR@10 | MRR@20 |\n|---|---|---|---|---|---|---|');
  for (const p of results) console.log(`| ${p.title} | ${p.replay.query.cells().join(' | ')} |`);
  for (const row of references) console.log(`| ${row[0]} (PROTOCOL.md) | ${row.slice(1).join(' | ')} |`);
  for (const p of results) {
    const complete = p.replay.query.points === PROTOCOL_POINTS ? `the protocol's ${PROTOCOL_POINTS.toLocaleString('en')}` : `NOT the protocol's ${PROTOCOL_POINTS.toLocaleString('en')}`;
    console.log(`\n${p.title}: ${p.replay.query.points} points (${complete}; ${expectedPoints} expected from the sessions replayed)`);
  }
  console.log(`elapsed ${(elapsed / 60).toFixed(1)} min (${results.map((p) => `${p.phase} ${p.seconds.toFixed(0)} s`).join(', ')})\n`);

  console.log('| phase | import s (applied after s) | train s | replay s | pushes missed | push p50 / p99 ms | query p50 / p99 ms | pushed list HR@20 / MRR@20 | push = query | repeat targets (hit @20) | short lists | lists by model |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const p of results) {
    const r = p.replay;
    const [push50, , push99] = latencyColumns(r.pushMs);
    const [q50, , q99] = latencyColumns(r.queryMs);
    const pushedCells = r.pushed.cells();
    console.log(`| ${p.phase} | ${p.recordSeconds.toFixed(1)} (${p.applySeconds.toFixed(1)}) | ${p.trained ? p.trained.seconds.toFixed(1) : '–'} | ${r.seconds.toFixed(1)} | ${r.missedPushes} | ${push50} / ${push99} | ${q50} / ${q99} | ` +
      `${pushedCells[2]} / ${pushedCells[5]} | ${((100 * r.sameAsPush) / Math.max(1, r.pushed.points)).toFixed(1)} % | ${r.repeats} (${r.repeatHits}) | ${r.shortLists} | ` +
      `${[...r.models].map(([m, n]) => `${m} ${n}`).join(', ')} |`);
  }
  console.log('\nPush: from sending a click to the recommendationsUpdated push that reflects it. Push = query: the pushed list and the recommendations answer name the same products in the same order. Repeat targets: the session clicked the target before.');
}

runBench(main);
