// Plain f64 GEMM: C[m, n] = (accumulate ? C0 : 0) + op(A)·op(B), row-major,
// A stored [m, k] (or [k, m] when transA), B stored [k, n] (or [n, k] when transB).

export interface GemmRef {
  /** The product, computed in f64. */
  c: Float64Array;
  /** Σ_p |op(A)[i, p]·op(B)[p, j]| + |C0[i, j]|: the scale of the rounding error bound. */
  absSum: Float64Array;
}

export function gemmRef(
  a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number> | null,
  m: number, n: number, k: number, transA: boolean, transB: boolean,
): GemmRef {
  const c = new Float64Array(m * n);
  const absSum = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0;
      let s1 = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
        s1 += Math.abs(av * bv);
      }
      c[i * n + j] = s;
      absSum[i * n + j] = s1;
    }
  }
  return { c, absSum };
}

/**
 * Error bound for a dot product of k terms plus one accumulated term, in any summation
 * order (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.5):
 *   |fl(c) − c| ≤ γ_{k+1} · Σ|terms|,  γ_j = j·u / (1 − j·u).
 * One more u covers the f64 oracle's own rounding, which is far below it.
 */
export function dotErrorFactor(k: number, u: number): number {
  const j = k + 2;
  return (j * u) / (1 - j * u);
}
