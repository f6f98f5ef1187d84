// Seeded pseudo-random numbers, so that a model trained twice on the same data with the same seed is the same
// model (reproducible benchmarks, stable tests, and a retrain that changes nothing changes no recommendation).

/** mulberry32: 32-bit state, fast, and good enough for sampling and initialisation (not for cryptography). */
export class Rng {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // Mixing the seed first keeps small consecutive seeds (1, 2, 3) from starting with correlated streams.
    this.state = hashSeed(seed);
  }

  /** A generator started from `state` as it is, unmixed (the simulator's seededRandom). */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state | 0;
    return rng;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i]!;
      values[i] = values[j]!;
      values[j] = tmp;
    }
    return values;
  }
}

/** Folds any number (or a string, for per-user streams) into a 32-bit seed: FNV-1a, then the first half of
 * MurmurHash3's finaliser (hashUnit adds the second half). */
export function hashSeed(seed: number | string): number {
  let h = 0x811c9dc5;
  const text = typeof seed === 'number' ? String(seed) : seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * A string hashed to [0, 1): hashSeed and the rest of MurmurHash3's finaliser. Stable across processes and releases
 * (A/B assignment depends on it). FNV-1a alone leaves the top bits nearly equal for ids that differ only in their
 * last characters: 40 users `…-ab0` … `…-ab39` all landed in one of two even variants in 11 % of experiments.
 */
export function hashUnit(text: string): number {
  let h = Math.imul(hashSeed(text), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
