// One contract for every model family, on synthetic data with a planted answer: three groups of shoppers, each
// buying from its own group of products (one group much bigger, so popularity alone serves only that group well),
// plus a stray product now and then. A working model ranks a shopper's held-out products high, far above
// popularity; a broken one (random, popularity in disguise, a sign error) does not. Everything is seeded.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel } from '../src/recommender';
import { evaluateOnHoldout, historiesByUser, splitHoldout } from '../src/recommender/holdout';
import { rankingMetrics } from '../src/recommender/metrics';
import { Rng } from '../src/recommender/random';
import type { AlgorithmName, HistoryItem, Interaction, RecommenderModel } from '../src/recommender/types';

const GROUP_SIZES = [60, 30, 30];
const ITEMS_PER_GROUP = 12;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

function plantedData(seed: number): { interactions: Interaction[]; groupOfUser: Map<string, number>; groupOfItem: (item: string) => number } {
  const rng = new Rng(seed);
  const interactions: Interaction[] = [];
  const groupOfUser = new Map<string, number>();
  GROUP_SIZES.forEach((size, g) => {
    for (let n = 0; n < size; n++) {
      const user = `g${g}-u${n}`;
      groupOfUser.set(user, g);
      // Six distinct products of the user's group, the first products of a group more popular than the last.
      const picked = new Set<number>();
      while (picked.size < 6) picked.add(Math.floor(ITEMS_PER_GROUP * rng.next() ** 1.5));
      for (const k of picked) {
        interactions.push({ user, item: `g${g}-p${k}`, weight: 1 + rng.int(4), timestamp: NOW - rng.int(30) * DAY });
      }
      if (rng.next() < 0.5) {
        const other = (g + 1 + rng.int(GROUP_SIZES.length - 1)) % GROUP_SIZES.length;
        interactions.push({ user, item: `g${other}-p${rng.int(ITEMS_PER_GROUP)}`, weight: 1, timestamp: NOW - rng.int(30) * DAY });
      }
    }
  });
  return { interactions, groupOfUser, groupOfItem: (item) => Number(item.slice(1, item.indexOf('-'))) };
}

/**
 * Most interacted-with products first, without the user's own: the baseline a model must beat by far. Told each
 * user's group (`groupOf`), it becomes the oracle a model can at best approach: the stray products are
 * unpredictable, and within a group only popularity is planted.
 */
function popularityNdcg(split: { train: Interaction[]; test: Interaction[] }, k: number, groupOf?: (user: string, item: string) => boolean): number {
  const counts = new Map<string, number>();
  for (const x of split.train) counts.set(x.item, (counts.get(x.item) ?? 0) + 1);
  const byPopularity = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a.localeCompare(b));
  const histories = historiesByUser(split.train);
  const relevant = new Map<string, Set<string>>();
  for (const x of split.test) relevant.set(x.user, (relevant.get(x.user) ?? new Set()).add(x.item));
  const recommended = new Map<string, string[]>();
  for (const user of relevant.keys()) {
    const seen = new Set((histories.get(user) ?? []).map((h) => h.item));
    recommended.set(user, byPopularity.filter((i) => !seen.has(i) && (!groupOf || groupOf(user, i))).slice(0, k));
  }
  return rankingMetrics(recommended, relevant, k).ndcg;
}

const data = plantedData(7);
const split = splitHoldout(data.interactions, { seed: 11, testFraction: 0.25 });
const histories = historiesByUser(split.train);
const K = 5;
const baselineNdcg = popularityNdcg(split, K);
const oracleNdcg = popularityNdcg(split, K, (user, item) => data.groupOfItem(item) === data.groupOfUser.get(user));

// Each family with its production defaults.
const families: Array<{ algorithm: AlgorithmName; params?: Record<string, unknown> }> = [
  { algorithm: 'sar' },
  { algorithm: 'ease' },
  { algorithm: 'als' },
  { algorithm: 'bpr' },
  { algorithm: 'itemknn' },
];

describe.each(families)('$algorithm', ({ algorithm, params }) => {
  const model = createModel(algorithm, params).fit(split.train);
  const users = [...histories.keys()].slice(0, 40);

  it('recovers the planted groups: held-out products rank high, far above popularity', () => {
    // A check of the data itself: popularity serves the big group and fails the others.
    expect(baselineNdcg).toBeGreaterThan(0.15);
    expect(oracleNdcg).toBeGreaterThan(2 * baselineNdcg * 0.9);
    const m = evaluateOnHoldout(model, split, K);
    expect(m.users).toBeGreaterThan(100);
    expect(m.ndcg).toBeGreaterThan(1.5 * baselineNdcg);
    expect(m.ndcg).toBeGreaterThan(0.75 * oracleNdcg);

    let own = 0;
    let total = 0;
    for (const [user, history] of histories) {
      for (const { item } of model.scoreUser(history, { limit: K })) {
        total++;
        if (data.groupOfItem(item) === data.groupOfUser.get(user)) own++;
      }
    }
    expect(own / total).toBeGreaterThan(0.9);
  });

  it('never returns excluded or already-seen products, and honours the limit', () => {
    for (const user of users) {
      const history = histories.get(user)!;
      const top = model.scoreUser(history, { limit: 3 }).map((r) => r.item);
      const exclude = new Set(top);
      const rest = model.scoreUser(history, { limit: 8, exclude });
      expect(rest).toHaveLength(8);
      const seen = new Set(history.map((h) => h.item));
      for (const { item } of rest) {
        expect(exclude.has(item)).toBe(false);
        expect(seen.has(item)).toBe(false);
      }
      const scores = rest.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // Asked to keep history items, a model may return them; every returned item is one it knows.
    const all = model.scoreUser(histories.get(users[0]!)!, { limit: 100, excludeHistory: false });
    expect(all.length).toBe(model.items.length);
    expect(new Set(all.map((r) => r.item))).toEqual(new Set(model.items));
  });

  it('ignores products it never saw in a history', () => {
    const history = histories.get(users[1]!)!;
    const withUnknown: HistoryItem[] = [...history, { item: 'never-seen', weight: 5 }];
    expect(model.scoreUser(withUnknown, { limit: 10 })).toEqual(model.scoreUser(history, { limit: 10 }));
  });

  it('serialises to a snapshot that loads into a model with identical scores', () => {
    const bytes = model.serialize();
    const loaded: RecommenderModel = loadModel(bytes);
    expect(loaded.algorithm).toBe(algorithm);
    expect(loaded.params).toEqual(model.params);
    expect(loaded.items).toEqual(model.items);
    for (const user of users) {
      const history = histories.get(user)!;
      expect(loaded.scoreUser(history, { limit: 10 })).toEqual(model.scoreUser(history, { limit: 10 }));
    }
    expect(loaded.serialize()).toEqual(bytes);
  });

  it('is deterministic: the same data gives the same model, byte for byte', () => {
    const again = createModel(algorithm, params).fit(split.train);
    expect(again.serialize()).toEqual(model.serialize());
  });
});

describe('splitHoldout with maxTestUsers', () => {
  it('holds out items of that many users, the same ones every time, and keeps the rest whole in train', () => {
    const small = splitHoldout(data.interactions, { seed: 11, maxTestUsers: 10 });
    const tested = new Set(small.test.map((x) => x.user));
    expect(tested.size).toBe(10);
    expect(new Set(splitHoldout(data.interactions, { seed: 11, maxTestUsers: 10 }).test.map((x) => x.user))).toEqual(tested);
    expect(small.train.length + small.test.length).toBe(data.interactions.length);
    const inTrain = (user: string) => small.train.filter((x) => x.user === user).length;
    const all = (user: string) => data.interactions.filter((x) => x.user === user).length;
    for (const user of data.groupOfUser.keys()) {
      if (tested.has(user)) expect(inTrain(user)).toBeLessThan(all(user));
      else expect(inTrain(user)).toBe(all(user));
    }
  });
});

describe('the planted-structure check itself', () => {
  it('fails a model with a sign error', () => {
    // A working model with its ranking turned upside down: what a flipped gradient or a wrong subtraction gives.
    const working = createModel('ease').fit(split.train);
    const broken: RecommenderModel = {
      algorithm: 'ease',
      params: {},
      items: working.items,
      fit() {
        return this;
      },
      scoreUser: (history, opts = {}) =>
        working.scoreUser(history, { ...opts, limit: working.items.length }).reverse().slice(0, opts.limit ?? 10).map((r) => ({ ...r, score: -r.score })),
      serialize: () => working.serialize(),
    };
    expect(evaluateOnHoldout(broken, split, K).ndcg).toBeLessThan(baselineNdcg);
  });
});
