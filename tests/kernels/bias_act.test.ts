// biasAct vs the f64 oracle: y[r, c] = act(x[r, c] + bias[c]) for every activation code,
// at the awkward column counts (SIMD body + every tail length), with and without bias,
// in place (y == x, which the kernel allows) and at pointers one element off 16-byte
// alignment.
//
// The oracle adds x + bias rounded to T (for two T values, round(x + b) computed in f64
// IS the T sum), so linear and relu must match exactly; leakyRelu is one more rounding
// (≤ u relative); sigmoid, tanh and elu go through exp/expm1/tanh (musl, ≤ ~2 ulp) plus
// one or two arithmetic roundings, so 8u relative. A wrong formula or a wrong bias column
// is off by far more than 8u = 5e-7 (f32). The abs term is a few steps of the subnormal
// grid, for sigmoid(−100) in f32 (3.7e-44, subnormal).

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, Act, type DType } from '../../bindings/index.js';
import { Mem, bytesOf } from '../reference/mem.js';
import { TestRng, uniformArray, roundTo, SIZES } from '../reference/prng.js';
import { act, biasActRef } from '../reference/activations.js';
import { expectClose, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
/** [name, code, alpha]: alpha matters for leakyRelu and elu; the others must ignore it. */
const ACTS: [string, number, number][] = [
  ['linear', Act.linear, 0.7], ['relu', Act.relu, 0.7], ['sigmoid', Act.sigmoid, 0.7], ['tanh', Act.tanh, 0.7],
  ['leakyRelu 0.01', Act.leakyRelu, 0.01], ['leakyRelu 0.3', Act.leakyRelu, 0.3],
  ['elu 1', Act.elu, 1.0], ['elu 0.5', Act.elu, 0.5],
];

const mem = new Mem();
afterEach(() => mem.freeAll());

function relTol(dtype: DType, code: number): number {
  const u = unitRoundoff(dtype);
  if (code === Act.linear || code === Act.relu) return 0;
  if (code === Act.leakyRelu) return u;
  return 8 * u;
}

/** A few steps of the subnormal grid: the absolute resolution near zero. */
function tinyTol(dtype: DType): number {
  return dtype === 'float32' ? 8 * 2 ** -149 : 8 * 2 ** -1074;
}

interface Layout { alias: boolean; offset: boolean; withBias: boolean }

function runBiasAct(
  dtype: DType, x: Float64Array, bias: Float64Array, rows: number, cols: number, code: number, alpha: number, l: Layout,
): Float64Array {
  const off = l.offset ? bytesOf(dtype) : 0;
  const px = mem.put(dtype, x, off);
  const pb = l.withBias ? mem.put(dtype, bias, off) : 0;
  const py = l.alias ? px : mem.alloc(x.length * bytesOf(dtype), off);
  runtime().raw[dtype].biasAct(py, px, pb, rows, cols, code, alpha);
  const y = mem.read(dtype, py, x.length);
  mem.freeAll();
  return y;
}

function check(dtype: DType, x: Float64Array, bias: Float64Array, rows: number, cols: number, code: number, alpha: number, l: Layout, label: string) {
  const round = roundTo(dtype);
  x = x.map(round); // what the kernel will read
  const want = biasActRef(x, l.withBias ? bias : null, rows, cols, code, round(alpha), round);
  const got = runBiasAct(dtype, x, bias, rows, cols, code, alpha, l);
  const rel = relTol(dtype, code), tiny = tinyTol(dtype);
  expectClose(got, want, (i) => rel * Math.abs(want[i]) + (rel ? tiny : 0), label);
}

describe.each(DTYPES)('biasAct %s', (dtype) => {
  it.each(ACTS)('%s matches the oracle at every size, layout and aliasing', (name, code, alpha) => {
    const rng = new TestRng(code * 100 + Math.round(alpha * 100));
    for (const cols of SIZES) {
      for (const rows of [0, 1, 3]) {
        const x = uniformArray(rng, rows * cols, -6, 6, dtype);
        const bias = uniformArray(rng, cols, -2, 2, dtype);
        // exact zeros after the bias: relu/leaky/elu must treat 0 as "not > 0"
        if (rows > 0 && cols > 2) { x[1] = -bias[1]; x[cols + 2 < x.length ? cols + 2 : 2] = -bias[2]; }
        for (const withBias of [true, false]) for (const alias of [false, true]) for (const offset of [false, true]) {
          const l = { alias, offset, withBias };
          check(dtype, x, bias, rows, cols, code, alpha, l, `${name} rows=${rows} cols=${cols} ${JSON.stringify(l)}`);
        }
      }
    }
  });

  it('saturates without NaN or overflow at |x| up to 1000', () => {
    const x = Float64Array.from([-1000, -100, -30, -1e-3, 0, 1e-3, 30, 100, 1000]);
    for (const [name, code, alpha] of ACTS) {
      check(dtype, x, new Float64Array(9), 1, 9, code, alpha, { alias: false, offset: false, withBias: false }, name);
    }
  });

  it('relu of exactly 0 and of negatives is 0, in the SIMD body and the tail', () => {
    const x = Float64Array.from([0, -1, 2, -0.5, 0, 3, -7, 0, 0]); // 9 cols: SIMD lanes + tail for both dtypes
    const y = runBiasAct(dtype, x, new Float64Array(9), 1, 9, Act.relu, 0, { alias: false, offset: false, withBias: false });
    expect(Array.from(y)).toEqual([0, 0, 2, 0, 0, 3, 0, 0, 0]);
  });

  it('the oracle itself: elu(x) = alpha·(e^x − 1), sigmoid(0) = 1/2, leaky(−2) = −2·alpha', () => {
    expect(act(-1, Act.elu, 0.5)).toBeCloseTo(0.5 * (Math.E ** -1 - 1), 15);
    expect(act(0, Act.sigmoid, 0)).toBe(0.5);
    expect(act(-2, Act.leakyRelu, 0.01)).toBe(-0.02);
  });
});
