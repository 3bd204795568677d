// Per-column statistics and affine maps for the preprocessors of src/toolkit/preprocess.ts
// (zero-centering, standardization) and the Normalization / preprocess layers.
//
// Layout: x is T [rows, cols] row-major; a statistic has one f64 per column. "Per feature"
// of [N, ...dims] is rows = N, cols = Π dims; "per channel" of [N, H, W, C] is
// rows = N·H·W, cols = C. Statistics are f64 whatever T is; every map promotes x to f64
// (exact), computes in f64 and rounds the result once to T, so an f32 output is the
// correctly rounded f64 result, and the f64 kernel equals the obvious JS expression bit
// for bit.
// SIMD: two columns at a time as one f64x2 (f32: a 64-bit load of two floats, promoted;
// results demoted and stored as 64 bits); columns never mix, and the scalar tail (the odd
// last column) performs the same operations in the same order, so every element's result
// is independent of its position. Pointers need element alignment only.

/**
 * mean[c] = Σ_r x[r, c] / rows, variance[c] = Σ_r (x[r, c] − mean[c])² / rows (biased),
 * both f64 [cols], from shifted sums in one pass: d = x[r, c] − x[0, c], then
 * mean = x[0, c] + Σd/rows and variance = max(Σd²/rows − (Σd/rows)², 0).
 * NOTE: shifting by a sample of the column (Chan, Golub & LeVeque 1983; as assembly/norm.ts)
 * keeps Σd²/n − (Σd/n)² free of cancellation when |mean| ≫ std, which plain Σx² loses to;
 * a constant column gives exactly 0. mean and variance are used as the accumulators (they
 * must not alias x or each other); −0 is stored as +0. rows = 0 leaves NaN (0/0).
 */
export function colMoments<T>(mean: usize, variance: usize, x: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  memory.fill(mean, 0, cols << 3);
  memory.fill(variance, 0, cols << 3);
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    let c: usize = 0;
    for (; c + 2 <= cols; c += 2) {
      const d = f64x2.sub(load2<T>(xr + c * es), load2<T>(x + c * es));
      const pm = mean + (c << 3), pv = variance + (c << 3);
      v128.store(pm, f64x2.add(v128.load(pm), d));
      v128.store(pv, f64x2.add(v128.load(pv), f64x2.mul(d, d)));
    }
    for (; c < cols; c++) {
      const d = <f64>load<T>(xr + c * es) - <f64>load<T>(x + c * es);
      const pm = mean + (c << 3), pv = variance + (c << 3);
      store<f64>(pm, load<f64>(pm) + d);
      store<f64>(pv, load<f64>(pv) + d * d);
    }
  }
  const n = <f64>rows;
  for (let c: usize = 0; c < cols; c++) {
    const md = load<f64>(mean + (c << 3)) / n;
    const v = load<f64>(variance + (c << 3)) / n - md * md;
    // NOTE: x[0, c] does not exist when rows = 0 (md is NaN then); max keeps NaN, maps −0 to +0
    store<f64>(mean + (c << 3), (rows ? <f64>load<T>(x + c * es) : 0.0) + md + 0.0);
    store<f64>(variance + (c << 3), max<f64>(v, 0.0));
  }
}

/** Two consecutive T values promoted to one f64x2. */
@inline function load2<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

/** Stores one f64x2 as two consecutive T values (rounded to nearest for f32). */
@inline function store2<T>(p: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(p, v);
}

/**
 * y[r, c] = T((x[r, c] − mean[c]) / div[c]) over [rows, cols], mean and div f64 [cols].
 * Zero-centering is div = 1; a layer's backward is mean = 0 (dy/div). y may be x itself.
 */
export function standardize<T>(y: usize, x: usize, mean: usize, div: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const o = r * cols * es;
    let c: usize = 0;
    for (; c + 2 <= cols; c += 2) {
      const q = c << 3;
      store2<T>(y + o + c * es, f64x2.div(f64x2.sub(load2<T>(x + o + c * es), v128.load(mean + q)), v128.load(div + q)));
    }
    for (; c < cols; c++) {
      const q = c << 3;
      store<T>(y + o + c * es, <T>((<f64>load<T>(x + o + c * es) - load<f64>(mean + q)) / load<f64>(div + q)));
    }
  }
}

/** The inverse map: x[r, c] = T(y[r, c]·div[c] + mean[c]). x may be y itself. */
export function unstandardize<T>(x: usize, y: usize, mean: usize, div: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const o = r * cols * es;
    let c: usize = 0;
    for (; c + 2 <= cols; c += 2) {
      const q = c << 3;
      store2<T>(x + o + c * es, f64x2.add(f64x2.mul(load2<T>(y + o + c * es), v128.load(div + q)), v128.load(mean + q)));
    }
    for (; c < cols; c++) {
      const q = c << 3;
      store<T>(x + o + c * es, <T>(<f64>load<T>(y + o + c * es) * load<f64>(div + q) + load<f64>(mean + q)));
    }
  }
}

// Modes of prepareScale (mirrored by ScaleMode in bindings/ops.ts).
const COPY = 0;     // out = v
const STD = 1;      // out = v, or 1 where v == 0: a constant feature is centred, not scaled (sklearn)
const VARIANCE = 2; // out = max(√v, eps): Keras Normalization's divisor (eps = 1e-7)
const EIG = 3;      // out = √(v + eps): PCA whitening's divisor
const INV_EIG = 4;  // out = 1 / √(v + eps): its reciprocal, for a whitening layer's backward
const SQRT = 5;     // out = √v: a standard deviation from a variance

/**
 * out[i] (f64) from v[i] (T) for i < n: the per-column divisors the maps above take,
 * derived from stored statistics (a layer's weights, in the model's dtype) on every call,
 * so a weight changed by setWeights or load takes effect at once. mode: see the constants.
 */
export function prepareScale<T>(out: usize, v: usize, n: usize, mode: i32, eps: f64): void {
  const es = sizeof<T>();
  for (let i: usize = 0; i < n; i++) {
    const x = <f64>load<T>(v + i * es);
    let r: f64;
    if (mode == STD) r = x == 0 ? 1.0 : x;
    else if (mode == VARIANCE) r = max<f64>(Math.sqrt(x), eps);
    else if (mode == EIG) r = Math.sqrt(x + eps);
    else if (mode == INV_EIG) r = 1.0 / Math.sqrt(x + eps);
    else if (mode == SQRT) r = Math.sqrt(x);
    else r = x;
    store<f64>(out + (i << 3), r);
  }
}
