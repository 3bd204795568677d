// Plain float64 oracles of the preprocessing kernels (assembly/preprocess.ts,
// assembly/linalg.ts) and of the statistics the preprocessors compute. Each is the textbook
// loop, written independently of the kernels; where a kernel promises the same operations
// in the same order (the maps, the projections, the shifted sums) the oracle follows that
// order so the comparison can be exact.

/** Per-column statistics of x [rows, cols]: two-pass mean and variance, and the magnitudes the tolerances use. */
export function momentsRef(x: ArrayLike<number>, rows: number, cols: number) {
  const mean = new Float64Array(cols), variance = new Float64Array(cols);
  const meanAbs = new Float64Array(cols), meanSqShifted = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let s = 0, a = 0;
    for (let r = 0; r < rows; r++) { s += x[r * cols + c]; a += Math.abs(x[r * cols + c]); }
    mean[c] = s / rows;
    meanAbs[c] = a / rows;
    let q = 0, qs = 0;
    for (let r = 0; r < rows; r++) {
      const d = x[r * cols + c] - mean[c];
      q += d * d;
      const e = x[r * cols + c] - x[c];
      qs += e * e;
    }
    variance[c] = q / rows;
    meanSqShifted[c] = qs / rows;
  }
  return { mean, variance, meanAbs, meanSqShifted };
}

/** The kernel's one-pass shifted sums in the kernel's order (rows in order, per column). */
export function shiftedMomentsRef(x: ArrayLike<number>, rows: number, cols: number) {
  const mean = new Float64Array(cols), variance = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let s1 = 0, s2 = 0;
    for (let r = 0; r < rows; r++) {
      const d = x[r * cols + c] - x[c];
      s1 += d;
      s2 += d * d;
    }
    const md = s1 / rows;
    mean[c] = x[c] + md + 0;
    variance[c] = Math.max(s2 / rows - md * md, 0);
  }
  return { mean, variance };
}

/** y = round((x − mean)/div) per column; `round` is Math.fround for float32. */
export function standardizeRef(x: ArrayLike<number>, mean: ArrayLike<number>, div: ArrayLike<number>, rows: number, cols: number, round: (v: number) => number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r * cols + c] = round((x[r * cols + c] - mean[c]) / div[c]);
  return y;
}

export function unstandardizeRef(y: ArrayLike<number>, mean: ArrayLike<number>, div: ArrayLike<number>, rows: number, cols: number, round: (v: number) => number): Float64Array {
  const x = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x[r * cols + c] = round(y[r * cols + c] * div[c] + mean[c]);
  return x;
}

/** cov = X_cᵀX_c/rows with the given mean, summed in row order; also Σ|terms|/rows per element (for the tolerance). */
export function covarianceRef(x: ArrayLike<number>, mean: ArrayLike<number>, rows: number, cols: number) {
  const cov = new Float64Array(cols * cols), abs = new Float64Array(cols * cols);
  const xc = new Float64Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) xc[i] = x[i] - mean[i % cols];
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0, a = 0;
      for (let r = 0; r < rows; r++) { const p = xc[r * cols + i] * xc[r * cols + j]; s += p; a += Math.abs(p); }
      cov[i * cols + j] = s / rows;
      abs[i * cols + j] = a / rows;
    }
  }
  return { cov, abs };
}

/**
 * y[r, m] = round((Σ_k ((x[r, k] − sub[k])·mul[k])·B[k, m]) / div[m] + add[m]), summed over k
 * in order from 0; null operands are skipped. B[k, m] = b[m·K + k] when transB.
 */
export function productRef(
  x: ArrayLike<number>, sub: ArrayLike<number> | null, mul: ArrayLike<number> | null, b: ArrayLike<number>, transB: boolean,
  div: ArrayLike<number> | null, add: ArrayLike<number> | null, rows: number, K: number, M: number, round: (v: number) => number,
): Float64Array {
  const y = new Float64Array(rows * M);
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        let v = x[r * K + k];
        if (sub) v -= sub[k];
        if (mul) v *= mul[k];
        s += v * (transB ? b[m * K + k] : b[k * M + m]);
      }
      if (div) s /= div[m];
      if (add) s += add[m];
      y[r * M + m] = round(s);
    }
  }
  return y;
}

/**
 * Cyclic Jacobi (Golub & Van Loan, Matrix Computations §8.5.3, with the stable rotation of
 * §8.5.2): an eigensolver of another family than the kernel's Householder + QL. Returns
 * eigenvalues descending and the eigenvectors as rows, each with its largest-magnitude
 * component positive. For small n (it is O(n³) per sweep in plain JS).
 */
export function jacobiEig(A: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array; sweeps: number } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i] * a[i];
  let sweeps = 0;
  for (; sweeps < 100; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-34 * norm || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // A ← A·J (columns p, q)
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // A ← Jᵀ·A (rows p, q)
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) { // V ← V·J
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, j) => {
    let big = 0, sign = 1;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + col]) > big) { big = Math.abs(v[k * n + col]); sign = v[k * n + col] < 0 ? -1 : 1; }
    for (let k = 0; k < n; k++) vectors[j * n + k] = sign * v[k * n + col];
  });
  return { values, vectors, sweeps };
}

/** ‖A‖_F */
export function frobenius(A: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i] * A[i];
  return Math.sqrt(s);
}

/** max_ij |(A·Vᵀ − Vᵀ·Λ)_ij| for eigenvectors as rows of V, and max_ij |(V·Vᵀ − I)_ij|. */
export function eigResiduals(A: ArrayLike<number>, values: ArrayLike<number>, V: ArrayLike<number>, n: number): { residual: number; orthogonality: number } {
  let residual = 0, orthogonality = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k] * V[j * n + k];
      residual = Math.max(residual, Math.abs(s - values[j] * V[j * n + i]));
    }
    for (let l = j; l < n; l++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[j * n + k] * V[l * n + k];
      orthogonality = Math.max(orthogonality, Math.abs(s - (j === l ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}
