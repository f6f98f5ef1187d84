// npm run bench:sessions [-- --windows 5 --models none,als --dir ../shared/data/yoochoose-100k]
// How well the real-time path predicts a session's next click, on the protocol of the data's PROTOCOL.md
// (session-rec's evaluation_next): the train sessions go through the worker's own planning
// (planFeatureWrites: co-occurrence within `window` recent items, sequential rules) into an in-memory feature
// store trimmed as Redis keeps it; then, for every click of every test session after its first,
// RecommendationService's live computation (liveRanking, as bench:ranking times it) ranks a list of 20 from
// the clicks before it with `excludeInteracted: false` (the protocol counts repeat clicks), optionally next
// to a model trained on the train sessions as the worker would (createModel → fit), and the list is scored
// against the click: HR@k and MRR@k over all 10,152 points, next to the protocol's reference figures.
// In-process, no I/O: the ranking, filters and constants are the service's own. `npm run bench:sessions-api`
// measures the same through a real deployment.
// Data: YOOCHOOSE clicks, a 100k sample split into train and test sessions (not redistributable: read from
// SESSIONS_DIR or --dir, never copied into the project).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createModel } from '../src/recommender';
import type { AlgorithmName } from '../src/recommender/types';
import { CO_OCCURRENCE_WINDOW, planFeatureWrites, type RecentItems } from '../src/domain/feature-updates';
import { NEIGHBOURS_PER_SEED, POPULAR_READ } from '../src/services/recommendations';
import type { StoredEvent } from '../src/domain/events';
import { CO_OCCURRENCE_KEPT, RECENT_READ } from '../src/domain/feature-updates';
import { type UserChange } from '../src/store/announcements';
import { neighbourList, type NeighbourList } from '../src/domain/neighbours';
import type { Product } from '../src/store/products';
import { liveRanking, type ServedModel } from './live-ranking';
import { describeMachine, runBench } from './support';

const { values: args } = parseArgs({
  options: {
    windows: { type: 'string', default: String(CO_OCCURRENCE_WINDOW) },
    models: { type: 'string', default: 'none,als' },
    // static: the protocol's (train sessions only); online: each test click applied once predicted, as the
    // platform does with every event it records (what bench:sessions-api measures).
    learning: { type: 'string', default: 'static,online' },
    dir: { type: 'string', default: process.env.SESSIONS_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/yoochoose-100k') },
  },
});
const WINDOWS = args.windows.split(',').map(Number);
const MODELS = args.models.split(',') as Array<'none' | AlgorithmName>;
const LEARNING = args.learning.split(',') as Array<'static' | 'online'>;
const CUTS = [5, 10, 20] as const;

/** The protocol's reference figures on the same 10,152 points (PROTOCOL.md). */
const REFERENCES: Array<[string, number[]]> = [
  ['most popular', [0.0486, 0.0739, 0.0894, 0.0223, 0.0254, 0.0264]],
  ['co-occurrence with the current item', [0.2772, 0.35, 0.4098, 0.1712, 0.181, 0.1852]],
  ['AR', [0.4658, 0.5567, 0.6344, 0.3065, 0.3189, 0.3243]],
  ['SR', [0.4919, 0.5653, 0.621, 0.337, 0.3471, 0.351]],
  ['VSKNN', [0.5212, 0.6189, 0.6887, 0.3488, 0.362, 0.3669]],
];

interface Click {
  session: string;
  item: string;
  at: number;
}

/** A session file (tab-separated SessionId, ItemId, Time in epoch seconds) as sessions, each in time order. */
export function readSessions(file: string): Click[][] {
  const bySession = new Map<string, Click[]>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [session, item, time] = line.split('\t');
    if (!session || !item || !time) continue;
    const list = bySession.get(session) ?? [];
    list.push({ session, item, at: Math.round(Number(time) * 1000) });
    bySession.set(session, list);
  }
  // Stable sorts: clicks of one second keep the file's order.
  const sessions = [...bySession.values()].map((s) => s.sort((a, b) => a.at - b.at));
  return sessions.sort((a, b) => a[0]!.at - b[0]!.at);
}

const view = (c: Click, seq: number): StoredEvent => ({
  id: `s${seq}`,
  type: 'VIEW',
  userId: `session-${c.session}`,
  sessionId: c.session,
  productId: c.item,
  category: null,
  campaignId: null,
  attributedCampaignId: null,
  recommendationId: null,
  quantity: 1,
  unitPrice: null,
  occurredAt: c.at,
});

/** The top `n` of a score map, strongest first. */
function top(map: Map<string, number>, n: number): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** Adds a plan's item-to-item increments to an in-memory family, trimmed now and then as Redis keeps it. */
function merge(into: Map<string, Map<string, number>>, increments: Map<string, Map<string, number>>): number {
  let writes = 0;
  for (const [p, neighbours] of increments) {
    let list = into.get(p);
    if (!list) into.set(p, (list = new Map()));
    for (const [q, by] of neighbours) list.set(q, (list.get(q) ?? 0) + by);
    writes += neighbours.size;
    if (list.size > CO_OCCURRENCE_KEPT * 1.1) into.set(p, new Map(top(list, CO_OCCURRENCE_KEPT)));
  }
  return writes;
}

/**
 * An in-memory feature store fed by the worker's planning: the train sessions first; with `online`, each test
 * click too once it was predicted, as the platform learns from every event it records.
 */
class Store {
  private readonly co = new Map<string, Map<string, number>>();
  private readonly next = new Map<string, Map<string, number>>();
  private readonly popularity = new Map<string, number>();
  /** Lists as the FeatureCache holds them (top NEIGHBOURS_PER_SEED), rebuilt for the keys a write touched. */
  readonly neighbours = new Map<string, NeighbourList>();
  readonly sequential = new Map<string, NeighbourList>();
  popular = new Map<string, number>();
  private readonly recent: RecentItems = { users: new Map(), sessions: new Map() };
  private seq = 0;
  writes = 0;
  events = 0;

  constructor(private readonly window: number) {}

  /** Applies clicks as the worker would (a session's earlier clicks are its recent items). */
  apply(clicks: Click[]): void {
    const plan = planFeatureWrites(clicks.map((c) => view(c, this.seq++)), this.recent, this.window);
    for (const [p, by] of plan.popularity) this.popularity.set(p, (this.popularity.get(p) ?? 0) + by);
    this.writes += merge(this.co, plan.coOccurrence) + merge(this.next, plan.sequential);
    this.events += clicks.length;
    for (const p of plan.coOccurrence.keys()) this.neighbours.set(p, neighbourList(new Map(top(this.co.get(p)!, NEIGHBOURS_PER_SEED))));
    for (const p of plan.sequential.keys()) this.sequential.set(p, neighbourList(new Map(top(this.next.get(p)!, NEIGHBOURS_PER_SEED))));
    if (plan.popularity.size) this.popular = new Map(top(this.popularity, POPULAR_READ));
  }

  /** Forgets a finished session's recent items (the worker's session keys expire; nothing pairs with them later). */
  end(session: string): void {
    this.recent.sessions.delete(session);
    this.recent.users.delete(`session-${session}`);
  }
}

/** A model of `algorithm` fitted on the train sessions (a session is a shopper, a click weighs 1). */
function train(algorithm: AlgorithmName, sessions: Click[][], history: Map<string, Click[]>): ServedModel {
  const interactions = sessions.flat().map((c) => ({ user: `session-${c.session}`, item: c.item, weight: 1, timestamp: c.at }));
  const model = createModel(algorithm).fit(interactions);
  const cutoff = Math.max(...interactions.map((i) => i.timestamp));
  const version = {
    id: 'bench',
    algorithm,
    params: { training: { referenceTime: new Date(cutoff).toISOString() } },
    metrics: {},
    trainedAt: new Date(cutoff),
    trainingEvents: interactions.length,
    durationMs: 0,
    status: 'ACTIVE',
  } as unknown as ServedModel['version'];
  return {
    version,
    model,
    history: (userId) => {
      const byItem = new Map<string, { item: string; weight: number; lastAt: number }>();
      for (const c of history.get(userId) ?? []) {
        const h = byItem.get(c.item) ?? { item: c.item, weight: 0, lastAt: 0 };
        h.weight += 1;
        h.lastAt = Math.max(h.lastAt, c.at);
        byItem.set(c.item, h);
      }
      return [...byItem.values()];
    },
  };
}

async function main() {
  const trainSessions = readSessions(path.join(args.dir, 'yoochoose-clicks-100k_train_full.txt'));
  const test = readSessions(path.join(args.dir, 'yoochoose-clicks-100k_test.txt')).sort((a, b) => Number(a[0]!.session) - Number(b[0]!.session));
  const items = new Set([...trainSessions, ...test].flat().map((c) => c.item));
  const now = new Date();
  const products = new Map<string, Product>(
    [...items].map((id) => [id, { id, name: id, category: 'none', price: 1, currency: 'USD', stock: 1, lowStockThreshold: 0, createdAt: now, updatedAt: now }]),
  );
  const points = test.reduce((n, s) => n + s.length - 1, 0);
  console.log(`train: ${trainSessions.length} sessions, ${trainSessions.flat().length} clicks; test: ${test.length} sessions, ${points} next clicks to predict; ${items.size} items`);

  const rows: string[] = [];
  const models = new Map<string, ServedModel>();
  // The session so far, as the model's history reads it (set before each prediction).
  const sofar = new Map<string, Click[]>();
  for (const window of WINDOWS) {
    for (const [algorithm, learning] of MODELS.flatMap((m) => LEARNING.map((l) => [m, l] as const))) {
      const started = performance.now();
      const store = new Store(window);
      for (const session of trainSessions) {
        store.apply(session);
        store.end(session[0]!.session);
      }
      const trainWrites = store.writes / store.events;
      if (algorithm !== 'none' && !models.has(algorithm)) models.set(algorithm, train(algorithm, trainSessions, sofar));
      const model = algorithm === 'none' ? undefined : models.get(algorithm);
      // Popular products read when a list asks (online, they change as the test clicks are applied).
      const rankList = liveRanking({ products, neighbours: store.neighbours, sequential: store.sequential, get popular() { return store.popular; }, model });
      const hits = CUTS.map(() => 0);
      const reciprocal = CUTS.map(() => 0);
      // Every test click in time order (online: as the platform records them, sessions interleaved), each one
      // after its session's first predicted from the clicks before it, then applied when learning online.
      const clicks = test.flatMap((session) => session.map((click, i) => ({ session, i, click })));
      if (learning === 'online') clicks.sort((a, b) => a.click.at - b.click.at);
      for (const { session, i, click } of clicks) {
        const userId = `session-${click.session}`;
        if (i > 0) {
          const before = session.slice(0, i);
          sofar.set(userId, before);
          // The session's recent items as the worker announces them: distinct, newest first, the 20 most recent.
          const recent = [...new Set(before.map((c) => c.item).reverse())].slice(0, RECENT_READ);
          const announced: UserChange = { v: String(i), cart: false, listVersion: null, recent, affinity: new Map(), seen: new Set(recent), bought: new Set() };
          const list = await rankList(userId, 20, announced, { excludeInteracted: false });
          const rank = list.items.findIndex((r) => r.product.id === click.item);
          CUTS.forEach((k, c) => {
            if (rank >= 0 && rank < k) {
              hits[c]!++;
              reciprocal[c]! += 1 / (rank + 1);
            }
          });
        }
        if (learning === 'online') store.apply([click]);
      }
      sofar.clear();
      const figures = [...hits, ...reciprocal].map((v) => (v / points).toFixed(4));
      rows.push(
        `| platform, ${algorithm === 'none' ? 'no model' : `${algorithm} model`}, ${learning}, window ${window}${window === CO_OCCURRENCE_WINDOW ? ' (default)' : ''} | ${figures.join(' | ')} | ${trainWrites.toFixed(1)} | ${((performance.now() - started) / 1000).toFixed(1)} |`,
      );
      console.log(rows.at(-1));
    }
  }
  console.log(`\nbench:sessions — next click on YOOCHOOSE (100k sample), ${points} points, lists of 20 with excludeInteracted: false, the live path's ranking in-process`);
  console.log(`machine: ${await describeMachine()}\n`);
  console.log(`| | HR@5 | HR@10 | HR@20 | MRR@5 | MRR@10 | MRR@20 | item-to-item writes per event | s |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  for (const [name, figures] of REFERENCES) console.log(`| ${name} (PROTOCOL.md) | ${figures.map((f) => f.toFixed(4)).join(' | ')} | | |`);
}

runBench(main);
