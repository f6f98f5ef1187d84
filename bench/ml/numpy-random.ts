// numpy's legacy `np.random.seed(n); np.random.rand(k)` (MT19937 seeded with init_genrand, 53-bit doubles from
// two 32-bit draws), so that the bench can carve splits exactly as Microsoft Recommenders' python code does.

const N = 624;
const M = 397;

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** `np.random.seed(seed)` for an integer seed in [0, 2³²). */
  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 · prev + i modulo 2³², without losing bits to double precision.
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** `np.random.rand(n)`: uniform doubles in [0, 1). */
  rand(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = this.nextUint32() >>> 5;
      const b = this.nextUint32() >>> 6;
      out[k] = (a * 67108864 + b) / 9007199254740992;
    }
    return out;
  }
}
