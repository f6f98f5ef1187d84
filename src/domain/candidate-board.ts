// The arithmetic of ranking one recommendation list, on numbered products and typed arrays. A live list is
// recomputed on every event of its shopper and touches ~750 candidates (8 seeds' and 3 sequential lists' 50 neighbours, 200
// popular products): as string-keyed maps and one object per candidate, a list cost ≈ 50 % more CPU and much
// more garbage (bench:ranking, BENCHMARKS.md). The rules stay in recommendations.ts; this file only keeps
// the scores, in the same order and with the same ties as those rules spelled out over maps
// (test/recommendation-ranking.test.ts holds the two to the same answers).
import type { NeighbourList } from './neighbours';

/** Dense numbers for product ids. Only the candidates' sources number products (neighbour lists, popular
 * products, model candidates), so it holds at most the products the feature store and models know. */
export class ProductNumbers {
  private readonly numbers = new Map<string, number>();
  readonly ids: string[] = [];

  number(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.numbers.set(id, n);
    }
    return n;
  }

  /** The number of a product that has one, else -1 (a product no source named cannot be a candidate). */
  find(id: string): number {
    return this.numbers.get(id) ?? -1;
  }
}

/** What a seed is: the product page shown, an item in the cart, an item recently interacted with, or (a repeat)
 * the recent item itself, shown again. */
export type SeedKind = 'productPage' | 'cart' | 'recent' | 'repeat';

export interface Candidate {
  /** The real-time part: co-occurrence and popularity (lifted by category affinity at the end). */
  score: number;
  /** The trained model's part (model-blend.ts). */
  modelScore: number;
  fromModel: boolean;
  /** The seed that contributed most, and its kind. */
  seed: string | undefined;
  seedContribution: number;
  seedKind: SeedKind | undefined;
}

/**
 * One list's candidates at a time: begin(), then add scores, then top(). Arrays are indexed by product number
 * and reused from list to list; a value belongs to the current list only where its stamp equals the list's.
 * Not re-entrant: a list's scoring runs without an await in between (the caller's reads come first).
 */
export class CandidateBoard {
  private stamp = 0;
  private capacity = 0;
  private excludedAt = new Uint32Array(0);
  private candidateAt = new Uint32Array(0);
  private modelAt = new Uint32Array(0);
  private score = new Float64Array(0);
  private modelScore = new Float64Array(0);
  private seedContribution = new Float64Array(0);
  /** Index into this list's seeds, -1 for none. */
  private seedOf = new Int32Array(0);
  /** Candidates in the order they were made (ties keep that order). */
  private order = new Int32Array(0);
  private count = 0;
  /** Scratch for top(): a heap of totals and the creation positions they belong to. */
  private heapTotal = new Float64Array(0);
  private heapAt = new Int32Array(0);
  private seeds: Array<{ id: string; kind: SeedKind }> = [];
  /** A neighbour list's ids as numbers, once per list object (cached lists serve many pushes). */
  private readonly numberedLists = new WeakMap<NeighbourList, Int32Array>();
  /** A popular-products map as numbers and scores, in its order, once per map object. */
  private readonly numberedPopular = new WeakMap<Map<string, number>, { numbers: Int32Array; scores: Float64Array }>();

  constructor(private readonly numbers: ProductNumbers) {}

  /** Numbers a neighbour list's ids (once per list object). */
  private neighbourNumbers(list: NeighbourList): Int32Array {
    let numbers = this.numberedLists.get(list);
    if (!numbers) this.numberedLists.set(list, (numbers = Int32Array.from(list.ids, (id) => this.numbers.number(id))));
    return numbers;
  }

  /** Numbers a popular-products map (once per map object). */
  private popularNumbers(popular: Map<string, number>): { numbers: Int32Array; scores: Float64Array } {
    let numbered = this.numberedPopular.get(popular);
    if (!numbered) {
      numbered = { numbers: new Int32Array(popular.size), scores: new Float64Array(popular.size) };
      let i = 0;
      for (const [id, s] of popular) {
        numbered.numbers[i] = this.numbers.number(id);
        numbered.scores[i++] = s;
      }
      this.numberedPopular.set(popular, numbered);
    }
    return numbered;
  }

  /**
   * Starts a list whose candidates come from these sources: they are numbered first, so that every product that
   * can become a candidate has a number before exclude() is asked about it.
   */
  begin(sources: { neighbours: Iterable<NeighbourList>; popular: Map<string, number>; model: Map<string, number>; also?: Iterable<string> }): void {
    for (const list of sources.neighbours) this.neighbourNumbers(list);
    this.popularNumbers(sources.popular);
    for (const id of sources.model.keys()) this.numbers.number(id);
    for (const id of sources.also ?? []) this.numbers.number(id);
    if (this.numbers.ids.length > this.capacity) this.grow(this.numbers.ids.length);
    if (++this.stamp === 0xffffffff) {
      // Stamps wrapped around: clear them so that no old stamp can match a new list's.
      for (const a of [this.excludedAt, this.candidateAt, this.modelAt]) a.fill(0);
      this.stamp = 1;
    }
    this.count = 0;
    this.seeds = [];
  }

  /** Leaves a product out of this list's candidates (a seed, or excluded for the user). */
  exclude(id: string): void {
    const n = this.numbers.find(id);
    if (n >= 0) this.excludedAt[n] = this.stamp;
  }

  /** Adds `weight × (neighbour weight / top)` to each neighbour of a seed (a list given to begin()), remembering
   * each candidate's strongest seed. */
  addNeighbours(seed: string, kind: SeedKind, weight: number, list: NeighbourList): void {
    const numbers = this.neighbourNumbers(list);
    const seedIndex = this.seeds.push({ id: seed, kind }) - 1;
    const { weights, top } = list;
    for (let i = 0; i < numbers.length; i++) {
      const n = numbers[i]!;
      if (this.excludedAt[n] === this.stamp) continue;
      const contribution = (weight * weights[i]!) / top;
      this.make(n);
      this.score[n] = this.score[n]! + contribution;
      if (contribution > this.seedContribution[n]!) {
        this.seedOf[n] = seedIndex;
        this.seedContribution[n] = contribution;
      }
    }
  }

  /** Adds a repeat visit's score to a product given to begin() (`also`): its own seed, of kind 'repeat'. */
  addRepeat(id: string, score: number): void {
    const n = this.numbers.find(id);
    if (n < 0 || this.excludedAt[n] === this.stamp) return;
    const seedIndex = this.seeds.push({ id, kind: 'repeat' }) - 1;
    this.make(n);
    this.score[n] = this.score[n]! + score;
    if (score > this.seedContribution[n]!) {
      this.seedOf[n] = seedIndex;
      this.seedContribution[n] = score;
    }
  }

  /** Makes a product (a model candidate given to begin()) a model candidate with this score. */
  addModel(id: string, score: number): void {
    const n = this.numbers.find(id);
    if (n < 0 || this.excludedAt[n] === this.stamp) return;
    this.make(n);
    this.modelScore[n] = score;
    this.modelAt[n] = this.stamp;
  }

  /**
   * Popularity: lifts existing candidates by `weight × score / topScore` and makes at most `fillers` new ones,
   * most popular first; the model's candidates and excluded products are left alone.
   */
  addPopular(popular: Map<string, number>, topScore: number, weight: number, fillers: number): void {
    if (!topScore) return;
    const { numbers, scores } = this.popularNumbers(popular);
    for (let i = 0; i < numbers.length; i++) {
      const n = numbers[i]!;
      if (this.excludedAt[n] === this.stamp || this.modelAt[n] === this.stamp) continue;
      const lift = weight * (scores[i]! / topScore);
      if (this.candidateAt[n] === this.stamp) this.score[n] = this.score[n]! + lift;
      else if (fillers-- > 0) {
        this.make(n);
        this.score[n] = lift;
      }
    }
  }

  /** How many candidates this list has. */
  get size(): number {
    return this.count;
  }

  /**
   * The `k` best candidates by total score (model part + real-time part), best first, equal scores in the order
   * the candidates were made (what a stable sort gives), without sorting them all.
   */
  top(k: number): Array<[string, Candidate]> {
    if (k <= 0) return [];
    // A bounded heap of the best so far, its root the worst of them: lower total, or equal total and made later.
    // Candidates come in creation order, so one that only equals the root's total is worse than the root.
    if (this.heapTotal.length < k) {
      this.heapTotal = new Float64Array(k);
      this.heapAt = new Int32Array(k);
    }
    const total = this.heapTotal;
    const at = this.heapAt;
    /** Whether the candidate made `i`-th with total `t` ranks below the one made `j`-th with total `u`. */
    const worse = (t: number, i: number, u: number, j: number) => t < u || (t === u && i > j);
    /** Moves the root's hole down a heap of `size` entries to where (t, i) belongs, and returns it. */
    const siftDown = (size: number, t: number, i: number) => {
      let hole = 0;
      for (;;) {
        let child = 2 * hole + 1;
        if (child >= size) return hole;
        if (child + 1 < size && worse(total[child + 1]!, at[child + 1]!, total[child]!, at[child]!)) child++;
        if (!worse(total[child]!, at[child]!, t, i)) return hole;
        total[hole] = total[child]!;
        at[hole] = at[child]!;
        hole = child;
      }
    };
    let size = 0;
    for (let i = 0; i < this.count; i++) {
      const n = this.order[i]!;
      const t = this.modelScore[n]! + this.score[n]!;
      let hole: number;
      if (size < k) {
        // Sift up from the end.
        hole = size++;
        while (hole > 0) {
          const parent = (hole - 1) >> 1;
          if (!worse(t, i, total[parent]!, at[parent]!)) break;
          total[hole] = total[parent]!;
          at[hole] = at[parent]!;
          hole = parent;
        }
      } else {
        if (!worse(total[0]!, at[0]!, t, i)) continue;
        hole = siftDown(size, t, i); // replaces the root
      }
      total[hole] = t;
      at[hole] = i;
    }
    // Best first: pop the heap (its root is the worst left) into the result from the back. In place, where
    // sorting its slots with a comparator had cost about a tenth of a list's computation (bench:ranking).
    const best = new Array<number>(size);
    for (let end = size - 1; end >= 0; end--) {
      best[end] = this.order[at[0]!]!;
      const t = total[end]!;
      const i = at[end]!;
      const hole = siftDown(end, t, i); // the last entry replaces the root
      total[hole] = t;
      at[hole] = i;
    }
    return best.map((n) => {
      const seed = this.seedOf[n]! >= 0 ? this.seeds[this.seedOf[n]!] : undefined;
      return [
        this.numbers.ids[n]!,
        {
          score: this.score[n]!,
          modelScore: this.modelScore[n]!,
          fromModel: this.modelAt[n] === this.stamp,
          seed: seed?.id,
          seedContribution: this.seedContribution[n]!,
          seedKind: seed?.kind,
        },
      ];
    });
  }

  private make(n: number): void {
    if (this.candidateAt[n] === this.stamp) return;
    this.candidateAt[n] = this.stamp;
    this.score[n] = 0;
    this.modelScore[n] = 0;
    this.seedContribution[n] = 0;
    this.seedOf[n] = -1;
    if (this.count === this.order.length) {
      const order = new Int32Array(Math.max(64, this.order.length * 2));
      order.set(this.order);
      this.order = order;
    }
    this.order[this.count++] = n;
  }

  /** Room for `size` products (stamps carry over). */
  private grow(size: number): void {
    const capacity = Math.max(size, this.capacity * 2, 1024);
    const grown = <A extends Uint32Array | Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.excludedAt = grown(this.excludedAt, (n) => new Uint32Array(n));
    this.candidateAt = grown(this.candidateAt, (n) => new Uint32Array(n));
    this.modelAt = grown(this.modelAt, (n) => new Uint32Array(n));
    this.score = grown(this.score, (n) => new Float64Array(n));
    this.modelScore = grown(this.modelScore, (n) => new Float64Array(n));
    this.seedContribution = grown(this.seedContribution, (n) => new Float64Array(n));
    this.seedOf = grown(this.seedOf, (n) => new Int32Array(n));
    this.capacity = capacity;
  }
}
