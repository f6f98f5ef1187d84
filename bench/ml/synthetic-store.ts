// A synthetic shop's event history for the training scale benchmark, turned into training interactions the way
// ModelStore.interactions does in SQL: event weights summed per (user, product), decayed by age, for the
// TRAIN_MAX_USERS users first in md5(user id) order.
//
// Product popularity follows a power law (Zipf, s = 1), shopper activity is skewed (a few heavy shoppers), and
// each shopper belongs to one of 50 taste segments with its own popular products, so the models have something
// to learn. Every shopper's events come from a stream seeded by their id: the sample does not change them.
import { createHash } from 'node:crypto';
import { hashSeed, Rng } from '../../src/recommender/random';
import type { Interaction } from '../../src/recommender/types';

const DAY_MS = 86_400_000;
const SEGMENTS = 50;
/** Event types with their share of events and the platform's default weights (TRAIN_EVENT_WEIGHTS). */
const EVENT_MIX = [
  { share: 0.7, weight: 1 }, // VIEW
  { share: 0.15, weight: 2 }, // CLICK
  { share: 0.1, weight: 4 }, // ADD_TO_CART
  { share: 0.05, weight: 8 }, // PURCHASE
];

export interface StoreShape {
  events: number;
  products: number;
  /** Average events per shopper. @default 50 */
  eventsPerUser?: number;
  /** TRAIN_MAX_USERS; 0 = everyone. @default 50000 */
  maxUsers?: number;
  /** TRAIN_HALF_LIFE_DAYS. @default 30 */
  halfLifeDays?: number;
  seed?: number;
}

/** Inverse-CDF sampler for Zipf(s = 1) over n ranks, by binary search on the cumulative weights. */
function zipfSampler(n: number): (u: number) => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / (r + 1);
  return (u) => {
    const target = u * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function syntheticInteractions(shape: StoreShape): { interactions: Interaction[]; users: number; sampledUsers: number; events: number } {
  const eventsPerUser = shape.eventsPerUser ?? 50;
  const maxUsers = shape.maxUsers ?? 50_000;
  const halfLife = (shape.halfLifeDays ?? 30) * DAY_MS;
  const seed = shape.seed ?? 1;
  const users = Math.max(1, Math.round(shape.events / eventsPerUser));
  const ids = Array.from({ length: users }, (_, u) => `user-${seed}-${u}`);
  // SELECT ... ORDER BY md5(user_id) LIMIT maxUsers
  const sampled = maxUsers > 0 && users > maxUsers
    ? ids.map((id) => ({ id, key: createHash('md5').update(id).digest('hex') })).sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, maxUsers).map((x) => x.id)
    : ids;
  const zipf = zipfSampler(shape.products);
  const now = Date.UTC(2026, 0, 1);
  const interactions: Interaction[] = [];
  let events = 0;
  const pairs = new Map<number, { weight: number; last: number }>();
  for (const user of sampled) {
    const rng = new Rng(hashSeed(user));
    const segment = rng.int(SEGMENTS);
    // Activity ~ exponential around the mean: many light shoppers, a few heavy ones.
    const n = Math.max(1, Math.round(-Math.log(1 - rng.next()) * eventsPerUser));
    pairs.clear();
    for (let e = 0; e < n; e++) {
      const rank = zipf(rng.next());
      // Half the events follow the segment's taste: the same popularity curve over a shifted catalogue.
      const product = rng.next() < 0.5 ? (rank + segment * Math.floor(shape.products / SEGMENTS)) % shape.products : rank;
      const u = rng.next();
      let acc = 0;
      const type = EVENT_MIX.find((t) => (acc += t.share) > u) ?? EVENT_MIX[0]!;
      const at = now - rng.next() * 90 * DAY_MS;
      const p = pairs.get(product) ?? { weight: 0, last: 0 };
      p.weight += type.weight * Math.pow(0.5, (now - at) / halfLife);
      p.last = Math.max(p.last, at);
      pairs.set(product, p);
    }
    events += n;
    for (const [product, p] of pairs) interactions.push({ user, item: `sku-${product}`, weight: p.weight, timestamp: p.last });
  }
  return { interactions, users, sampledUsers: sampled.length, events };
}
