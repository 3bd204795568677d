// Plain f64 losses (means over the batch, as torch's reduction='mean') and metrics.

/** Row max and Σ_c exp(x_c − max): shifted so that logits ~1e4 stay finite. */
function shiftedExpSum(x: ArrayLike<number>, off: number, cols: number): { mx: number; sum: number } {
  let mx = -Infinity;
  for (let c = 0; c < cols; c++) mx = Math.max(mx, x[off + c]);
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += Math.exp(x[off + c] - mx);
  return { mx, sum };
}

/**
 * Softmax cross-entropy with soft targets t [rows, cols]:
 *   loss = mean_r Σ_c t·(lse − x),  d = (softmax(x)·Σ_c t − t) / rows.
 * Also returns the probabilities `p` and each row's `lse`, from which tests derive tolerances.
 */
export function softmaxXentDenseRef(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, cols: number) {
  const d = new Float64Array(rows * cols);
  const p = new Float64Array(rows * cols);
  const lse = new Float64Array(rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    // NOTE: p from exp(x − max)/sum, not exp(x − lse): at |x| ~ 1e4 lse's rounding
    // (ulp ≈ 2e-12) would cost p 1e-12 relative accuracy.
    const { mx, sum } = shiftedExpSum(x, o, cols);
    lse[r] = mx + Math.log(sum);
    let tsum = 0;
    for (let c = 0; c < cols; c++) tsum += t[o + c];
    for (let c = 0; c < cols; c++) {
      p[o + c] = Math.exp(x[o + c] - mx) / sum;
      total += t[o + c] * (lse[r] - x[o + c]);
      d[o + c] = (p[o + c] * tsum - t[o + c]) / rows;
    }
  }
  return { loss: rows ? total / rows : 0, d, p, lse };
}

/** Softmax cross-entropy with int labels: the dense one with one-hot targets. */
export function softmaxXentRef(x: ArrayLike<number>, labels: ArrayLike<number>, rows: number, cols: number) {
  return softmaxXentDenseRef(x, oneHot(labels, rows, cols), rows, cols);
}

export function oneHot(labels: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) t[r * cols + labels[r]] = 1;
  return t;
}

/** log σ(x) without overflow: −log1p(e^−x) for x ≥ 0, x − log1p(e^x) otherwise. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/**
 * Binary cross-entropy on logits, written as the textbook −[t·log σ(x) + (1 − t)·log(1 − σ(x))]
 * (log(1 − σ(x)) = log σ(−x)) — a different formula from the kernel's max(x,0) − x·t + log1p(e^−|x|).
 */
export function sigmoidXentRef(x: ArrayLike<number>, t: ArrayLike<number>, n: number) {
  const d = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += -(t[i] * logSigmoid(x[i]) + (1 - t[i]) * logSigmoid(-x[i]));
    d[i] = (1 / (1 + Math.exp(-x[i])) - t[i]) / n;
  }
  return { loss: n ? total / n : 0, d };
}

export function mseRef(p: ArrayLike<number>, t: ArrayLike<number>, n: number) {
  const d = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = p[i] - t[i];
    total += e * e;
    d[i] = (2 * e) / n;
  }
  return { loss: n ? total / n : 0, d };
}

/** Index of the first maximum of row r. */
export function argmaxRow(x: ArrayLike<number>, r: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
  return best;
}

export function countArgmaxHitsRef(x: ArrayLike<number>, labels: ArrayLike<number>, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(x, r, cols) === labels[r]) hits++;
  return hits;
}

export function countArgmaxMatchesRef(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(x, r, cols) === argmaxRow(t, r, cols)) hits++;
  return hits;
}

export function countBinaryHitsRef(x: ArrayLike<number>, t: ArrayLike<number>, n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if ((x[i] > 0) === (t[i] > 0.5)) hits++;
  return hits;
}
