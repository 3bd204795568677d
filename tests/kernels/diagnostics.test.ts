// activationStats and histogram (assembly/diagnostics.ts) vs the plain oracles of
// tests/reference/diagnostics.ts, at awkward sizes (the 2-lane loop and its 1-element
// tail), misaligned, f32 and f64.
//
// Tolerances: both kernels promote every element to f64 before any arithmetic, so each term
// x − shift and (x − shift)² is the same rounding in kernel and oracle; only the order of
// the sums differs (two lanes, then the tail). Each sum is within γ_{n+2}·Σ|terms| of the
// exact one (Higham; dotErrorFactor), so the two within twice that. Counts, min and max
// involve no rounding at all: exact. The histogram's bin index is the same f64 expression
// in both: exact.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, roundTo, SIZES } from '../reference/prng.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { activationStatsRef, histogramRef } from '../reference/diagnostics.js';
import { expectExact, expectNear } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const U64 = 2 ** -53;
const mem = new Mem();
afterEach(() => mem.freeAll());

/** Runs activationStats on x; returns the six outputs. */
function stats(dtype: DType, x: ArrayLike<number>, shift: number, center: number, threshold: number, offset = 0): Float64Array {
  const k = runtime().raw[dtype];
  const px = mem.put(dtype, x, offset);
  const out = mem.put('float64', sentinels(6));
  k.activationStats(out, px, x.length, shift, center, threshold);
  return mem.read('float64', out, 6);
}

/** x with exact zeros, values beyond ±0.99 and some exactly at the threshold, in `dtype`. */
function activations(rng: TestRng, n: number, dtype: DType): Float64Array {
  const x = uniformArray(rng, n, -1.2, 1.2, dtype);
  for (let i = 0; i < n; i += 5) x[i] = 0;
  // −0 counts as zero; exactly the threshold is not saturated (0.99 in f64; in f32 it rounds
  // up to 0.99000001, which is)
  for (let i = 3; i < n; i += 11) x[i] = i % 2 ? -0 : 0.99;
  return x.map(roundTo(dtype));
}

describe.each(DTYPES)('diagnostics kernels %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);

  it('activationStats matches the oracle at every size, shifted or not, misaligned', () => {
    const rng = new TestRng(301);
    for (const n of SIZES) for (const offset of [0, es]) for (const [center, threshold] of [[0, 0.99], [0.5, 0.49]]) {
      const x = activations(rng, n, dtype);
      const shift = n ? x[n >> 1] : 0;
      for (const s of [0, shift]) {
        const got = stats(dtype, x, s, center, threshold, offset);
        const want = activationStatsRef(x, s, center, threshold);
        const label = `n=${n} offset=${offset} shift=${s} center=${center}`;
        const f = 2 * dotErrorFactor(n, U64);
        expectNear(got[0], want.s1, f * want.abs1, `${label}: Σ(x − s)`);
        expectNear(got[1], want.s2, f * want.s2, `${label}: Σ(x − s)²`);
        expectExact(got.subarray(2), [want.zeros, want.saturated, want.min, want.max], `${label}: counts, min, max`);
        mem.freeAll();
      }
    }
  });

  it('activationStats: worked example; n = 0; NaN propagates to sums and range but is never counted', () => {
    // [0, −0, 0.5, −0.995, 1, 0.99, 2]: zeros 2; |x| > 0.99: −0.995, 1, 2 → 3 (f64), and 0.99
    // itself in f32, where it is 0.99000001 (the comparison is in f64); min −0.995, max 2
    const x = [0, -0, 0.5, -0.995, 1, 0.99, 2].map(roundTo(dtype));
    const got = stats(dtype, x, 0, 0, 0.99);
    const sum = x.reduce((a, b) => a + b, 0), sq = x.reduce((a, b) => a + b * b, 0);
    expectNear(got[0], sum, 1e-15);
    expectNear(got[1], sq, 1e-15);
    expect(Array.from(got.subarray(2))).toEqual([2, dtype === 'float32' ? 4 : 3, x[3], 2]);
    expect(Array.from(stats(dtype, [], 0, 0, 0.99))).toEqual([0, 0, 0, 0, Infinity, -Infinity]);
    for (const at of [0, 1, 4]) { // in a lane pair and in the tail
      const y = [0.5, 0, 1, 2, 0.25];
      y[at] = NaN;
      const r = stats(dtype, y, 0, 0, 0.99);
      expect(r[0], `NaN at ${at}: sum`).toBeNaN();
      expect(r[1]).toBeNaN();
      expect(r[4]).toBeNaN();
      expect(r[5]).toBeNaN();
      expect(r[2]).toBe(y.filter((v) => v === 0).length);
      expect(r[3]).toBe(y.filter((v) => Math.abs(v) > 0.99).length);
    }
  });

  it('activationStats: the shift removes the cancellation of a large mean (sigmoid outputs near 0.5)', () => {
    const rng = new TestRng(302);
    const n = 1001;
    const x = Float64Array.from({ length: n }, () => 0.5 + 1e-6 * (rng.next() - 0.5)).map(roundTo(dtype));
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const exactVar = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n; // two-pass in f64: accurate here
    const r = stats(dtype, x, x[0], 0.5, 0.49);
    const variance = (r[1] - (r[0] * r[0]) / n) / n;
    expect(Math.abs(variance - exactVar) / exactVar).toBeLessThan(1e-6);
  });

  it('histogram matches the oracle at every size and bin count, misaligned, accumulating over chunks', () => {
    const rng = new TestRng(303);
    for (const n of SIZES) for (const bins of [1, 2, 7, 30]) for (const offset of [0, es]) {
      const x = activations(rng, n, dtype);
      let lo = Infinity, hi = -Infinity;
      for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      if (!(hi > lo)) { lo = -1; hi = 1; }
      const counts = mem.put('float64', new Float64Array(bins));
      // two chunks into the same counts
      const half = n >> 1;
      k().histogram(counts, mem.put(dtype, x.subarray(0, half), offset), half, bins, lo, hi);
      k().histogram(counts, mem.put(dtype, x.subarray(half), offset), n - half, bins, lo, hi);
      const got = mem.read('float64', counts, bins);
      expectExact(got, histogramRef(x, lo, hi, bins), `n=${n} bins=${bins} offset=${offset}`);
      expect(got.reduce((a, b) => a + b, 0), 'every element counted once').toBe(n);
      mem.freeAll();
    }
  });

  it('histogram: worked example; lo and hi are in the first and last bin; outside and NaN are skipped', () => {
    // bins over [0, 1] by 0.25: 0 → 0, 0.25 → 1, 0.3 → 1, 0.74 → 2, 0.75 → 3, 1 → 3 (closed), −0.1, 1.5, NaN skipped
    const counts = mem.put('float64', [5, 0, 0, 0]); // accumulates onto what is there
    k().histogram(counts, mem.put(dtype, [0, 0.25, 0.3, 0.74, 0.75, 1, -0.1, 1.5, NaN]), 9, 4, 0, 1);
    expect(Array.from(mem.read('float64', counts, 4))).toEqual([6, 2, 1, 2]);
  });
});
