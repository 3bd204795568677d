// maxPool / maxPoolBackward / avgPool / avgPoolBackward (assembly/pool.ts) vs the f64 oracles
// of tests/reference/conv.ts, on the window geometries shared with conv.test.ts (strides 1,
// 2, [2, 1]; 'same' with odd and even windows and windows larger than the input; 'valid';
// 1×1; C ∈ {1, 3, 4, 5, 16, 17}, i.e. the f32 four-channel v128 path and its scalar tail;
// batch 1 and 3; H ≠ W), at aligned pointers and one element off.
//
// Tolerances: maxPool selects, so y and idx are exact; ties go to the first in-bounds
// position in row-major window order (checked on data drawn from {−1, 0, 1}, and on
// constants). Padded positions never win (all-negative inputs). The backward passes and
// avgPool sum k terms in T: |Δ| ≤ γ_{k+2}·Σ|terms| (dotErrorFactor; +2 covers avgPool's
// rounded 1/count and product); k ≤ 25 here, so ≤ 1.7e-6 relative in f32. A term sent to
// the wrong pixel or a wrong count is off by ≥ Σ|terms|/25 — far outside.
// Outputs start as sentinels with one more past the end: every element must be written
// (the backward passes must zero dx first) and nothing past the end.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, intArray } from '../reference/prng.js';
import { expectClose, expectExact, unitRoundoff } from '../reference/check.js';
import { dotErrorFactor } from '../reference/gemm.js';
import {
  geom, geomArgs, inSize, outSize, windowCases, maxPoolRef, maxPoolBackwardRef, avgPoolRef, avgPoolBackwardRef,
  type Geom, type Sums,
} from '../reference/conv.js';

const DTYPES: DType[] = ['float32', 'float64'];
const IDX_SENTINEL = -7;

const mem = new Mem();
afterEach(() => mem.freeAll());

const k = (dtype: DType) => runtime().raw[dtype];

function output(dtype: DType, n: number, off: number): number {
  return mem.put(dtype, sentinels(n + 1), off);
}

function readOutput(dtype: DType, p: number, n: number, what: string): Float64Array {
  const v = mem.read(dtype, p, n + 1);
  expect(v[n], `${what}: wrote past the end`).toBe(SENTINEL);
  return v.subarray(0, n);
}

function runMaxPool(dtype: DType, x: Float64Array, g: Geom, off: number): { y: Float64Array; idx: Int32Array } {
  const n = outSize(g);
  const px = mem.put(dtype, x, off), py = output(dtype, n, off);
  const pi = mem.putI32(new Array(n + 1).fill(IDX_SENTINEL), off ? 4 : 0);
  k(dtype).maxPool(py, pi, px, ...geomArgs(g));
  const y = readOutput(dtype, py, n, 'y'), idx = mem.readI32(pi, n + 1);
  mem.freeAll();
  expect(idx[n], 'idx: wrote past the end').toBe(IDX_SENTINEL);
  return { y, idx: idx.subarray(0, n) };
}

function expectSums(got: Float64Array, want: Sums, dtype: DType, label: string): void {
  const u = unitRoundoff(dtype);
  expectClose(got, want.v, (i) => dotErrorFactor(want.terms[i], u) * want.abs[i], label);
}

/** In-bounds window rows/cols of output pixel (oy, ox): the first in-bounds pixel is (y0, x0). */
function firstInBounds(g: Geom, oy: number, ox: number): number {
  return Math.max(oy * g.SH - g.padTop, 0) * g.W + Math.max(ox * g.SW - g.padLeft, 0);
}

describe('pool oracles', () => {
  it('maxPool: first maximum on ties, padding ignored; avgPool divides by the in-bounds count', () => {
    const g = geom(1, 2, 3, 1, [2, 2], [2, 2], 'same'); // OH 1, OW 2; second window is 2×1 in bounds
    const { y, idx } = maxPoolRef([1, 3, -5, 3, 2, -6], g);
    expect(Array.from(y)).toEqual([3, -5]);
    expect(Array.from(idx)).toEqual([1, 2]);
    expect(Array.from(avgPoolRef([1, 3, -5, 3, 2, -6], g).v)).toEqual([9 / 4, -11 / 2]);
  });

  it('avgPoolBackwardRef is the adjoint of avgPoolRef: ⟨avgPool(x), dy⟩ = ⟨x, avgPoolBackward(dy)⟩', () => {
    for (const { label, g } of windowCases()) {
      const rng = new TestRng(13 + g.C);
      const x = uniformArray(rng, inSize(g), -1, 1), dy = uniformArray(rng, outSize(g), -1, 1);
      const y = avgPoolRef(x, g).v, dx = avgPoolBackwardRef(dy, g).v;
      let lhs = 0, rhs = 0, abs = 0;
      for (let i = 0; i < y.length; i++) { lhs += y[i] * dy[i]; abs += Math.abs(y[i] * dy[i]); }
      for (let i = 0; i < dx.length; i++) rhs += x[i] * dx[i];
      expect(Math.abs(lhs - rhs), label).toBeLessThanOrEqual(1e-12 * Math.max(abs, 1));
    }
  });
});

describe.each(DTYPES)('pooling %s', (dtype) => {
  const offs = [0, bytesOf(dtype)];

  it.each(windowCases())('maxPool y and idx are exact: $label', ({ label, g }) => {
    const rng = new TestRng(g.H * 100 + g.W * 10 + g.C);
    const inputs: [string, Float64Array][] = [
      ['uniform', uniformArray(rng, inSize(g), -3, 3, dtype)],
      ['ties {-1,0,1}', intArray(rng, inSize(g), -1, 1)],
      ['all negative', uniformArray(rng, inSize(g), -3, -1, dtype)],
    ];
    for (const [what, x] of inputs) {
      const want = maxPoolRef(x, g);
      for (const off of offs) {
        const got = runMaxPool(dtype, x, g, off);
        expectExact(got.y, want.y, `${label} ${what} y off=${off}`);
        expectExact(got.idx, want.idx, `${label} ${what} idx off=${off}`);
      }
    }
  });

  it.each(windowCases())('maxPool of a constant: every idx is the window\'s first in-bounds pixel ($label)', ({ g }) => {
    const got = runMaxPool(dtype, new Float64Array(inSize(g)).fill(0.5), g, 0);
    expect(got.y.every((v) => v === 0.5)).toBe(true);
    const want = new Int32Array(outSize(g));
    for (let n = 0; n < g.N; n++) for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) {
      for (let c = 0; c < g.C; c++) want[((n * g.OH + oy) * g.OW + ox) * g.C + c] = firstInBounds(g, oy, ox);
    }
    expectExact(got.idx, want);
  });

  it('maxPool ties per lane: each channel keeps its own first maximum (C = 5: one v128 + tail)', () => {
    // 2×2 window over a 2×2 image; channel c's max is 9 at the positions listed, first = lowest
    const g = geom(1, 2, 2, 5, [2, 2], [1, 1], 'valid');
    const at = [[0, 1, 2, 3], [1, 3], [3], [2, 3], [0, 3]];
    const x = new Float64Array(20);
    for (let c = 0; c < 5; c++) for (let p = 0; p < 4; p++) x[p * 5 + c] = at[c].includes(p) ? 9 : -p;
    const got = runMaxPool(dtype, x, g, 0);
    expect(Array.from(got.y)).toEqual([9, 9, 9, 9, 9]);
    expect(Array.from(got.idx)).toEqual([0, 1, 3, 2, 0]);
  });

  it.each(windowCases())('maxPoolBackward routes dy to idx: $label', ({ label, g }) => {
    const rng = new TestRng(3 + g.H * 100 + g.W * 10 + g.C);
    const x = intArray(rng, inSize(g), -2, 2); // ties, so that some pixels win several windows
    const { idx } = maxPoolRef(x, g);
    const dy = uniformArray(rng, outSize(g), -2, 2, dtype);
    const want = maxPoolBackwardRef(dy, idx, g);
    for (const off of offs) {
      const pdy = mem.put(dtype, dy, off), pi = mem.putI32(idx, off ? 4 : 0), pdx = output(dtype, inSize(g), off);
      k(dtype).maxPoolBackward(pdx, pdy, pi, g.N, g.H, g.W, g.C, g.OH, g.OW);
      expectSums(readOutput(dtype, pdx, inSize(g), 'dx'), want, dtype, `${label} off=${off}`);
      mem.freeAll();
    }
  });

  it.each(windowCases())('avgPool vs oracle: $label', ({ label, g }) => {
    const rng = new TestRng(5 + g.H * 100 + g.W * 10 + g.C);
    const x = uniformArray(rng, inSize(g), -3, 3, dtype);
    const want = avgPoolRef(x, g);
    for (const off of offs) {
      const px = mem.put(dtype, x, off), py = output(dtype, outSize(g), off);
      k(dtype).avgPool(py, px, ...geomArgs(g));
      const got = readOutput(dtype, py, outSize(g), 'y');
      expectClose(got, want.v, (i) => dotErrorFactor(want.terms[i], unitRoundoff(dtype)) * want.abs[i], `${label} off=${off}`);
      mem.freeAll();
    }
  });

  it.each(windowCases())('avgPool of ones is 1 everywhere (padding not counted): $label', ({ g }) => {
    const px = mem.put(dtype, new Float64Array(inSize(g)).fill(1)), py = output(dtype, outSize(g), 0);
    k(dtype).avgPool(py, px, ...geomArgs(g));
    expectClose(readOutput(dtype, py, outSize(g), 'y'), new Float64Array(outSize(g)).fill(1), 2 * unitRoundoff(dtype));
  });

  it.each(windowCases())('avgPoolBackward vs oracle: $label', ({ label, g }) => {
    const rng = new TestRng(9 + g.H * 100 + g.W * 10 + g.C);
    const dy = uniformArray(rng, outSize(g), -3, 3, dtype);
    const want = avgPoolBackwardRef(dy, g);
    for (const off of offs) {
      const pdy = mem.put(dtype, dy, off), pdx = output(dtype, inSize(g), off);
      k(dtype).avgPoolBackward(pdx, pdy, ...geomArgs(g));
      expectSums(readOutput(dtype, pdx, inSize(g), 'dx'), want, dtype, `${label} off=${off}`);
      mem.freeAll();
    }
  });
});
