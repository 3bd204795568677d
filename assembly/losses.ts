// Losses: value and gradient in one pass. Every loss is a mean over the batch (and, for
// the elementwise ones, over features too), as torch's reduction='mean'. Loss sums are
// accumulated in f64 whatever T is. A gradient pointer of 0 means "value only".
//
// Sample weights: `w` points to one weight per row (T), or is 0 for all ones. A row's loss
// and gradient are multiplied by its weight and the mean still divides by the row count,
// as Keras weights losses (sum over the batch of w·loss, divided by the batch size).
//
// Layout: row-major [rows, cols]; int labels are i32 [rows]. Alignment: T-aligned pointers.
// Aliasing: a gradient may alias the logits or predictions it is taken of (each element is
// read before it is written at the same index). Tails: none; every kernel is a scalar loop.

import { exp_, log_, log1p_, sigmoid_ } from "./common";

/**
 * Softmax cross-entropy on logits [rows, cols] with int labels (i32 [rows]):
 *   loss = mean_r (logsumexp(x_r) − x_r[label_r]),  dlogits = (softmax(x_r) − onehot) / rows.
 * Stable: exponents are taken of x − max(x). dlogits may alias logits.
 */
export function softmaxXent<T>(dlogits: usize, logits: usize, labels: usize, w: usize, rows: usize, cols: usize): f64 {
  const es = sizeof<T>();
  let total: f64 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const wr = w ? load<T>(w + r * es) : <T>1;
    const invRows = wr * <T>(1.0 / <f64>rows);
    const x = logits + r * cols * es;
    const label = <usize>load<i32>(labels + r * 4);
    let mx = load<T>(x);
    for (let c: usize = 1; c < cols; c++) { const v = load<T>(x + c * es); if (v > mx) mx = v; }
    let sum: T = 0;
    for (let c: usize = 0; c < cols; c++) sum += exp_<T>(load<T>(x + c * es) - mx);
    const lse = mx + log_<T>(sum);
    total += <f64>(wr * (lse - load<T>(x + label * es)));
    if (dlogits) {
      const g = dlogits + r * cols * es;
      const inv = <T>1 / sum;
      for (let c: usize = 0; c < cols; c++) {
        const p = exp_<T>(load<T>(x + c * es) - mx) * inv;
        store<T>(g + c * es, (c == label ? p - <T>1 : p) * invRows);
      }
    }
  }
  return rows ? total / <f64>rows : 0;
}

/**
 * Softmax cross-entropy with target distributions t [rows, cols] (one-hot or soft):
 *   loss = mean_r Σ_c t·(lse − x),  dlogits = (softmax(x)·Σ_c t − t) / rows.
 */
export function softmaxXentDense<T>(dlogits: usize, logits: usize, targets: usize, w: usize, rows: usize, cols: usize): f64 {
  const es = sizeof<T>();
  let total: f64 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const wr = w ? load<T>(w + r * es) : <T>1;
    const invRows = wr * <T>(1.0 / <f64>rows);
    const x = logits + r * cols * es;
    const t = targets + r * cols * es;
    let mx = load<T>(x);
    for (let c: usize = 1; c < cols; c++) { const v = load<T>(x + c * es); if (v > mx) mx = v; }
    let sum: T = 0;
    let tsum: T = 0;
    for (let c: usize = 0; c < cols; c++) {
      sum += exp_<T>(load<T>(x + c * es) - mx);
      tsum += load<T>(t + c * es);
    }
    const lse = mx + log_<T>(sum);
    for (let c: usize = 0; c < cols; c++) total += <f64>(wr * (load<T>(t + c * es) * (lse - load<T>(x + c * es))));
    if (dlogits) {
      const g = dlogits + r * cols * es;
      const inv = <T>1 / sum;
      for (let c: usize = 0; c < cols; c++) {
        const p = exp_<T>(load<T>(x + c * es) - mx) * inv;
        store<T>(g + c * es, (p * tsum - load<T>(t + c * es)) * invRows);
      }
    }
  }
  return rows ? total / <f64>rows : 0;
}

// The elementwise losses below take [rows, cols] and average over all n = rows·cols
// elements; row r's terms and gradients are scaled by w[r].

/**
 * Sigmoid cross-entropy on logits x with targets t in [0, 1]:
 *   loss = mean(max(x, 0) − x·t + log1p(exp(−|x|))),  dx = (σ(x) − t) / n.
 */
export function sigmoidXent<T>(dx: usize, x: usize, t: usize, w: usize, rows: usize, cols: usize): f64 {
  const es = sizeof<T>();
  const n = rows * cols;
  let total: f64 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const wr = w ? load<T>(w + r * es) : <T>1;
    const invN = wr * <T>(1.0 / <f64>n);
    for (let i: usize = r * cols; i < (r + 1) * cols; i++) {
      const v = load<T>(x + i * es);
      const y = load<T>(t + i * es);
      const a = v < <T>0 ? -v : v;
      total += <f64>(wr * ((v > <T>0 ? v : <T>0) - v * y + log1p_<T>(exp_<T>(-a))));
      if (dx) store<T>(dx + i * es, (sigmoid_<T>(v) - y) * invN);
    }
  }
  return n ? total / <f64>n : 0;
}

// The regression losses share one loop over rows and elements; `kind` picks the term and
// the gradient of e = p − t (a compile-time constant at each export, so the branch folds).
const SQUARED = 0;
const ABSOLUTE = 1;
const HUBER = 2;

@inline function regression<T>(dp: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize, kind: i32, delta: T): f64 {
  const es = sizeof<T>();
  const n = rows * cols;
  // the gradient's constant factor: 2/n for (p − t)², 1/n for the others
  const k: f64 = (kind == SQUARED ? 2.0 : 1.0) / <f64>n;
  let total: f64 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const wr = w ? load<T>(w + r * es) : <T>1;
    const scale = wr * <T>k;
    for (let i: usize = r * cols; i < (r + 1) * cols; i++) {
      const e = load<T>(p + i * es) - load<T>(t + i * es);
      const a = e < <T>0 ? -e : e;
      if (kind == SQUARED) {
        total += <f64>(wr * e * e);
        if (dp) store<T>(dp + i * es, e * scale);
      } else if (kind == ABSOLUTE) {
        total += <f64>(wr * a);
        if (dp) store<T>(dp + i * es, e > <T>0 ? scale : e < <T>0 ? -scale : <T>0);
      } else {
        total += <f64>(wr * (a <= delta ? <T>0.5 * e * e : delta * (a - <T>0.5 * delta)));
        if (dp) store<T>(dp + i * es, (e > delta ? delta : e < -delta ? -delta : e) * scale);
      }
    }
  }
  return n ? total / <f64>n : 0;
}

/** Mean squared error: loss = mean((p − t)²), dp = 2(p − t) / n. */
export function mse<T>(dp: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 {
  return regression<T>(dp, p, t, w, rows, cols, SQUARED, <T>0);
}

/** Mean absolute error: loss = mean|p − t|, dp = sign(p − t) / n (0 where p = t, as torch). */
export function mae<T>(dp: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize): f64 {
  return regression<T>(dp, p, t, w, rows, cols, ABSOLUTE, <T>0);
}

/**
 * Huber loss with threshold δ (Huber 1964; Keras `huber`): e = p − t,
 *   |e| ≤ δ: ½e²,  else δ·(|e| − ½δ);  dp = clamp(e, −δ, δ) / n.
 */
export function huber<T>(dp: usize, p: usize, t: usize, w: usize, rows: usize, cols: usize, delta: T): f64 {
  return regression<T>(dp, p, t, w, rows, cols, HUBER, delta);
}

/** Number of rows whose argmax (first on ties) equals the int label. */
export function countArgmaxHits<T>(logits: usize, labels: usize, rows: usize, cols: usize): i32 {
  const es = sizeof<T>();
  let hits: i32 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const x = logits + r * cols * es;
    let best: usize = 0;
    for (let c: usize = 1; c < cols; c++) if (load<T>(x + c * es) > load<T>(x + best * es)) best = c;
    if (<i32>best == load<i32>(labels + r * 4)) hits++;
  }
  return hits;
}

/** Number of rows whose argmax equals the argmax of the target row (one-hot targets). */
export function countArgmaxMatches<T>(logits: usize, targets: usize, rows: usize, cols: usize): i32 {
  const es = sizeof<T>();
  let hits: i32 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const x = logits + r * cols * es;
    const t = targets + r * cols * es;
    let bx: usize = 0, bt: usize = 0;
    for (let c: usize = 1; c < cols; c++) {
      if (load<T>(x + c * es) > load<T>(x + bx * es)) bx = c;
      if (load<T>(t + c * es) > load<T>(t + bt * es)) bt = c;
    }
    if (bx == bt) hits++;
  }
  return hits;
}

/**
 * Number of elements where (x > threshold) == (target > 0.5): binary accuracy, with
 * threshold 0 on logits and 0.5 on probabilities (Keras binaryAccuracy).
 */
export function countBinaryHits<T>(x: usize, t: usize, n: usize, threshold: T): i32 {
  const es = sizeof<T>();
  let hits: i32 = 0;
  for (let i: usize = 0; i < n; i++) {
    if ((load<T>(x + i * es) > threshold) == (load<T>(t + i * es) > <T>0.5)) hits++;
  }
  return hits;
}

/**
 * Number of rows whose label is among the k largest scores: fewer than k scores exceed the
 * label's score (so ties at the boundary count as in the top k, as tf.math.in_top_k).
 * `t` is i32 labels when `dense` is false, else one-hot rows whose argmax is the label.
 * A non-finite label score never counts.
 */
export function countTopKHits<T>(x: usize, t: usize, rows: usize, cols: usize, k: usize, dense: bool): i32 {
  const es = sizeof<T>();
  let hits: i32 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    let label: usize = 0;
    if (dense) {
      const tr = t + r * cols * es;
      for (let c: usize = 1; c < cols; c++) if (load<T>(tr + c * es) > load<T>(tr + label * es)) label = c;
    } else {
      label = <usize>load<i32>(t + r * 4);
    }
    const s = load<T>(xr + label * es);
    if (!(s - s == <T>0)) continue; // NaN or ±Infinity
    let above: usize = 0;
    for (let c: usize = 0; c < cols; c++) if (load<T>(xr + c * es) > s) above++;
    if (above < k) hits++;
  }
  return hits;
}
