// Deterministic test inputs: mulberry32 (Tommy Ettinger's 32-bit generator), tiny and
// seedable. It is only a source of test data; it is NOT the library's RNG (that one is
// reimplemented in tests/reference/xoshiro.ts to check the wasm bit for bit).

import type { DType } from '../../bindings/index.js';

export class TestRng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Rounds to what a `dtype` element can hold, so oracle and kernel see the same inputs. */
export function roundTo(dtype: DType): (x: number) => number {
  return dtype === 'float32' ? Math.fround : (x: number) => x;
}

/** n values uniform in [lo, hi), representable in `dtype`. */
export function uniformArray(rng: TestRng, n: number, lo: number, hi: number, dtype: DType = 'float64'): Float64Array {
  const r = roundTo(dtype);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r(rng.uniform(lo, hi));
  return out;
}

/** n integers uniform in [lo, hi] (as floats): exact in f32 and f64 sums below 2^24. */
export function intArray(rng: TestRng, n: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + rng.int(hi - lo + 1);
  return out;
}

/** The awkward sizes of STYLE.md: SIMD widths ± 1, a tail of every length, large. */
export const SIZES = [0, 1, 3, 4, 5, 7, 16, 17, 1000, 1027] as const;
