// npm run bench:sessions [-- --windows 3,5,10,20 --limit 20 --dir ../shared/data/yoochoose-100k]
// How well the real-time path predicts a session's next click, and what each co-occurrence window costs: the
// train sessions go through the worker's own planning (planFeatureWrites, each event paired with the `window`
// most recent items of its session) into an in-memory co-occurrence store trimmed as Redis keeps it; then, for
// every click of every test session after its first, RecommendationService's live computation (liveRanking,
// as bench:ranking times it) ranks a list from the clicks before it, and the list is
// scored against the click. In-process, no I/O: the ranking, filters and constants are the service's own.
// Data: YOOCHOOSE clicks, a 100k sample split into train and test sessions (not redistributable: read from
// SESSIONS_DIR or --dir, never copied into the project).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CO_OCCURRENCE_WINDOW, planFeatureWrites, type RecentItems } from '../src/services/feature-updates';
import { NEIGHBOURS_PER_SEED, POPULAR_READ } from '../src/services/recommendations';
import type { StoredEvent } from '../src/store/events';
import { CO_OCCURRENCE_KEPT, RECENT_READ, neighbourList, type NeighbourList, type UserChange } from '../src/store/feature-store';
import type { Product } from '../src/store/products';
import { liveRanking } from './live-ranking';
import { describeMachine, runBench } from './support';

const { values: args } = parseArgs({
  options: {
    windows: { type: 'string', default: '3,5,10,20' },
    limit: { type: 'string', default: '20' },
    dir: { type: 'string', default: process.env.SESSIONS_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/yoochoose-100k') },
  },
});
const WINDOWS = args.windows.split(',').map(Number);
const LIMIT = Number(args.limit);

interface Click {
  session: string;
  item: string;
  at: number;
}

/** A session file (tab-separated SessionId, ItemId, Time in epoch seconds) as sessions, each in time order. */
function readSessions(file: string): Click[][] {
  const bySession = new Map<string, Click[]>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [session, item, time] = line.split('\t');
    if (!session || !item || !time) continue;
    const list = bySession.get(session) ?? [];
    list.push({ session, item, at: Math.round(Number(time) * 1000) });
    bySession.set(session, list);
  }
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

/** The train sessions through the worker's planning into an in-memory feature store; its writes per event. */
function learn(train: Click[][], window: number) {
  const co = new Map<string, Map<string, number>>();
  const popularity = new Map<string, number>();
  let seq = 0;
  let writes = 0;
  for (const session of train) {
    // As the worker reads it: nothing recorded before for a new session (no user ids in this data).
    const recent: RecentItems = { users: new Map(), sessions: new Map() };
    const plan = planFeatureWrites(session.map((c) => view(c, seq++)), recent, window);
    for (const [p, by] of plan.popularity) popularity.set(p, (popularity.get(p) ?? 0) + by);
    for (const [p, neighbours] of plan.coOccurrence) {
      let list = co.get(p);
      if (!list) co.set(p, (list = new Map()));
      for (const [q, by] of neighbours) list.set(q, (list.get(q) ?? 0) + by);
      writes += neighbours.size;
      // Redis trims a key to its top entries now and then (encodePlan): keys hover just above the bound.
      if (list.size > CO_OCCURRENCE_KEPT * 1.1) co.set(p, new Map(top(list, CO_OCCURRENCE_KEPT)));
    }
  }
  const lists = new Map<string, NeighbourList>();
  for (const [p, list] of co) lists.set(p, neighbourList(new Map(top(list, NEIGHBOURS_PER_SEED))));
  return { lists, popular: new Map(top(popularity, POPULAR_READ)), writesPerEvent: writes / seq };
}

async function main() {
  const train = readSessions(path.join(args.dir, 'yoochoose-clicks-100k_train_full.txt'));
  const test = readSessions(path.join(args.dir, 'yoochoose-clicks-100k_test.txt'));
  const items = new Set([...train, ...test].flat().map((c) => c.item));
  const now = new Date();
  const products = new Map<string, Product>(
    [...items].map((id) => [id, { id, name: id, category: 'none', price: 1, currency: 'USD', stock: 1, lowStockThreshold: 0, createdAt: now, updatedAt: now }]),
  );
  const clicks = test.reduce((n, s) => n + s.length - 1, 0);
  // A click on an item already clicked in the session can never be hit: live lists leave out what the shopper
  // interacted with (and every seed).
  const repeats = test.reduce((n, s) => n + s.filter((c, i) => i > 0 && s.slice(0, i).some((d) => d.item === c.item)).length, 0);
  console.log(`train: ${train.length} sessions, ${train.flat().length} clicks; test: ${test.length} sessions, ${clicks} next clicks to predict (${repeats} repeat an earlier click of their session); ${items.size} items`);

  const rows: string[] = [];
  let popularityScores: { hr: number; mrr: number } | undefined;
  for (const window of WINDOWS) {
    const started = performance.now();
    const { lists, popular, writesPerEvent } = learn(train, window);
    const rankList = liveRanking({ products, neighbours: lists, popular });
    let hits = 0;
    let reciprocal = 0;
    let popHits = 0;
    let popReciprocal = 0;
    for (const session of test) {
      for (let i = 1; i < session.length; i++) {
        const before = session.slice(0, i);
        // The session's recent items as the worker announces them: distinct, newest first, the 20 most recent.
        const recent = [...new Set(before.map((c) => c.item).reverse())].slice(0, RECENT_READ);
        const announced: UserChange = { v: String(i), cart: false, recent, affinity: new Map(), seen: new Set(before.map((c) => c.item)), bought: new Set() };
        const list = await rankList(`t-${session[0]!.session}`, LIMIT, announced);
        const rank = list.items.findIndex((r) => r.product.id === session[i]!.item);
        if (rank >= 0) {
          hits++;
          reciprocal += 1 / (rank + 1);
        }
        if (!popularityScores) {
          // The baseline, once: the most popular products the shopper has not clicked yet.
          const popRank = [...popular.keys()].filter((p) => !recent.includes(p)).slice(0, LIMIT).indexOf(session[i]!.item);
          if (popRank >= 0) {
            popHits++;
            popReciprocal += 1 / (popRank + 1);
          }
        }
      }
    }
    popularityScores ??= { hr: popHits / clicks, mrr: popReciprocal / clicks };
    const hr = hits / clicks;
    const mrr = reciprocal / clicks;
    rows.push(
      `| ${window}${window === CO_OCCURRENCE_WINDOW ? ' (default)' : ''} | ${writesPerEvent.toFixed(1)} | ${hr.toFixed(4)} | ${mrr.toFixed(4)} | ${(hr / popularityScores.hr).toFixed(2)} | ${((performance.now() - started) / 1000).toFixed(1)} |`,
    );
    console.log(rows.at(-1));
  }
  console.log(`\nbench:sessions — next-click prediction on YOOCHOOSE (100k sample), lists of ${LIMIT}, the live path's ranking with excludeInteracted`);
  console.log(`machine: ${await describeMachine()}\n`);
  console.log(`| co-occurrence window | co-occurrence writes per event | HR@${LIMIT} | MRR@${LIMIT} | HR vs popularity | s |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nPopularity (the ${LIMIT} most popular products not clicked yet), same run: HR@${LIMIT} ${popularityScores!.hr.toFixed(4)}, MRR@${LIMIT} ${popularityScores!.mrr.toFixed(4)}.`);
}

runBench(main);
