// dropout (inverted): mask[i] = keep ? 1/(1 − rate) : 0, y = x·mask, one 32-bit draw per
// element kept when it is ≥ ⌊rate·2^32⌋. Checked bit for bit against the JS xoshiro
// reference (tests/reference/xoshiro.ts) at awkward sizes, in place (y == x, allowed)
// and misaligned; then the statistics over 100 000 elements with 5σ bounds.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { Xoshiro128ss, seedWords } from '../reference/xoshiro.js';
import { TestRng, uniformArray, roundTo, SIZES } from '../reference/prng.js';
import { expectExact } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const RATES = [0, 0.1, 0.5, 0.9];
const N = 100_000;
const mem = new Mem();
afterEach(() => mem.freeAll());

function seeded(seed: bigint, stream: number): number {
  const st = mem.alloc(16);
  const [lo, hi] = seedWords(seed);
  runtime().exports.rng_seed(st, lo, hi, stream);
  return st;
}

function run(dtype: DType, x: Float64Array, st: number, rate: number, alias = false, offset = 0) {
  const es = bytesOf(dtype);
  const px = mem.put(dtype, x, offset);
  const py = alias ? px : mem.alloc(x.length * es, offset);
  const pm = mem.alloc(x.length * es, offset);
  runtime().raw[dtype].dropout(py, pm, st, px, x.length, rate);
  return { y: mem.read(dtype, py, x.length), mask: mem.read(dtype, pm, x.length) };
}

/** The reference mask: u32 draw ≥ ⌊rate·2^32⌋ keeps, scaled by 1/(1 − rate) rounded to T. */
function refMask(ref: Xoshiro128ss, n: number, rate: number, dtype: DType): Float64Array {
  const threshold = Math.floor(rate * 4294967296);
  const scale = roundTo(dtype)(1 / (1 - rate));
  return Float64Array.from({ length: n }, () => (ref.nextU32() >= threshold ? scale : 0));
}

describe.each(DTYPES)('dropout %s', (dtype) => {
  const round = roundTo(dtype);

  it('mask and output equal the reference at every size and rate, in place and misaligned', () => {
    const rng = new TestRng(81);
    for (const rate of RATES) for (const n of SIZES) for (const alias of [false, true]) for (const offset of [0, bytesOf(dtype)]) {
      const x = uniformArray(rng, n, -2, 2, dtype);
      const st = seeded(2024n, n);
      const ref = Xoshiro128ss.seeded(2024n, n);
      const mask = refMask(ref, n, rate, dtype);
      const got = run(dtype, x, st, rate, alias, offset);
      const label = `rate=${rate} n=${n} alias=${alias} offset=${offset}`;
      expectExact(got.mask, mask, `mask ${label}`);
      expectExact(got.y, x.map((v, i) => round(v * mask[i])), `y ${label}`);
      expect(Array.from(mem.readU32(st, 4)), `one draw per element ${label}`).toEqual(Array.from(ref.s));
      mem.freeAll();
    }
  });

  it('rate 0 keeps everything: mask 1, y == x', () => {
    const x = uniformArray(new TestRng(82), 1027, -2, 2, dtype);
    const got = run(dtype, x, seeded(1n, 0), 0);
    expect(got.mask.every((m) => m === 1)).toBe(true);
    expectExact(got.y, x, 'y');
  });

  it.each([0.1, 0.3, 0.5, 0.9])('rate %f keeps a fraction ≈ 1 − rate, mask values 0 or 1/(1 − rate), mean mask ≈ 1', (rate) => {
    const { mask } = run(dtype, new Float64Array(N).fill(1), seeded(3n, 9), rate);
    const scale = round(1 / (1 - rate));
    expect(mask.every((m) => m === 0 || m === scale)).toBe(true);
    const kept = mask.filter((m) => m !== 0).length / N;
    const sd = Math.sqrt((rate * (1 - rate)) / N);
    expect(Math.abs(kept - (1 - rate))).toBeLessThan(5 * sd);
    // inverted dropout preserves the expectation: mean(mask) = kept/(1 − rate) ≈ 1
    const meanMask = mask.reduce((s, m) => s + m, 0) / N;
    expect(Math.abs(meanMask - 1)).toBeLessThan((5 * sd) / (1 - rate) + 1e-6);
  });

  it('is deterministic per (seed, stream), and streams differ', () => {
    const x = new Float64Array(1000).fill(1);
    const a = run(dtype, x, seeded(11n, 0), 0.5).mask;
    expectExact(run(dtype, x, seeded(11n, 0), 0.5).mask, a, 'same seed');
    const b = run(dtype, x, seeded(11n, 1), 0.5).mask;
    const same = a.filter((m, i) => m === b[i]).length;
    expect(Math.abs(same - 500)).toBeLessThan(5 * Math.sqrt(250)); // independent masks agree half the time
  });
});
