// npm run bench:ranking [-- --lists 5000 --rounds 5 --neighbours 50 --products 1000]
// CPU of one live list's computation in the API, alone: RecommendationService's computation with the inputs a
// push after the first has in hand (the user's announced state, the FeatureCache's neighbour lists and popular
// products, the ProductCache's rows), so that no I/O is measured, only the ranking (seeds, candidates from a
// dozen neighbour lists and 200 popular products, the best 60, the candidate filter, category affinity, reasons).
// The caches are stand-ins holding synthetic data (a seeded random catalog); everything else is the service's
// own code. In-process and single-threaded: no Postgres, Redis or platform processes.
import { parseArgs } from 'node:util';
import { type UserChange } from '../src/store/announcements';
import { neighbourList } from '../src/domain/neighbours';
import type { Product } from '../src/store/products';
import { liveRanking } from './live-ranking';
import { latencyColumns, runBench } from './support';

const { values: args } = parseArgs({
  options: {
    lists: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    neighbours: { type: 'string', default: '50' },
    products: { type: 'string', default: '1000' },
  },
});
const LISTS = Number(args.lists);
const ROUNDS = Number(args.rounds);
const NEIGHBOURS = Number(args.neighbours);
const PRODUCTS = Number(args.products);

async function main() {
  let state = 1;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const id = (i: number) => `rk-${String(i).padStart(5, '0')}`;
  const now = new Date();
  const products = new Map<string, Product>(
    Array.from({ length: PRODUCTS }, (_, i) => [id(i), { id: id(i), name: `Product ${i}`, category: `cat-${i % 20}`, price: 10, currency: 'USD', stock: 1e6, lowStockThreshold: 10, createdAt: now, updatedAt: now }]),
  );
  const lists = new Map(
    Array.from({ length: PRODUCTS }, (_, i) => [id(i), neighbourList(new Map(Array.from({ length: NEIGHBOURS }, (_, k) => [id(Math.floor(rand() * PRODUCTS)), NEIGHBOURS * 2 - k])))]),
  );
  const popular = new Map(Array.from({ length: 200 }, (_, i) => [id((i * 7) % PRODUCTS), 1000 - i]));
  const rank = liveRanking({ products, neighbours: lists, popular });
  // 500 shoppers with 20 recent items each (a dozen are seeds), those items excluded, two favourite categories.
  const shoppers = Array.from({ length: 500 }, (_, u) => {
    const recent = Array.from({ length: 20 }, () => id(Math.floor(rand() * PRODUCTS)));
    return { userId: `rk-user-${u}`, recent, seen: new Set(recent), affinity: new Map([[`cat-${u % 20}`, 3], [`cat-${(u + 1) % 20}`, 1]]) };
  });
  const perList: number[] = [];
  let items = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < LISTS; i++) {
      const s = shoppers[i % shoppers.length]!;
      const announced: UserChange = { v: String(i), cart: false, listVersion: null, recent: s.recent, affinity: s.affinity, seen: s.seen, bought: new Set() };
      const list = await rank(s.userId, 10, announced);
      items += list.items.length;
    }
    const used = process.cpuUsage(before);
    perList.push((used.user + used.system) / LISTS);
    console.log(`round ${round + 1}: ${perList.at(-1)!.toFixed(1)} µs of CPU per list`);
  }
  if (items !== ROUNDS * LISTS * 10) throw new Error(`expected full lists of 10, got ${items} items in all`);
  const [median] = latencyColumns(perList.slice(1));
  console.log(`\nbench:ranking — ${LISTS} lists per round, ${ROUNDS} rounds (the first one warms the JIT up and is left out of the median), ${PRODUCTS} products, ${NEIGHBOURS} neighbours per seed`);
  console.log(`median: ${median} µs of CPU per list`);
}

runBench(main);
