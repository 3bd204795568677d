// actBackward vs the f64 oracle: dx = dy ⊙ act'(·) written through the forward output y
// (the kernel's contract), at every awkward size, with dx == dy (allowed) and with
// pointers one element off 16-byte alignment.
//
// y is what the forward would have stored: act(x) rounded to T. The oracle evaluates the
// same formula of y in f64, so the only differences are the kernel's T roundings of its
// intermediates (g·y, 1 − y, y², y + alpha): each is at most u times its own magnitude,
// hence |Δ| ≤ 4u·|dy|·(|act'| + y²) (the y² term is the rounding of y·y in tanh's
// 1 − y², which cancels near |y| = 1). Linear and relu copy or mask: exact.
// A separate f64 test checks the contract itself: the y-form equals act'(x) from x.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, Act, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng, uniformArray, roundTo, SIZES } from '../reference/prng.js';
import { act, actDerivFromX, actDerivFromY } from '../reference/activations.js';
import { expectClose, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const ACTS: [string, number, number][] = [
  ['linear', Act.linear, 0.7], ['relu', Act.relu, 0.7], ['sigmoid', Act.sigmoid, 0.7], ['tanh', Act.tanh, 0.7],
  ['leakyRelu 0.01', Act.leakyRelu, 0.01], ['leakyRelu 0.3', Act.leakyRelu, 0.3],
  ['elu 1', Act.elu, 1.0], ['elu 0.5', Act.elu, 0.5],
];

const mem = new Mem();
afterEach(() => mem.freeAll());

interface Layout { alias: boolean; offset: boolean }

function runActBackward(dtype: DType, dy: Float64Array, y: Float64Array, code: number, alpha: number, l: Layout): Float64Array {
  const off = l.offset ? bytesOf(dtype) : 0;
  const pdy = mem.put(dtype, dy, off), py = mem.put(dtype, y, off);
  const pdx = l.alias ? pdy : mem.alloc(dy.length * bytesOf(dtype), off);
  runtime().raw[dtype].actBackward(pdx, pdy, py, dy.length, code, alpha);
  const dx = mem.read(dtype, pdx, dy.length);
  mem.freeAll();
  return dx;
}

/** x in [−4, 4) with some exact zeros; y = act(x) rounded to T, as the forward stores it. */
function makeInputs(rng: TestRng, dtype: DType, n: number, code: number, alpha: number) {
  const round = roundTo(dtype);
  const x = uniformArray(rng, n, -4, 4, dtype);
  for (let i = 0; i < n; i += 5) x[i] = 0;
  const y = x.map((v) => round(act(v, code, round(alpha))));
  const dy = uniformArray(rng, n, -1, 1, dtype);
  return { x, y, dy };
}

describe.each(DTYPES)('actBackward %s', (dtype) => {
  const u = unitRoundoff(dtype);

  it.each(ACTS)('%s matches the oracle at every size, in place and misaligned', (name, code, alpha) => {
    const rng = new TestRng(code * 31 + Math.round(alpha * 100));
    const a = roundTo(dtype)(alpha);
    for (const n of SIZES) {
      const { y, dy } = makeInputs(rng, dtype, n, code, alpha);
      const want = dy.map((g, i) => g * actDerivFromY(y[i], code, a));
      const exact = code === Act.linear || code === Act.relu;
      const tol = (i: number) => (exact ? 0 : 4 * u * Math.abs(dy[i]) * (Math.abs(actDerivFromY(y[i], code, a)) + y[i] * y[i]));
      for (const alias of [false, true]) for (const offset of [false, true]) {
        expectClose(runActBackward(dtype, dy, y, code, alpha, { alias, offset }), want, tol, `${name} n=${n} alias=${alias} offset=${offset}`);
      }
    }
  });

  it('relu passes no gradient where y is exactly 0, in the SIMD body and the tail', () => {
    const y = Float64Array.from([0, 1, 0, 2, 0, 0, 3, 0, 0]);
    const dy = Float64Array.from([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const dx = runActBackward(dtype, dy, y, Act.relu, 0, { alias: false, offset: false });
    expect(Array.from(dx)).toEqual([0, 6, 0, 8, 0, 0, 11, 0, 0]);
  });

  it('leakyRelu gives alpha·dy and elu gives alpha·dy where y is exactly 0', () => {
    const y = Float64Array.from([0, 0, 1]), dy = Float64Array.from([2, -4, 3]);
    expect(Array.from(runActBackward(dtype, dy, y, Act.leakyRelu, 0.25, { alias: false, offset: false }))).toEqual([0.5, -1, 3]);
    expect(Array.from(runActBackward(dtype, dy, y, Act.elu, 0.5, { alias: false, offset: false }))).toEqual([1, -2, 3]);
  });
});

describe('actBackward float64 contract', () => {
  it.each(ACTS)('%s: the y-form equals dy·act\'(x) computed from x', (name, code, alpha) => {
    const rng = new TestRng(code + 7);
    const { x, y, dy } = makeInputs(rng, 'float64', 1027, code, alpha);
    const dx = runActBackward('float64', dy, y, code, alpha, { alias: false, offset: false });
    // 1e-13: y carries one rounding, and y(1 − y) for |x| ≤ 4 amplifies it at most 1/(1 − σ(4)) ≈ 56×
    expectClose(dx, dy.map((g, i) => g * actDerivFromX(x[i], code, alpha)), (i) => 1e-13 * Math.abs(dy[i]), name);
  });
});
