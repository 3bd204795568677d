// sigmoidXent vs the f64 oracle (written as the textbook −[t·log σ(x) + (1 − t)·log σ(−x)],
// a different formula from the kernel's), at every awkward size, with 0/1 and soft
// targets, value only (dx = 0), misaligned, and at |x| = 100 and 1000 where a naive
// log(σ(x)) gives −Infinity or NaN.
//
// Tolerances from the kernel's T arithmetic. Each loss term max(x, 0) − x·t + log1p(e^−|x|)
// has three roundings of magnitude ≤ |x|, |x·t|, |term| plus exp/log1p's ≈ 2u: allow
// 4u·(|x| + 1 + |term|) per term, averaged. dx = (σ(x) − t)·(1/n): σ carries ≈ 4u
// relative, then one subtraction and two products: (4u·σ + 3u·|σ − t|)/n, plus two steps
// of the subnormal grid for σ(−100)/n in f32. Using the
// wrong target or forgetting 1/n is off by O(1/n).

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng, uniformArray, intArray, SIZES } from '../reference/prng.js';
import { sigmoidXentRef } from '../reference/losses.js';
import { expectClose, expectNear, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

function run(dtype: DType, x: ArrayLike<number>, t: ArrayLike<number>, withGrad: boolean, offset = 0) {
  const n = x.length;
  const px = mem.put(dtype, x, offset), pt = mem.put(dtype, t, offset);
  const pd = withGrad ? mem.alloc(n * bytesOf(dtype), offset) : 0;
  const loss = runtime().raw[dtype].sigmoidXent(pd, px, pt, 0, 1, n);
  const d = withGrad ? mem.read(dtype, pd, n) : null;
  mem.freeAll();
  return { loss, d };
}

function check(dtype: DType, x: Float64Array, t: Float64Array, label: string) {
  const u = unitRoundoff(dtype);
  // σ(−100)/n is subnormal in f32, where the grid step (not u) sets the resolution
  const subnormalStep = 2 * (dtype === 'float32' ? 2 ** -149 : 2 ** -1074);
  const n = x.length;
  const ref = sigmoidXentRef(x, t, n);
  let lossTol = 0;
  for (let i = 0; i < n; i++) lossTol += 4 * u * (Math.abs(x[i]) + 1 + Math.abs(sigmoidXentRef([x[i]], [t[i]], 1).loss));
  lossTol = n ? lossTol / n : 0;
  const dTol = (i: number) => {
    const s = 1 / (1 + Math.exp(-x[i]));
    return (4 * u * s + 3 * u * Math.abs(s - t[i])) / n + subnormalStep;
  };
  for (const withGrad of [true, false]) for (const offset of [0, bytesOf(dtype)]) {
    const got = run(dtype, x, t, withGrad, offset);
    expectNear(got.loss, ref.loss, lossTol, `loss ${label} grad=${withGrad} offset=${offset}`);
    if (got.d) expectClose(got.d, ref.d, dTol, `dx ${label} offset=${offset}`);
  }
}

describe.each(DTYPES)('sigmoidXent %s', (dtype) => {
  it('matches the oracle at every size with 0/1 and soft targets', () => {
    const rng = new TestRng(41);
    for (const n of SIZES) {
      const x = uniformArray(rng, n, -8, 8, dtype);
      check(dtype, x, intArray(rng, n, 0, 1), `n=${n} 0/1 targets`);
      check(dtype, x, uniformArray(rng, n, 0, 1, dtype), `n=${n} soft targets`);
    }
  });

  it('stays finite and exact at |x| = 100 and 1000', () => {
    const x = Float64Array.from([100, 100, -100, -100, 1000, -1000, 100, -100]);
    const t = Float64Array.from([0, 1, 0, 1, 0, 0, 0.25, 0.25]);
    check(dtype, x, t, 'saturated');
    const got = run(dtype, x, t, true);
    expect(Number.isFinite(got.loss)).toBe(true);
    // confident and right: the loss is e^−100 ≈ 3.7e-44 (subnormal in f32), not 0 and not NaN
    const tiny = run(dtype, [100, -100], [1, 0], true);
    const tinyTol = dtype === 'float32' ? 4 * 2 ** -149 : 1e-12 * Math.exp(-100);
    expectNear(tiny.loss, Math.exp(-100), tinyTol, 'confident and right');
    expect(Array.from(tiny.d!).map((v) => Math.abs(v) < 1e-40)).toEqual([true, true]);
    // confident and wrong: loss 100, gradient ±1/n
    const wrong = run(dtype, [100, -100], [0, 1], true);
    expectNear(wrong.loss, 100, 100 * unitRoundoff(dtype), 'confident and wrong');
    expect(Array.from(wrong.d!)).toEqual([0.5, -0.5]);
  });

  it('a worked example: x = 0 gives log 2 and dx = (1/2 − t)/n', () => {
    const got = run(dtype, [0, 0, 0, 0], [0, 1, 0.5, 1], true);
    expectNear(got.loss, Math.LN2, 4 * unitRoundoff(dtype), 'loss');
    expect(Array.from(got.d!)).toEqual([0.125, -0.125, 0, -0.125]);
  });

  it('returns 0 for n = 0', () => {
    expect(run(dtype, [], [], true).loss).toBe(0);
  });
});
