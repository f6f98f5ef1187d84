// Dense linear algebra on row-major Float64Arrays: just what EASE (one n×n inverse) and ALS (many f×f solves)
// need. Loops run along rows so the inner loops read memory contiguously; that is most of the speed in JS.

export class NotPositiveDefiniteError extends Error {
  constructor(readonly pivot: number) {
    super(`matrix is not positive definite (pivot ${pivot}); increase the regularisation`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/** Overwrites the lower triangle of the symmetric n×n `a` with its Cholesky factor L (a = L·Lᵀ). */
export function choleskyInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(i);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
  }
}

/** Solves L·Lᵀ·x = b in place in b, given the factor from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * Inverse of a symmetric positive-definite matrix, written over `a` (returned). About n³/2 multiply-adds:
 * Cholesky, then M = L⁻¹ row by row, then A⁻¹ = Mᵀ·M accumulated as one outer product per row of M.
 */
export function spdInverseInPlace(a: Float64Array, n: number): Float64Array {
  choleskyInPlace(a, n);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    // Row i of L⁻¹ is (e_i − Σ_{k<i} L[i][k]·M[k]) / L[i][i]; rows of M are lower-triangular, so M[k] stops at k.
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const lik = a[ri + k]!;
      if (lik === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) m[ri + j]! -= lik * m[rk + j]!;
    }
    const inv = 1 / a[ri + i]!;
    for (let j = 0; j < i; j++) m[ri + j]! *= inv;
    m[ri + i] = inv;
  }
  a.fill(0);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const mki = m[rk + i]!;
      if (mki === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) a[ri + j]! += mki * m[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return a;
}

export function dot(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[aOff + k]! * b[bOff + k]!;
  return s;
}
