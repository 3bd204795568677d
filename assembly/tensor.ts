// Small tensor kernels: reductions, elementwise products, regularization, batch gathering
// and the image augmentation of the training pipeline.
//
// Layout: flat n elements, or row-major [rows, cols]; images NHWC. Alignment: T-aligned
// pointers, i32 indices and labels (v128 loads need no 16-byte alignment). Aliasing: mul's
// out may alias a or b and l2 updates grad in place; every other output must not alias
// an input.
// Tails: colSum and mul run in v128 lanes with a scalar tail doing the same operation (same
// bits); sumSquares adds f64x2 partial sums, then the scalar tail, in a fixed order for a
// given n; firstNonFinite scans in lanes, then finds the exact index with scalar loads;
// the rest are scalar loops.

import { lanes } from "./common";
import { nextInt } from "./rng";

/** out[c] (+)= Σ_r x[r, c]: the bias gradient. SIMD across columns, scalar tail. */
export function colSum<T>(out: usize, x: usize, rows: usize, cols: usize, accumulate: bool): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  if (!accumulate) memory.fill(out, 0, cols * es);
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    let c: usize = 0;
    for (; c + L <= cols; c += L) {
      v128.store(out + c * es, v128.add<T>(v128.load(out + c * es), v128.load(xr + c * es)));
    }
    for (; c < cols; c++) store<T>(out + c * es, load<T>(out + c * es) + load<T>(xr + c * es));
  }
}

/** out[i] = a[i]·b[i]. out may alias a or b. */
export function mul<T>(out: usize, a: usize, b: usize, n: usize): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    v128.store(out + i * es, v128.mul<T>(v128.load(a + i * es), v128.load(b + i * es)));
  }
  for (; i < n; i++) store<T>(out + i * es, load<T>(a + i * es) * load<T>(b + i * es));
}

/**
 * Σ x², accumulated in f64 (two f64x2 partial sums, then the scalar tail): gradient norms,
 * and a finiteness check (NaN/Inf propagate).
 */
export function sumSquares<T>(x: usize, n: usize): f64 {
  const es = sizeof<T>();
  let a = f64x2.splat(0), b = f64x2.splat(0);
  let i: usize = 0;
  if (sizeof<T>() == 4) {
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + i * 4);
      const lo = f64x2.promote_low_f32x4(v);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1));
      a = f64x2.add(a, f64x2.mul(lo, lo));
      b = f64x2.add(b, f64x2.mul(hi, hi));
    }
  } else {
    for (; i + 2 <= n; i += 2) {
      const v = v128.load(x + i * 8);
      a = f64x2.add(a, f64x2.mul(v, v));
    }
  }
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
  for (; i < n; i++) { const v = <f64>load<T>(x + i * es); s += v * v; }
  return s;
}

/** Index of the first NaN or ±Infinity in x, or −1. SIMD scan, then the exact index. */
export function firstNonFinite<T>(x: usize, n: usize): i32 {
  const es = sizeof<T>();
  const L = lanes<T>();
  const zero = v128.splat<T>(0);
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    const v = v128.load(x + i * es);
    if (v128.any_true(v128.ne<T>(v128.sub<T>(v, v), zero))) break;
  }
  for (; i < n; i++) {
    const v = load<T>(x + i * es);
    if (v - v != <T>0) return <i32>i;
  }
  return -1;
}

/**
 * L2 penalty λ·Σw²: adds its gradient 2λ·w to grad in place and returns the penalty (f64).
 */
export function l2<T>(grad: usize, w: usize, n: usize, lambda: f64): f64 {
  const es = sizeof<T>();
  const twoL = <T>(2.0 * lambda);
  let s: f64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const v = load<T>(w + i * es);
    s += <f64>v * <f64>v;
    store<T>(grad + i * es, load<T>(grad + i * es) + twoL * v);
  }
  return lambda * s;
}

/** out[i, :] = x[idx[i], :] for i < count; rows of rowBytes bytes (any dtype). */
export function gatherRows(out: usize, x: usize, idx: usize, count: usize, rowBytes: usize): void {
  for (let i: usize = 0; i < count; i++) {
    memory.copy(out + i * rowBytes, x + <usize>load<i32>(idx + i * 4) * rowBytes, rowBytes);
  }
}

/**
 * Random translation of each image of x [count, h, w, c] by (dy, dx), each uniform in
 * [−maxShift, maxShift], zero fill: out[y, x] = in[y − dy, x − dx]. out must not alias x.
 */
export function randomShift<T>(out: usize, state: usize, x: usize, count: usize, h: usize, w: usize, c: usize, maxShift: i32): void {
  const es = sizeof<T>();
  const span = <u32>(2 * maxShift + 1);
  const img = h * w * c * es;
  const row = w * c * es;
  for (let i: usize = 0; i < count; i++) {
    const dy = <i32>nextInt(state, span) - maxShift;
    const dx = <i32>nextInt(state, span) - maxShift;
    const src = x + i * img;
    const dst = out + i * img;
    memory.fill(dst, 0, img);
    // columns that stay inside after the shift
    const x0 = dx > 0 ? dx : 0;
    const x1 = dx < 0 ? <i32>w + dx : <i32>w;
    if (x1 <= x0) continue;
    for (let y: i32 = 0; y < <i32>h; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= <i32>h) continue;
      memory.copy(
        dst + <usize>y * row + <usize>x0 * c * es,
        src + <usize>sy * row + <usize>(x0 - dx) * c * es,
        <usize>(x1 - x0) * c * es,
      );
    }
  }
}

/** out[r] = index of the first maximum of row r of x [rows, cols] (i32). NaN never wins. */
export function argMax<T>(out: usize, x: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    // the first non-NaN entry starts the search, so a NaN never wins (an all-NaN row gives 0)
    let best: usize = 0;
    while (best < cols && isNaN<T>(load<T>(xr + best * es))) best++;
    if (best == cols) best = 0;
    for (let c: usize = best + 1; c < cols; c++) if (load<T>(xr + c * es) > load<T>(xr + best * es)) best = c;
    store<i32>(out + r * 4, <i32>best);
  }
}

/** out [rows, depth] = one-hot rows of the i32 labels (labels outside [0, depth) give a zero row). */
export function oneHot<T>(out: usize, labels: usize, rows: usize, depth: usize): void {
  const es = sizeof<T>();
  memory.fill(out, 0, rows * depth * es);
  for (let r: usize = 0; r < rows; r++) {
    const l = load<i32>(labels + r * 4);
    if (l >= 0 && <usize>l < depth) store<T>(out + (r * depth + <usize>l) * es, <T>1);
  }
}

/** Σ (a − b)² over n elements, accumulated in f64: ‖Δw‖² of an update (fit monitors). */
export function sumSquaredDiff<T>(a: usize, b: usize, n: usize): f64 {
  const es = sizeof<T>();
  let s: f64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const d = <f64>load<T>(a + i * es) - <f64>load<T>(b + i * es);
    s += d * d;
  }
  return s;
}

/** Number of elements exactly equal to zero (±0): the dead share of a ReLU output. */
export function countZeros<T>(x: usize, n: usize): i32 {
  const es = sizeof<T>();
  let c: i32 = 0;
  for (let i: usize = 0; i < n; i++) if (load<T>(x + i * es) == <T>0) c++;
  return c;
}
