// Activation statistics for the diagnostics toolkit (src/toolkit/diagnostics.ts): one
// SIMD pass over a layer's output for its moments, zero and saturation counts and range,
// and one scalar pass for a histogram with fixed bins. Both may be called on consecutive
// chunks of the same tensor: the host adds the sums and counts and folds min/max, and the
// histogram accumulates into its counts.
// Layout: x flat over n elements of T; outputs f64. Alignment, aliasing and tails: per
// kernel below.

/**
 * Statistics of n elements of x, written to out (f64[6], 8-byte aligned, not aliasing x):
 *   out[0] = Σ (x − shift)            out[1] = Σ (x − shift)²
 *   out[2] = #(x == 0, ±0)            out[3] = #(|x − center| > threshold)
 *   out[4] = min x                    out[5] = max x       (+Inf / −Inf when n = 0)
 * Every element is promoted to f64 (exact) before any arithmetic, so the f32 and f64
 * versions compute the same numbers for the same values. The shift (the host passes one
 * element of the data) keeps the variance Σ(x − s)² − (Σ(x − s))²/n free of cancellation
 * when the mean is large next to the spread (sigmoid outputs near 0.5).
 * SIMD: two elements per step as one f64x2 (f32: a 64-bit load of two floats, promoted);
 * the two lanes are added lane 0 then lane 1, then the scalar tail (at most one element)
 * adds to the totals, so the order is fixed for a given n. min/max propagate NaN.
 * x needs only element alignment.
 */
export function activationStats<T>(out: usize, x: usize, n: usize, shift: f64, center: f64, threshold: f64): void {
  const es = sizeof<T>();
  const vs = f64x2.splat(shift), vc = f64x2.splat(center), vt = f64x2.splat(threshold), vzero = f64x2.splat(0);
  let s1 = vzero, s2 = vzero;
  let zeros = i64x2.splat(0), sat = i64x2.splat(0);
  let lo = f64x2.splat(Infinity), hi = f64x2.splat(-Infinity);
  let i: usize = 0;
  for (; i + 2 <= n; i += 2) {
    const v = es == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(x + i * 4)) : v128.load(x + i * 8);
    const d = f64x2.sub(v, vs);
    s1 = f64x2.add(s1, d);
    s2 = f64x2.add(s2, f64x2.mul(d, d));
    // comparison masks are all ones (−1 as i64) where true
    zeros = i64x2.sub(zeros, f64x2.eq(v, vzero));
    sat = i64x2.sub(sat, f64x2.gt(f64x2.abs(f64x2.sub(v, vc)), vt));
    lo = f64x2.min(lo, v);
    hi = f64x2.max(hi, v);
  }
  let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
  let cz = i64x2.extract_lane(zeros, 0) + i64x2.extract_lane(zeros, 1);
  let cs = i64x2.extract_lane(sat, 0) + i64x2.extract_lane(sat, 1);
  let mn = min<f64>(f64x2.extract_lane(lo, 0), f64x2.extract_lane(lo, 1));
  let mx = max<f64>(f64x2.extract_lane(hi, 0), f64x2.extract_lane(hi, 1));
  for (; i < n; i++) {
    const v = <f64>load<T>(x + i * es);
    const d = v - shift;
    t1 += d;
    t2 += d * d;
    if (v == 0) cz++;
    if (Math.abs(v - center) > threshold) cs++;
    mn = min<f64>(mn, v);
    mx = max<f64>(mx, v);
  }
  store<f64>(out, t1);
  store<f64>(out + 8, t2);
  store<f64>(out + 16, <f64>cz);
  store<f64>(out + 24, <f64>cs);
  store<f64>(out + 32, mn);
  store<f64>(out + 40, mx);
}

/**
 * counts[b] += number of elements of x in bin b, for `bins` equal bins over [lo, hi]
 * (hi > lo): b = ⌊(x − lo) · (bins / (hi − lo))⌋ in f64, and b = bins − 1 for x = hi (the
 * last bin is closed, as numpy's). Elements outside [lo, hi] and NaN are not counted.
 * counts is f64[bins] (exact up to 2^53), 8-byte aligned, not aliasing x; x needs only
 * element alignment. Scalar throughout (no SIMD lanes, so no tail): a histogram is a
 * scatter, which SIMD does not help.
 */
export function histogram<T>(counts: usize, x: usize, n: usize, bins: usize, lo: f64, hi: f64): void {
  const es = sizeof<T>();
  const scale = <f64>bins / (hi - lo);
  const last = <i32>bins - 1;
  for (let i: usize = 0; i < n; i++) {
    const v = <f64>load<T>(x + i * es);
    if (!(v >= lo && v <= hi)) continue;
    let b = <i32>((v - lo) * scale);
    if (b > last) b = last;
    const p = counts + (<usize>b << 3);
    store<f64>(p, load<f64>(p) + 1);
  }
}
