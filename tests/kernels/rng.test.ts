// rng_seed, rngUniform and rngNormal: bit for bit against the JS reimplementation in
// tests/reference/xoshiro.ts (itself checked here against published SplitMix64 and
// xoshiro128** vectors), plus determinism, stream independence and statistics.
// Statistical checks use n = 100 000 and 5σ bounds of the estimator: with fixed seeds
// they are deterministic, and a wrong scale, offset or distribution misses by far more.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { Xoshiro128ss, splitmix64Mix, GOLDEN_GAMMA, seedWords, stateForOutputs } from '../reference/xoshiro.js';
import { expectClose, expectExact } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const SEEDS = [0n, 1n, 2n, 3n, 42n, (1n << 32n) + 5n, (1n << 53n) - 1n, (1n << 64n) - 1n];
const STREAMS = [0, 1, 7, 0xffffffff];
const N = 100_000;
const mem = new Mem();
afterEach(() => mem.freeAll());

function seeded(seed: bigint, stream: number): number {
  const st = mem.alloc(16);
  const [lo, hi] = seedWords(seed);
  runtime().exports.rng_seed(st, lo, hi, stream);
  return st;
}

function uniform(dtype: DType, st: number, n: number, lo: number, hi: number): Float64Array {
  const out = mem.alloc(n * bytesOf(dtype));
  runtime().raw[dtype].rngUniform(out, st, n, lo, hi);
  return mem.read(dtype, out, n);
}

function normal(dtype: DType, st: number, n: number, mean: number, std: number, truncate: boolean): Float64Array {
  const out = mem.alloc(n * bytesOf(dtype));
  runtime().raw[dtype].rngNormal(out, st, mem.alloc(8), n, mean, std, truncate);
  return mem.read(dtype, out, n);
}

/** The reference uniform: lo + (hi − lo)·u rounded to T; a value that rounds up to hi is redrawn. */
function uniformRef(ref: Xoshiro128ss, dtype: DType, n: number, lo: number, hi: number): Float64Array {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  return Float64Array.from({ length: n }, () => {
    let v = round(lo + (hi - lo) * ref.nextF64());
    while (v >= hi && hi > lo) v = round(lo + (hi - lo) * ref.nextF64());
    return v;
  });
}

function meanVar(x: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const m = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - m) ** 2;
  return [m, v / x.length];
}

describe('the JS reference generators', () => {
  it('SplitMix64 from state 0 gives the published first outputs', () => {
    const want = [0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n, 0x06c45d188009454fn, 0xf88bb8a8724c81ecn];
    expect([1n, 2n, 3n, 4n].map((i) => splitmix64Mix(GOLDEN_GAMMA * i))).toEqual(want);
  });

  it('xoshiro128** gives the reference C implementation\'s outputs and states', () => {
    // vectors from the C reference code, as published with edorfaus/xoshiro-6502's tests
    const r = new Xoshiro128ss([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    expect([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70]);
    expect(Array.from(r.s)).toEqual([0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343]);
  });
});

describe('rng_seed', () => {
  it('writes the state the JS seeding computes, for many seeds and streams', () => {
    for (const seed of SEEDS) for (const stream of STREAMS) {
      expect(Array.from(mem.readU32(seeded(seed, stream), 4)), `seed=${seed} stream=${stream}`)
        .toEqual(Array.from(Xoshiro128ss.seeded(seed, stream).s));
    }
  });

  it('gives different states for different streams and seeds, never all zero', () => {
    const seen = new Set<string>();
    for (const seed of SEEDS) for (const stream of STREAMS) {
      const s = mem.readU32(seeded(seed, stream), 4);
      expect(s.some((w) => w !== 0)).toBe(true);
      seen.add(Array.from(s).join(','));
    }
    expect(seen.size).toBe(SEEDS.length * STREAMS.length);
  });
});

describe.each(DTYPES)('rngUniform %s', (dtype) => {
  it('draws lo + (hi − lo)·u with u the reference 53-bit double, and advances the state identically', () => {
    for (const [seed, stream] of [[1n, 0], [42n, 3], [(1n << 64n) - 1n, 0xffffffff]] as const) {
      const st = seeded(seed, stream);
      const ref = Xoshiro128ss.seeded(seed, stream);
      for (const [n, lo, hi] of [[1027, 0, 1], [17, -2.5, 3], [0, 0, 1], [5, -0.05, 0.05]]) {
        const want = uniformRef(ref, dtype, n, lo, hi);
        expectExact(uniform(dtype, st, n, lo, hi), want, `seed=${seed} stream=${stream} n=${n}`);
        expect(Array.from(mem.readU32(st, 4))).toEqual(Array.from(ref.s));
      }
    }
  });

  it('is deterministic per (seed, stream); streams and seeds give unrelated sequences', () => {
    const a = uniform(dtype, seeded(7n, 0), 1000, 0, 1);
    expectExact(uniform(dtype, seeded(7n, 0), 1000, 0, 1), a, 'same seed and stream');
    for (const other of [uniform(dtype, seeded(7n, 1), 1000, 0, 1), uniform(dtype, seeded(8n, 0), 1000, 0, 1)]) {
      let equal = 0, cov = 0;
      for (let i = 0; i < 1000; i++) { if (other[i] === a[i]) equal++; cov += (a[i] - 0.5) * (other[i] - 0.5); }
      expect(equal).toBe(0);
      // correlation of independent uniforms: sd 1/√1000 ≈ 0.032; 5σ = 0.16
      expect(Math.abs(cov / 1000 / (1 / 12))).toBeLessThan(0.16);
    }
  });

  it('seeds 1, 2, 3 start well spread (no tiny first draws, as a raw xorshift would give)', () => {
    for (const seed of [1n, 2n, 3n]) {
      const u = uniform(dtype, seeded(seed, 0), 8, 0, 1);
      expect(Math.max(...u), `seed=${seed}`).toBeGreaterThan(0.1);
    }
  });

  it('has the mean and variance of U[lo, hi) over 100 000 draws, all inside [lo, hi)', () => {
    const lo = -2, hi = 3, w = hi - lo;
    const x = uniform(dtype, seeded(123n, 2), N, lo, hi);
    expect(x.every((v) => v >= lo && v < hi)).toBe(true);
    const [m, v] = meanVar(x);
    expect(Math.abs(m - (lo + hi) / 2)).toBeLessThan((5 * w) / Math.sqrt(12 * N));
    // Var(sample variance) ≈ (μ4 − σ⁴)/n with μ4 = w⁴/80, σ² = w²/12
    expect(Math.abs(v - (w * w) / 12)).toBeLessThan(5 * Math.sqrt((w ** 4 / 80 - w ** 4 / 144) / N));
  });

  it('never returns hi, even for the largest u < 1 (the [lo, hi) contract)', () => {
    // lo + (hi − lo)·u rounded to T can round up to hi: in f32 whenever u ≥ 1 − 2^-25
    // (one draw in 3·10^7), in f64 for some bounds, e.g. [1, 2) at u = 1 − 2^-53. The state
    // is crafted so that the next two 32-bit draws are all ones, i.e. u = 1 − 2^-53; the
    // kernel must redraw, and then agree with the reference again.
    const outside: string[] = [];
    for (const [lo, hi] of [[0, 1], [1, 2], [-1, 1], [-0.5, 0.5]]) {
      const st = mem.alloc(16);
      const crafted = stateForOutputs(0xffffffff, 0xffffffff);
      mem.writeU32(st, crafted);
      const x = uniform(dtype, st, 3, lo, hi);
      if (!x.every((v) => v >= lo && v < hi)) outside.push(`[${lo}, ${hi}) gave ${Array.from(x)}`);
      expectExact(x, uniformRef(new Xoshiro128ss(crafted), dtype, 3, lo, hi), `[${lo}, ${hi})`);
    }
    expect(outside).toEqual([]);
  });
});

describe.each(DTYPES)('rngNormal %s', (dtype) => {
  /** The reference: Box–Muller pairs, both values used, |z| > 2 redrawn when truncating. */
  function refNormal(ref: Xoshiro128ss, n: number, truncate: boolean): Float64Array {
    const out = new Float64Array(n);
    const pending: number[] = [];
    for (let i = 0; i < n; i++) {
      let z: number;
      do {
        if (!pending.length) pending.push(...ref.normalPair().reverse());
        z = pending.pop()!;
      } while (truncate && Math.abs(z) > 2);
      out[i] = z;
    }
    return out;
  }

  it('equals mean + std·z with z from the reference Box–Muller stream, truncated or not', () => {
    // exp/log/sin/cos are musl's in wasm and V8's here: equal to within a few ulp, not bitwise
    const tol = dtype === 'float32' ? 2 ** -20 : 1e-13;
    for (const truncate of [false, true]) for (const n of [0, 1, 2, 3, 1027]) {
      const st = seeded(99n, n);
      const z = refNormal(Xoshiro128ss.seeded(99n, n), n, truncate);
      const got = normal(dtype, st, n, 0.5, 2, truncate);
      expectClose(got, z.map((v) => 0.5 + 2 * v), (i) => tol * (1 + 2 * Math.abs(z[i])), `truncate=${truncate} n=${n}`);
    }
  });

  it('has mean ≈ 0 and std ≈ 1 over 100 000 draws', () => {
    const [m, v] = meanVar(normal(dtype, seeded(5n, 0), N, 0, 1, false));
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(Math.sqrt(v) - 1)).toBeLessThan(5 / Math.sqrt(2 * N));
  });

  it('truncated: every |z| ≤ 2 and std ≈ 0.8796 (that of N(0,1) restricted to [−2, 2])', () => {
    const mean = 3, std = 0.5;
    const x = normal(dtype, seeded(6n, 0), N, mean, std, true);
    expect(x.every((v) => Math.abs(v - mean) <= 2 * std * (1 + 1e-6))).toBe(true);
    const [m, v] = meanVar(x.map((t) => (t - mean) / std));
    // Var(Z | |Z| ≤ 2) = 1 − 2·2·φ(2)/(2Φ(2) − 1) with φ(2) = e^−2/√(2π), 2Φ(2) − 1 = erf(√2)
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const sdTrunc = Math.sqrt(1 - (4 * phi2) / 0.9544997361036416);
    expect(sdTrunc).toBeCloseTo(0.8796, 4);
    expect(Math.abs(m)).toBeLessThan((5 * sdTrunc) / Math.sqrt(N));
    expect(Math.abs(Math.sqrt(v) - sdTrunc)).toBeLessThan(5 / Math.sqrt(2 * N));
  });
});
