// mse vs the f64 oracle: loss = mean((p − t)²), dp = 2(p − t)/n, at every awkward size,
// value only (dp = 0) and misaligned.
//
// Tolerances: d = p − t rounds once in T (u·|d|), d² once more, and the sum is in f64:
// each squared term is within 3u relative, so the mean is within 3u·mean(d²) (+ the f64
// sum's n·2^-53, negligible; we allow 4u). dp = d·(2/n) with 2/n rounded to T: three
// roundings, 4u relative. A wrong scale (1/n instead of 2/n) or sign is off by 100%.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng, uniformArray, SIZES } from '../reference/prng.js';
import { mseRef } from '../reference/losses.js';
import { expectClose, expectNear, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

function run(dtype: DType, p: ArrayLike<number>, t: ArrayLike<number>, withGrad: boolean, offset = 0) {
  const n = p.length;
  const pp = mem.put(dtype, p, offset), pt = mem.put(dtype, t, offset);
  const pd = withGrad ? mem.alloc(n * bytesOf(dtype), offset) : 0;
  const loss = runtime().raw[dtype].mse(pd, pp, pt, 0, 1, n);
  const d = withGrad ? mem.read(dtype, pd, n) : null;
  mem.freeAll();
  return { loss, d };
}

describe.each(DTYPES)('mse %s', (dtype) => {
  const u = unitRoundoff(dtype);

  it('matches the oracle at every size, with and without the gradient, misaligned', () => {
    const rng = new TestRng(51);
    for (const n of SIZES) {
      const p = uniformArray(rng, n, -3, 3, dtype), t = uniformArray(rng, n, -3, 3, dtype);
      const ref = mseRef(p, t, n);
      for (const withGrad of [true, false]) for (const offset of [0, bytesOf(dtype)]) {
        const got = run(dtype, p, t, withGrad, offset);
        const label = `n=${n} grad=${withGrad} offset=${offset}`;
        expectNear(got.loss, ref.loss, 4 * u * ref.loss, `loss ${label}`);
        if (got.d) expectClose(got.d, ref.d, (i) => 4 * u * Math.abs(ref.d[i]), `dp ${label}`);
      }
    }
  });

  it('a worked example: p = [1, 2, 3, 4], t = [0, 2, 5, 4] gives loss 5/4 and dp = [1/2, 0, −1, 0]', () => {
    const got = run(dtype, [1, 2, 3, 4], [0, 2, 5, 4], true);
    expect(got.loss).toBe(1.25);
    expect(Array.from(got.d!)).toEqual([0.5, 0, -1, 0]);
  });

  it('returns 0 for n = 0', () => {
    expect(run(dtype, [], [], true).loss).toBe(0);
  });
});
