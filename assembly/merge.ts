// Kernels of the functional API: the merge layers (add, subtract, multiply, average,
// maximum, concatenate) and the gradient sum of a tensor that feeds several layers.
//
// Layout: flat, contiguous arrays of n elements of T (f32 or f64), T-aligned; `idx` is
// i32. Aliasing: `out` may alias any input (each element is read before it is written).
// Tail: SIMD over whole vectors, then a scalar loop over the last n mod lanes elements, with
// the same operation per element, so every element gets the same bits on either path.
// Arguments: outputs first, then inputs, then sizes, then scalars.

import { lanes } from "./common";

/** out[i] = a[i] + b[i]. */
export function addTo<T>(out: usize, a: usize, b: usize, n: usize): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  let i: usize = 0;
  for (; i + L <= n; i += L) v128.store(out + i * es, v128.add<T>(v128.load(a + i * es), v128.load(b + i * es)));
  for (; i < n; i++) store<T>(out + i * es, load<T>(a + i * es) + load<T>(b + i * es));
}

/** out[i] = a[i] − b[i]. */
export function subTo<T>(out: usize, a: usize, b: usize, n: usize): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  let i: usize = 0;
  for (; i + L <= n; i += L) v128.store(out + i * es, v128.sub<T>(v128.load(a + i * es), v128.load(b + i * es)));
  for (; i < n; i++) store<T>(out + i * es, load<T>(a + i * es) - load<T>(b + i * es));
}

/** out[i] = s·x[i] (s rounded to T once: the same factor on every element). */
export function scaleTo<T>(out: usize, x: usize, n: usize, s: f64): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  const f = <T>s;
  const fv = v128.splat<T>(f);
  let i: usize = 0;
  for (; i + L <= n; i += L) v128.store(out + i * es, v128.mul<T>(v128.load(x + i * es), fv));
  for (; i < n; i++) store<T>(out + i * es, load<T>(x + i * es) * f);
}

/**
 * One input of an elementwise maximum: `which` = 0 copies x into out and sets idx to 0;
 * later inputs replace out[i] (and set idx[i] = which) where x[i] > out[i]. Ties keep the
 * earlier input, as NaN comparisons do (a NaN input never wins).
 */
export function maxMerge<T>(out: usize, idx: usize, x: usize, n: usize, which: i32): void {
  const es = sizeof<T>();
  if (which == 0) {
    memory.copy(out, x, n * es);
    memory.fill(idx, 0, n * 4);
    return;
  }
  for (let i: usize = 0; i < n; i++) {
    const v = load<T>(x + i * es);
    if (v > load<T>(out + i * es)) {
      store<T>(out + i * es, v);
      store<i32>(idx + i * 4, which);
    }
  }
}

/** dx[i] = idx[i] == which ? dy[i] : 0: the gradient of one input of an elementwise maximum. */
export function selectGrad<T>(dx: usize, dy: usize, idx: usize, n: usize, which: i32): void {
  const es = sizeof<T>();
  for (let i: usize = 0; i < n; i++) {
    store<T>(dx + i * es, load<i32>(idx + i * 4) == which ? load<T>(dy + i * es) : <T>0);
  }
}

/**
 * Strided block copy, dtype-free: for r < rows, rowBytes bytes from src + r·srcStride to
 * dst + r·dstStride (concatenate forward, and its backward the other way). Blocks must
 * not overlap.
 */
export function copyRows(dst: usize, src: usize, rows: usize, rowBytes: usize, dstStride: usize, srcStride: usize): void {
  for (let r: usize = 0; r < rows; r++) memory.copy(dst + r * dstStride, src + r * srcStride, rowBytes);
}
