// npm run bench:movielens-api [-- --mappings view,grades,repeat] [-- --half-lives auto,30,0] [-- --families auto,als,ease]
// MovieLens 100k with the Microsoft Recommenders split, end to end through the platform: a real deployment (API
// and worker processes, a database and Redis prefix of its own), the 1,682 movies as a catalog, train.tsv
// imported as events through `recordEvents` (service token, batches of 1,000, occurredAt = the rating's time),
// `retrainModel` run by the worker, and each of the 943 test users' `recommendations(limit: 10)` over GraphQL
// scored against test.tsv with src/recommender/metrics.ts — next to the same family fitted offline
// (bench/ml/offline.ts) and the published table.
//
// Each mapping (how a rating becomes events, bench/ml/ratings-as-events.ts) gets a deployment of its own; each
// TRAIN_HALF_LIFE_DAYS setting a worker of its own on the same data. TRAIN_PROMOTION_TOLERANCE=1 makes every
// trained model ACTIVE, so that each family is measured as served (the bench prints what the default tolerance
// would have decided). The data's licence forbids redistribution: it is read from MOVIELENS_DIR, never copied.
import { parseArgs } from 'node:util';
import { rankingMetrics, type RankingMetrics } from '../src/recommender/metrics';
import type { AlgorithmName } from '../src/recommender/types';
import type { TrainingAlgorithm } from '../src/services/model-training';
import type { PlatformProcess } from '../test/support/process';
import { MOVIELENS_DIR, ratingInteractions, readMovies, requireSplit, type Rating } from './ml/ml100k';
import { fitAndEvaluate, K, type OfflineRun } from './ml/offline';
import { BEST_PUBLISHED, f6, metricsRow, PUBLISHED } from './ml/published';
import { expectedInteractions, itemOf, MAPPINGS, productId, ratingEvents, userId, type Mapping } from './ml/ratings-as-events';
import { eventsApplied, importEvents, trainAndServe } from './api-steps';
import { createDeployment, describeMachine, latencyColumns, runBench, type BenchDeployment } from './support';

const { values: args } = parseArgs({
  options: {
    mappings: { type: 'string', default: 'view,grades,repeat' },
    // TRAIN_HALF_LIFE_DAYS per worker: `auto` (the default: chosen per training on its hold-out) or days.
    'half-lives': { type: 'string', default: 'auto' },
    families: { type: 'string', default: 'auto' },
    /** recommendations requests in flight at once. */
    concurrency: { type: 'string', default: '4' },
  },
});
const MAPPING_NAMES = args.mappings!.split(',');
const HALF_LIVES = args['half-lives']!.split(',').map((h) => (h === 'auto' ? 'auto' : Number(h)));
// `auto` (the platform's default): the training chooses among ALS, EASE and their ensemble on its hold-out.
const FAMILIES = args.families!.split(',') as TrainingAlgorithm[];
const CONCURRENCY = Number(args.concurrency);
for (const m of MAPPING_NAMES) if (!MAPPINGS[m]) throw new Error(`unknown mapping ${m}; known: ${Object.keys(MAPPINGS).join(', ')}`);

const UPSERT = `mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`;
const RECOMMEND = `query($u: ID!) { recommendations(userId: $u, limit: ${K}, excludeInteracted: true) { model items { product { id } } } }`;

interface Measured {
  mapping: string;
  /** TRAIN_HALF_LIFE_DAYS, and the half-life the training used (its choice when auto). */
  halfLife: number | 'auto';
  usedHalfLife: number;
  /** The family asked for (`auto` or a family), and the one trained (auto's choice). */
  asked: TrainingAlgorithm;
  family: AlgorithmName;
  /** An ensemble's parts and weights ("als 0.8 + ease 0.2"), else empty. */
  blend: string;
  params: Record<string, unknown>;
  metrics: RankingMetrics;
  /** The same family fitted offline on the weights this import should produce. */
  offlineSameWeights: RankingMetrics;
  shortLists: number;
  trainSeconds: number;
  jobSeconds: number;
  queriesSeconds: number;
  queryMs: number[];
  /** What TRAIN_PROMOTION_TOLERANCE=0 would have decided. */
  promotedByDefault: boolean;
}

/** Imports the training ratings as events; returns seconds to record and seconds until the worker applied them. */
async function importRatings(d: BenchDeployment, train: Rating[], mapping: Mapping): Promise<{ events: number; recordSeconds: number; applySeconds: number }> {
  const admin = await d.token('admin');
  const service = await d.token('service');
  const movies = readMovies() ?? [...new Set(train.map((r) => r.item))].map((item) => ({ item, title: `Movie ${item}`, genre: 'movie' }));
  // Every movie of u.item (1,682), with stock that no number of purchases in the data can exhaust.
  const products = movies.map((m) => ({ id: productId(m.item), name: m.title, category: m.genre, price: 3.99, stock: 1_000_000 }));
  for (let i = 0; i < products.length; i += 1000) await d.gql(UPSERT, { p: products.slice(i, i + 1000) }, admin);

  const events = ratingEvents(train, mapping);
  const recordSeconds = await importEvents(d, events, service);
  const recorded = performance.now();
  await eventsApplied(d, admin);
  return { events: events.length, recordSeconds, applySeconds: (performance.now() - recorded) / 1000 };
}

/** Trains `family` and returns what the table shows of it. */
/** An ensemble's blend as " (als 0.8 + ease 0.2)"; empty for a single family. */
function blendOf(params: Record<string, unknown>): string {
  const parts = params.parts as Array<{ algorithm: string; weight: number }> | undefined;
  return Array.isArray(parts) ? ` (${parts.map((p) => `${p.algorithm} ${p.weight}`).join(' + ')})` : '';
}

async function trainFamily(d: BenchDeployment, family: TrainingAlgorithm, probeUser: string) {
  const { label, model, seconds } = await trainAndServe(d, { algorithm: family, probeUser });
  const m = model.metrics;
  return {
    label,
    algorithm: model.algorithm as AlgorithmName,
    /** The served family's parameters (an ensemble's: its parts and their weights), for the offline reference. */
    params: model.params as Record<string, unknown>,
    usedHalfLife: model.halfLifeDays as number,
    trainSeconds: seconds,
    jobSeconds: model.durationMs / 1000,
    promotedByDefault: m.baselineNdcgAt10 === null || m.ndcgAt10 >= m.baselineNdcgAt10,
  };
}

async function queryAll(d: BenchDeployment, users: string[], label: string) {
  const service = await d.token('service');
  const recommended = new Map<string, string[]>();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < users.length) {
      const user = users[next++]!;
      const t0 = performance.now();
      const list = (await d.gql(RECOMMEND, { u: userId(user) }, service)).recommendations;
      latencies.push(performance.now() - t0);
      if (list.model !== label) throw new Error(`user ${user} was served ${list.model}, not ${label}`);
      recommended.set(user, list.items.map((i: any) => itemOf(i.product.id)));
    }
  }));
  return { recommended, latencies, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const { train, test } = requireSplit('bench:movielens-api');
  const relevant = new Map<string, Set<string>>();
  for (const r of test) relevant.set(r.user, (relevant.get(r.user) ?? new Set()).add(r.item));
  const testUsers = [...relevant.keys()];
  console.log(`bench:movielens-api — MovieLens 100k end to end through the platform, split from ${MOVIELENS_DIR}`);
  console.log(`train ${train.length} ratings, ${testUsers.length} test users, k = ${K}; mappings ${MAPPING_NAMES.join(', ')}; TRAIN_HALF_LIFE_DAYS ${HALF_LIVES.join(', ')}; families ${FAMILIES.join(', ')}\n`);

  // The offline reference: each family trained fitted on rating weights, as bench:movielens does (once each).
  const offline = new Map<string, OfflineRun>();
  const offlineOf = (f: AlgorithmName, params: Record<string, unknown>) => {
    const key = `${f}${blendOf(params)}`;
    if (!offline.has(key)) offline.set(key, fitAndEvaluate(f, params, ratingInteractions(train), ratingInteractions(test)));
    return offline.get(key)!;
  };
  const testRows = ratingInteractions(test);
  const results: Measured[] = [];
  const imports: string[] = [];

  for (const name of MAPPING_NAMES) {
    const mapping = MAPPINGS[name]!;
    const d = await createDeployment('movielens', { TRAIN_PROMOTION_TOLERANCE: '1' });
    try {
      await d.start('api');
      let worker: PlatformProcess = await d.start('worker', { TRAIN_HALF_LIFE_DAYS: String(HALF_LIVES[0]) });
      const imported = await importRatings(d, train, mapping);
      imports.push(`| ${name} | ${mapping.description} | ${imported.events} | ${imported.recordSeconds.toFixed(1)} | ${(imported.events / imported.recordSeconds).toFixed(0)} | ${imported.applySeconds.toFixed(1)} |`);
      console.log(`${name}: ${imported.events} events recorded in ${imported.recordSeconds.toFixed(1)} s, applied ${imported.applySeconds.toFixed(1)} s later`);
      for (const [h, halfLife] of HALF_LIVES.entries()) {
        if (h > 0) {
          await worker.kill('SIGTERM');
          worker = await d.start('worker', { TRAIN_HALF_LIFE_DAYS: String(halfLife) });
        }
        for (const family of FAMILIES) {
          const served = await trainFamily(d, family, userId(testUsers[0]!));
          const q = await queryAll(d, testUsers, served.label);
          const metrics = rankingMetrics(q.recommended, relevant, K);
          const offlineSameWeights = fitAndEvaluate(served.algorithm, served.params, expectedInteractions(train, mapping, served.usedHalfLife), testRows).metrics;
          const m: Measured = {
            mapping: name, halfLife, usedHalfLife: served.usedHalfLife, asked: family, family: served.algorithm, blend: blendOf(served.params), params: served.params, metrics, offlineSameWeights,
            shortLists: [...q.recommended.values()].filter((l) => l.length < K).length,
            trainSeconds: served.trainSeconds, jobSeconds: served.jobSeconds, queriesSeconds: q.seconds, queryMs: q.latencies,
            promotedByDefault: served.promotedByDefault,
          };
          results.push(m);
          console.log(`  ${name} half-life ${halfLife}${halfLife === 'auto' ? ` (chose ${served.usedHalfLife})` : ''} ${family}${family === 'auto' ? ` (chose ${served.algorithm}${blendOf(served.params)})` : ''}: NDCG@10 ${f6(metrics.ndcg)} end to end, ${f6(offlineSameWeights.ndcg)} offline on the same weights, ` +
            `${f6(offlineOf(served.algorithm, served.params).metrics.ndcg)} offline on ratings; trained in ${served.trainSeconds.toFixed(1)} s, 943 queries in ${q.seconds.toFixed(1)} s`);
        }
      }
    } finally {
      await d.teardown();
    }
  }

  console.log(`\nmachine: ${await describeMachine()}`);
  console.log('\nImport (recordEvents, service token, batches of 1,000, four in flight; "applied" = until the worker drained the outbox and the events queue):');
  console.log('| mapping | a rating becomes | events | record s | events/s | applied after s |\n|---|---|---|---|---|---|');
  for (const row of imports) console.log(row);
  console.log('\nEnd to end (recommendations over GraphQL, excludeInteracted: true) vs offline, k = 10:');
  console.log('| mapping | TRAIN_HALF_LIFE_DAYS | family | MAP | NDCG@10 | Precision@10 | Recall@10 | vs offline, same weights | vs offline, rating weights | vs BiVAE | short lists | train s (job s) | 943 queries s | query p50 / p99 ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const [p50, , p99] = latencyColumns(r.queryMs);
    console.log(metricsRow(`${r.mapping} | ${r.halfLife === 'auto' ? `auto (chose ${r.usedHalfLife})` : r.halfLife} | **${r.asked === 'auto' ? `auto (chose ${r.family}${r.blend})` : r.family}**`, r.metrics, [
      (r.metrics.ndcg / r.offlineSameWeights.ndcg).toFixed(3),
      (r.metrics.ndcg / offlineOf(r.family, r.params).metrics.ndcg).toFixed(3),
      (r.metrics.ndcg / BEST_PUBLISHED.ndcg).toFixed(3),
      String(r.shortLists),
      `${r.trainSeconds.toFixed(1)} (${r.jobSeconds.toFixed(1)}${r.promotedByDefault ? '' : ', not promoted at tolerance 0'})`,
      r.queriesSeconds.toFixed(1),
      `${p50} / ${p99}`,
    ]));
  }
  console.log('\nOffline references (bench/ml/offline.ts, the same code the worker runs):');
  console.log('| | MAP | NDCG@10 | Precision@10 | Recall@10 |\n|---|---|---|---|---|');
  for (const [family, run] of offline) console.log(metricsRow(`${family}, offline on rating weights`, run.metrics));
  const seen = new Set<string>();
  for (const r of results) {
    const key = `${r.family}${r.blend}, offline on the weights of ${r.mapping} with half-life ${r.usedHalfLife}`;
    if (!seen.has(key)) console.log(metricsRow(key, r.offlineSameWeights));
    seen.add(key);
  }
  for (const p of PUBLISHED.filter((p) => p.ndcg > 0.3)) console.log(metricsRow(`${p.algorithm} (published)`, p));
}

runBench(main);
