// softmaxXent (int labels) and softmaxXentDense (target rows) vs the f64 oracle: loss and
// dlogits, at awkward row and column counts, in place (dlogits == logits, allowed), value
// only (dlogits = 0), misaligned, and at logits ~1e4 where an unshifted exp overflows.
//
// Tolerance, per row, from the kernel's T arithmetic: x − max is rounded (u·R, R = the
// row's range) before exp (≈2u), the sum of `cols` exps adds cols·u, log turns the sum's
// relative error into absolute error, then lse = max + log and lse − x each round once
// (u·|lse|, u·|loss|). Each probability carries the same relative error plus the
// roundings of ·tsum, −t and ·(1/rows). We allow twice that, which also covers the f64
// oracle's own rounding when the kernel is f64. A wrong label, column or 1/rows is off
// by O(p/rows), orders of magnitude above it.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng, uniformArray } from '../reference/prng.js';
import { softmaxXentDenseRef, oneHot } from '../reference/losses.js';
import { expectClose, expectNear, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const ROWS = [0, 1, 3, 17];
const COLS = [1, 2, 3, 4, 5, 7, 16, 17, 1000, 1027];
const mem = new Mem();
afterEach(() => mem.freeAll());

type Grad = 'separate' | 'alias' | 'none';
interface Run { loss: number; d: Float64Array | null; logitsAfter: Float64Array }

/** Runs the kernel; `labels` given → softmaxXent, else softmaxXentDense with `t`. */
function run(dtype: DType, x: Float64Array, labels: Int32Array | null, t: Float64Array | null, rows: number, cols: number, grad: Grad, offset: number): Run {
  const k = runtime().raw[dtype];
  const px = mem.put(dtype, x, offset);
  const pd = grad === 'alias' ? px : grad === 'none' ? 0 : mem.alloc(x.length * bytesOf(dtype), offset);
  const loss = labels
    ? k.softmaxXent(pd, px, mem.putI32(labels), 0, rows, cols)
    : k.softmaxXentDense(pd, px, mem.put(dtype, t!, offset), 0, rows, cols);
  const out = { loss, d: pd ? mem.read(dtype, pd, x.length) : null, logitsAfter: mem.read(dtype, px, x.length) };
  mem.freeAll();
  return out;
}

/** Per-row loss tolerance and per-element gradient tolerance (see the header). */
function tolerances(u: number, x: Float64Array, t: Float64Array, rows: number, cols: number) {
  const ref = softmaxXentDenseRef(x, t, rows, cols);
  let lossTol = 0;
  const dTol = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity, mn = Infinity, tAbs = 0, tsum = 0;
    for (let c = 0; c < cols; c++) { mx = Math.max(mx, x[o + c]); mn = Math.min(mn, x[o + c]); tAbs += Math.abs(t[o + c]); tsum += t[o + c]; }
    const lse = ref.lse[r];
    const relP = u * (cols + (mx - mn) + 4); // relative error of each probability (and of the sum)
    for (let c = 0; c < cols; c++) {
      const term = lse - x[o + c];
      lossTol += 2 * Math.abs(t[o + c]) * (relP + u * (Math.abs(lse - mx) + Math.abs(lse) + Math.abs(term)) + cols * u * Math.abs(term));
      const p = ref.p[o + c];
      dTol[o + c] = (2 * ((relP + 2 * u) * p * Math.abs(tsum) + cols * u * p * tAbs + 3 * u * Math.abs(p * tsum - t[o + c]))) / rows;
    }
  }
  return { ref, lossTol: rows ? lossTol / rows : 0, dTol };
}

function checkBoth(dtype: DType, x: Float64Array, labels: Int32Array | null, t: Float64Array, rows: number, cols: number, label: string) {
  const { ref, lossTol, dTol } = tolerances(unitRoundoff(dtype), x, t, rows, cols);
  for (const grad of ['separate', 'alias', 'none'] as Grad[]) for (const offset of [0, bytesOf(dtype)]) {
    const got = run(dtype, x, labels, labels ? null : t, rows, cols, grad, offset);
    const what = `${label} grad=${grad} offset=${offset}`;
    expectNear(got.loss, ref.loss, lossTol, `loss ${what}`);
    if (got.d) expectClose(got.d, ref.d, (i) => dTol[i], `dlogits ${what}`);
    if (grad !== 'alias') expectClose(got.logitsAfter, x, 0, `logits unchanged ${what}`);
  }
}

function randomLabels(rng: TestRng, rows: number, cols: number): Int32Array {
  return Int32Array.from({ length: rows }, () => rng.int(cols));
}

describe.each(DTYPES)('softmaxXent %s', (dtype) => {
  it('int labels: loss and dlogits match the oracle at every shape', () => {
    const rng = new TestRng(31);
    for (const rows of ROWS) for (const cols of COLS) {
      const x = uniformArray(rng, rows * cols, -5, 5, dtype);
      const labels = randomLabels(rng, rows, cols);
      checkBoth(dtype, x, labels, oneHot(labels, rows, cols), rows, cols, `rows=${rows} cols=${cols}`);
    }
  });

  it('dense targets: one-hot, soft (rows sum to 1) and unnormalized rows match the oracle', () => {
    const rng = new TestRng(32);
    for (const rows of ROWS) for (const cols of COLS) {
      const x = uniformArray(rng, rows * cols, -5, 5, dtype);
      const labels = randomLabels(rng, rows, cols);
      checkBoth(dtype, x, null, oneHot(labels, rows, cols), rows, cols, `one-hot rows=${rows} cols=${cols}`);
      const soft = uniformArray(rng, rows * cols, 0, 1, dtype);
      checkBoth(dtype, x, null, soft, rows, cols, `unnormalized rows=${rows} cols=${cols}`);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += soft[r * cols + c];
        for (let c = 0; c < cols; c++) soft[r * cols + c] = Math.fround(soft[r * cols + c] / s);
      }
      checkBoth(dtype, x, null, soft, rows, cols, `soft rows=${rows} cols=${cols}`);
    }
  });

  it('is stable at logits ~1e4: finite, and equal to the shifted oracle', () => {
    const rng = new TestRng(33);
    const rows = 3, cols = 17;
    for (const base of [1e4, -1e4]) {
      const x = uniformArray(rng, rows * cols, base - 5, base + 5, dtype);
      const labels = randomLabels(rng, rows, cols);
      checkBoth(dtype, x, labels, oneHot(labels, rows, cols), rows, cols, `logits ~${base}`);
    }
    // one logit at +1e4, the rest at −1e4: probabilities are exactly one-hot; loss 0 or 2e4
    const x = new Float64Array(2 * 4).fill(-1e4);
    x[1] = 1e4; x[4 + 1] = 1e4;
    const got = run(dtype, x, Int32Array.from([1, 3]), null, 2, 4, 'separate', 0);
    expect(got.loss).toBe(1e4); // mean of 0 and 2e4
    expect(Array.from(got.d!)).toEqual([0, 0, 0, 0, 0, 0.5, 0, -0.5]);
  });

  it('a worked example: equal logits give loss log(cols) and d = (1/cols − onehot)/rows', () => {
    const got = run(dtype, new Float64Array(8), Int32Array.from([2, 0]), null, 2, 4, 'separate', 0);
    expectNear(got.loss, Math.log(4), 4 * unitRoundoff(dtype), 'loss');
    expect(Array.from(got.d!)).toEqual([0.125, 0.125, -0.375, 0.125, -0.375, 0.125, 0.125, 0.125]);
  });

  it('returns 0 for rows = 0', () => {
    expect(run(dtype, new Float64Array(0), new Int32Array(0), null, 0, 5, 'separate', 0).loss).toBe(0);
    expect(run(dtype, new Float64Array(0), null, new Float64Array(0), 0, 5, 'separate', 0).loss).toBe(0);
  });
});
