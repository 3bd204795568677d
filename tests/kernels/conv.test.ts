// im2col / col2im (assembly/conv.ts) vs the f64 oracles of tests/reference/conv.ts, at
// strides 1, 2 and [2, 1], 'same' padding with odd and even kernels (the extra row/column
// at the bottom/right), 'valid' with leftover rows, 1×1 kernels, windows larger than the
// input, C ∈ {1, 3, 4, 5, 16, 17} (v128 body and scalar tails), batch 1 and 3, H ≠ W, at
// 16-byte-aligned pointers and one element off.
//
// Tolerances: im2col is a copy, so exact (padding exactly 0). col2im sums, in T, the col
// entries copied from each pixel (≤ KH·KW terms, summed in some order): |Δ| ≤ γ_k·Σ|terms|
// (Higham eq. 3.5; dotErrorFactor(k, u)), k the pixel's term count. At most 25 terms here,
// so the f32 bound is ≤ 1.6e-6 relative to Σ|terms|; sending an entry to a wrong pixel costs
// O(|entry|) ≈ Σ|terms|/k, far above it. Outputs carry a trailing sentinel that must survive,
// and start as sentinels, so every element must be written (col2im must zero dx first).

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray } from '../reference/prng.js';
import { expectClose, expectExact, unitRoundoff } from '../reference/check.js';
import { dotErrorFactor } from '../reference/gemm.js';
import {
  geom, geomArgs, axisGeom, inSize, colSize, im2colRef, col2imRef, windowCases, type Geom,
} from '../reference/conv.js';

const DTYPES: DType[] = ['float32', 'float64'];
const U64 = 2 ** -53;

const mem = new Mem();
afterEach(() => mem.freeAll());

function runIm2col(dtype: DType, x: Float64Array, g: Geom, off: number): Float64Array {
  const n = colSize(g);
  const px = mem.put(dtype, x, off), pc = mem.put(dtype, sentinels(n + 1), off);
  runtime().raw[dtype].im2col(pc, px, ...geomArgs(g));
  const out = mem.read(dtype, pc, n + 1);
  mem.freeAll();
  expect(out[n], 'wrote past the end of col').toBe(SENTINEL);
  return out.subarray(0, n);
}

function runCol2im(dtype: DType, col: Float64Array, g: Geom, off: number): Float64Array {
  const n = inSize(g);
  const pc = mem.put(dtype, col, off), pd = mem.put(dtype, sentinels(n + 1), off);
  runtime().raw[dtype].col2im(pd, pc, ...geomArgs(g));
  const out = mem.read(dtype, pd, n + 1);
  mem.freeAll();
  expect(out[n], 'wrote past the end of dx').toBe(SENTINEL);
  return out.subarray(0, n);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): { v: number; abs: number } {
  let v = 0, abs = 0;
  for (let i = 0; i < a.length; i++) { v += a[i] * b[i]; abs += Math.abs(a[i] * b[i]); }
  return { v, abs };
}

describe('geometry oracle (TF rule)', () => {
  it('matches hand-computed outputs and paddings', () => {
    expect(axisGeom(5, 3, 2, 'same')).toEqual({ out: 3, before: 1 }); // total 2
    expect(axisGeom(4, 2, 1, 'same')).toEqual({ out: 4, before: 0 }); // total 1: the extra at the end
    expect(axisGeom(9, 4, 2, 'same')).toEqual({ out: 5, before: 1 }); // total 3 → 1 before, 2 after
    expect(axisGeom(2, 5, 3, 'same')).toEqual({ out: 1, before: 1 }); // total 3
    expect(axisGeom(6, 4, 2, 'same')).toEqual({ out: 3, before: 1 });
    expect(axisGeom(8, 3, 2, 'valid')).toEqual({ out: 3, before: 0 });
    expect(axisGeom(5, 1, 2, 'same')).toEqual({ out: 3, before: 0 });
    expect(() => axisGeom(2, 3, 1, 'valid')).toThrow();
  });

  it('im2col oracle on a 3×3 image, 3×3 same: corner and centre rows', () => {
    const g = geom(1, 3, 3, 1, [3, 3], [1, 1], 'same');
    const col = im2colRef([1, 2, 3, 4, 5, 6, 7, 8, 9], g);
    expect(Array.from(col.subarray(0, 9))).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    expect(Array.from(col.subarray(4 * 9, 5 * 9))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(col.subarray(8 * 9, 9 * 9))).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });
});

describe.each(DTYPES)('im2col / col2im %s', (dtype) => {
  const u = unitRoundoff(dtype);

  it.each(windowCases())('im2col is an exact copy: $label', ({ label, g }) => {
    const rng = new TestRng(g.H * 100 + g.W * 10 + g.C);
    const x = uniformArray(rng, inSize(g), -4, 4, dtype);
    const want = im2colRef(x, g);
    for (const off of [0, bytesOf(dtype)]) expectExact(runIm2col(dtype, x, g, off), want, `${label} off=${off}`);
  });

  it.each(windowCases())('col2im vs oracle: $label', ({ label, g }) => {
    const rng = new TestRng(7 + g.H * 100 + g.W * 10 + g.C);
    const col = uniformArray(rng, colSize(g), -4, 4, dtype);
    const want = col2imRef(col, g);
    for (const off of [0, bytesOf(dtype)]) {
      const got = runCol2im(dtype, col, g, off);
      expectClose(got, want.v, (i) => dotErrorFactor(want.terms[i], u) * want.abs[i], `${label} off=${off}`);
    }
  });

  it.each(windowCases())('col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ ($label)', ({ label, g }) => {
    const rng = new TestRng(11 + g.H * 100 + g.W * 10 + g.C);
    const x = uniformArray(rng, inSize(g), -1, 1, dtype), c = uniformArray(rng, colSize(g), -1, 1, dtype);
    const lhs = dot(runIm2col(dtype, x, g, 0), c);
    const rhs = dot(x, runCol2im(dtype, c, g, 0));
    // col2im's own error (≤ γ_{KH·KW} relative to Σ|terms|) plus two f64 dot products of ≤ colSize terms
    const tol = (dotErrorFactor(g.KH * g.KW, u) + 2 * dotErrorFactor(colSize(g), U64)) * lhs.abs;
    expect(Math.abs(lhs.v - rhs.v), `${label}: ${lhs.v} vs ${rhs.v}`).toBeLessThanOrEqual(tol);
    expect(lhs.abs).toBeGreaterThan(0);
  });

  it('col2im of im2col(x) counts each pixel once per window holding it (integer data, exact)', () => {
    // 3×3 same s1 on 4×5: interior pixels lie in 9 windows, corners in 4, edges in 6
    const g = geom(1, 4, 5, 3, [3, 3], [1, 1], 'same');
    const x = Float64Array.from({ length: inSize(g) }, (_, i) => (i % 7) - 3);
    const back = runCol2im(dtype, runIm2col(dtype, x, g, 0), g, 0);
    const mult = (p: number, n: number) => (p === 0 || p === n - 1 ? 2 : 3);
    const want = x.map((v, i) => {
      const p = Math.floor(i / g.C), iy = Math.floor(p / g.W), ix = p % g.W;
      return v * mult(iy, g.H) * mult(ix, g.W);
    });
    expectExact(back, want);
  });
});
