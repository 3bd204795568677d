// Recurrent cell kernels (assembly/rnn.ts) vs the float64 oracles of tests/reference/rnn.ts
// at awkward sizes (batch 1, units 1, 3, 5, 7, 17: not multiples of 4), with and without a
// previous state, every activation code, aliased (in-place) gradients as the layers use
// them, one element off 16-byte alignment, and sentinels after every output.
//
// Tolerances: the kernels take derivatives through the activation's output (σ' = y(1−y))
// and the oracle through the pre-activation, and musl's exp/tanh differ from V8's by an
// ulp or so; each value passes through fewer than ten rounded operations on O(1) numbers,
// so |Δ| ≤ 1e-13·(1 + |want|) in f64 and 3e-6·(1 + |want|) in f32 (≈ 50 ulps) are loose
// bounds; a wrong gate, unit or row index moves values by O(0.1).

import { afterEach, describe, expect, it } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray } from '../reference/prng.js';
import { expectClose, expectExact } from '../reference/check.js';
import { gruCellBackwardRef, gruCellRef, gruResetBeforeBackwardRef, gruResetBeforeRef, lstmCellBackwardRef, lstmCellRef, swapAxesRef } from '../reference/rnn.js';

const mem = new Mem();
afterEach(() => mem.freeAll());

const DTYPES: DType[] = ['float32', 'float64'];
const tol = (dtype: DType) => (want: ArrayLike<number>) => (i: number) => (dtype === 'float32' ? 3e-6 : 1e-13) * (1 + Math.abs(want[i]));
const SHAPES: [number, number][] = [[1, 1], [1, 3], [2, 5], [3, 7], [4, 17]];
const ACTS: [number, number][] = [[3, 2], [1, 3], [0, 2], [2, 0]]; // [act, recurrentAct]: tanh/σ (default), relu/tanh, linear/σ, σ/linear
const OFF = [0, 8];

/** An output area of n elements plus a trailing sentinel, filled with sentinels. */
function out(dtype: DType, n: number, off: number): number {
  return mem.put(dtype, sentinels(n + 1), off);
}

function read(dtype: DType, p: number, n: number): Float64Array {
  const v = mem.read(dtype, p, n + 1);
  expect(v[n], 'wrote past the end').toBe(SENTINEL);
  return v.subarray(0, n);
}

describe('swapAxes', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: [a, b, c] → [b, a, c] at awkward sizes, exactly`, () => {
      const k = runtime().raw[dtype];
      const rng = new TestRng(1);
      for (const [a, b, c] of [[1, 1, 1], [1, 5, 3], [3, 1, 7], [2, 3, 5], [5, 4, 17]]) {
        const x = uniformArray(rng, a * b * c, -1, 1, dtype);
        const off = dtype === 'float32' ? 4 : 8;
        const px = mem.put(dtype, x, off), po = out(dtype, x.length, off);
        k.swapAxes(po, px, a, b, c);
        expectExact(read(dtype, po, x.length), swapAxesRef(x, a, b, c), `${a}×${b}×${c}`);
      }
    });
  }
});

describe('lstmCell / lstmCellBackward', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: forward and backward match the oracle (gates i, f, c, o)`, () => {
      const k = runtime().raw[dtype];
      const rng = new TestRng(2);
      const T = tol(dtype);
      for (const [N, U] of SHAPES) for (const [act, rec] of ACTS) for (const withPrev of [false, true]) for (const off of OFF) {
        const label = `${dtype} N=${N} U=${U} act=${act}/${rec} prev=${withPrev} off=${off}`;
        // the widest batch reaches the clamps and both tanh branches of the f32 vector code
        const z = uniformArray(rng, N * 4 * U, N === 4 ? -40 : -2, N === 4 ? 40 : 2, dtype);
        const cPrev = withPrev ? uniformArray(rng, N * U, -1.5, 1.5, dtype) : null;
        const want = lstmCellRef(z, cPrev, N, U, act, rec);
        const pg = mem.put(dtype, z, off), pcp = cPrev ? mem.put(dtype, cPrev, off) : 0;
        const ph = out(dtype, N * U, off), pc = out(dtype, N * U, off), pa = out(dtype, N * U, off);
        k.lstmCell(ph, pc, pa, pg, pcp, N, U, act, rec);
        expectClose(read(dtype, ph, N * U), want.h, T(want.h), `${label} h`);
        expectClose(read(dtype, pc, N * U), want.c, T(want.c), `${label} c`);
        expectClose(read(dtype, pa, N * U), want.ac, T(want.ac), `${label} act(c)`);
        expectClose(mem.read(dtype, pg, N * 4 * U), want.gates, T(want.gates), `${label} gates`);
        // backward, in place on the saved gates (as the layer runs it), dc carried in place
        const dh = uniformArray(rng, N * U, -1, 1, dtype), dc = uniformArray(rng, N * U, -1, 1, dtype);
        const wantB = lstmCellBackwardRef(z, cPrev, dh, dc, N, U, act, rec);
        const pdh = mem.put(dtype, dh, off), pdc = mem.put(dtype, [...dc, SENTINEL], off);
        k.lstmCellBackward(pg, pdc, pdh, pg, pcp, pa, N, U, act, rec);
        expectClose(mem.read(dtype, pg, N * 4 * U), wantB.dz, T(wantB.dz), `${label} dgates`);
        expectClose(read(dtype, pdc, N * U), wantB.dcPrev, T(wantB.dcPrev), `${label} dcPrev`);
        mem.freeAll();
      }
    });
  }
});

describe('gruCell / gruCellBackward', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: forward and backward match the oracle (gates z, r, h, reset after)`, () => {
      const k = runtime().raw[dtype];
      const rng = new TestRng(3);
      const T = tol(dtype);
      for (const [N, U] of SHAPES) for (const [act, rec] of ACTS) for (const withPrev of [false, true]) for (const withBias of [false, true]) {
        const off = withBias ? 8 : 0;
        const label = `${dtype} N=${N} U=${U} act=${act}/${rec} prev=${withPrev} bias=${withBias}`;
        const gx = uniformArray(rng, N * 3 * U, -2, 2, dtype), gr = uniformArray(rng, N * 3 * U, -2, 2, dtype);
        const rb = withBias ? uniformArray(rng, 3 * U, -0.5, 0.5, dtype) : null;
        const hPrev = withPrev ? uniformArray(rng, N * U, -1, 1, dtype) : null;
        const want = gruCellRef(gx, gr, rb, hPrev, N, U, act, rec);
        const pg = mem.put(dtype, gx, off), pr = mem.put(dtype, gr, off);
        const pb = rb ? mem.put(dtype, rb, off) : 0, php = hPrev ? mem.put(dtype, hPrev, off) : 0;
        const ph = out(dtype, N * U, off);
        k.gruCell(ph, pg, pr, php, pb, N, U, act, rec);
        expectClose(read(dtype, ph, N * U), want.h, T(want.h), `${label} h`);
        expectClose(mem.read(dtype, pg, N * 3 * U), want.gates, T(want.gates), `${label} gates`);
        const savedRh = mem.read(dtype, pr, N * 3 * U).filter((_, i) => i % (3 * U) >= 2 * U);
        expectClose(savedRh, want.rh, T(want.rh), `${label} saved h·U_h + b_h`);
        // the z and r blocks of rec are left as they were (the backward does not read them)
        const dh = uniformArray(rng, N * U, -1, 1, dtype);
        const dhPrev0 = uniformArray(rng, N * U, -1, 1, dtype);
        const wantB = gruCellBackwardRef(gx, gr, rb, hPrev, dh, N, U, act, rec);
        const pdh = mem.put(dtype, dh, off);
        const pdhp = withPrev ? mem.put(dtype, [...dhPrev0, SENTINEL], off) : 0;
        k.gruCellBackward(pg, pr, pdhp, pdh, pg, pr, php, N, U, act, rec);
        expectClose(mem.read(dtype, pg, N * 3 * U), wantB.dgx, T(wantB.dgx), `${label} dgates`);
        expectClose(mem.read(dtype, pr, N * 3 * U), wantB.dgr, T(wantB.dgr), `${label} drec`);
        if (withPrev) {
          const acc = dhPrev0.map((v, i) => v + wantB.dhPrev[i]);
          expectClose(read(dtype, pdhp, N * U), acc, T(acc), `${label} dhPrev accumulated`);
        }
        mem.freeAll();
      }
    });
  }
});

describe('gruGates / gruCandidate / gruCandidateBackward / gruResetBackward (reset before the product)', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: the two halves of a step and of its backward match the oracle (gates z, r, h)`, () => {
      const k = runtime().raw[dtype];
      const rng = new TestRng(5);
      const T = tol(dtype);
      const blocks = (a: Float64Array, N: number, U: number, from: number, width: number) =>
        Float64Array.from({ length: N * width }, (_, i) => a[Math.floor(i / width) * 3 * U + from + (i % width)]);
      for (const [N, U] of SHAPES) for (const [act, rec] of ACTS) for (const withPrev of [false, true]) {
        const off = withPrev ? 8 : 0;
        const label = `${dtype} N=${N} U=${U} act=${act}/${rec} prev=${withPrev}`;
        const gx = uniformArray(rng, N * 3 * U, -2, 2, dtype);
        const zrIn = withPrev ? uniformArray(rng, N * 2 * U, -2, 2, dtype) : null;
        const hPrev = withPrev ? uniformArray(rng, N * U, -1, 1, dtype) : null;
        const uh = uniformArray(rng, U * U, -0.5, 0.5, dtype);
        const f = gruResetBeforeRef(gx, zrIn, uh, hPrev, N, U, act, rec);
        const pg = mem.put(dtype, gx, off), pzr = zrIn ? mem.put(dtype, zrIn, off) : 0, php = hPrev ? mem.put(dtype, hPrev, off) : 0;
        const prh = out(dtype, N * U, off);
        k.gruGates(prh, pg, pzr, php, N, U, rec);
        expectClose(read(dtype, prh, N * U), f.rh, T(f.rh), `${label} r⊙h`);
        const g1 = mem.read(dtype, pg, N * 3 * U);
        expectClose(blocks(g1, N, U, 0, U), f.z, T(f.z), `${label} z`);
        expectClose(blocks(g1, N, U, U, U), f.r, T(f.r), `${label} r`);
        // the product (r⊙h)·U_h is the layer's GEMM: fed here from the oracle (rounded to T)
        const phu = withPrev ? mem.put(dtype, Float64Array.from(f.hu, dtype === 'float32' ? Math.fround : (v) => v), off) : 0;
        const ph = out(dtype, N * U, off);
        k.gruCandidate(ph, pg, phu, php, N, U, act);
        expectClose(read(dtype, ph, N * U), f.h, T(f.h), `${label} h`);
        expectClose(blocks(mem.read(dtype, pg, N * 3 * U), N, U, 2 * U, U), f.hh, T(f.hh), `${label} hh`);
        // backward, in place on the saved gates as the layer runs it
        const dh = uniformArray(rng, N * U, -1, 1, dtype);
        const b = gruResetBeforeBackwardRef(f, uh, hPrev, dh, N, U, act, rec);
        const dhPrev0 = uniformArray(rng, N * U, -1, 1, dtype);
        const pdh = mem.put(dtype, dh, off), pdzr = out(dtype, N * 2 * U, off), pdhh = out(dtype, N * U, off);
        const pdhp = withPrev ? mem.put(dtype, [...dhPrev0, SENTINEL], off) : 0;
        k.gruCandidateBackward(pg, pdzr, pdhh, pdhp, pdh, pg, php, N, U, act, rec);
        expectClose(read(dtype, pdhh, N * U), b.dhh, T(b.dhh), `${label} dhh`);
        const pdrh = withPrev ? mem.put(dtype, Float64Array.from(b.drh, dtype === 'float32' ? Math.fround : (v) => v), off) : 0;
        k.gruResetBackward(pg, pdzr, pdhp, pdrh, pg, php, N, U, rec);
        const dg = mem.read(dtype, pg, N * 3 * U), dzr = read(dtype, pdzr, N * 2 * U);
        expectClose(blocks(dg, N, U, 0, U), b.dz, T(b.dz), `${label} dz`);
        expectClose(blocks(dg, N, U, U, U), b.dr, T(b.dr), `${label} dr`);
        expectClose(blocks(dg, N, U, 2 * U, U), b.dhh, T(b.dhh), `${label} dhh in gates`);
        const zrWant = Float64Array.from({ length: N * 2 * U }, (_, i) => (i % (2 * U) < U ? b.dz : b.dr)[Math.floor(i / (2 * U)) * U + (i % U)]);
        expectClose(dzr, zrWant, T(zrWant), `${label} dzr`);
        if (withPrev) {
          const acc = dhPrev0.map((v, i) => v + b.dhPrev[i]);
          expectClose(read(dtype, pdhp, N * U), acc, T(acc), `${label} dhPrev accumulated`);
        }
        mem.freeAll();
      }
    });
  }
});

describe('embedding / embeddingBackward', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: lookup, the first bad token's index, and the ordered scatter-add`, () => {
      const k = runtime().raw[dtype];
      const rng = new TestRng(4);
      for (const [V, D, n] of [[1, 1, 1], [5, 3, 7], [11, 17, 20]]) {
        const table = uniformArray(rng, V * D, -1, 1, dtype);
        const tokens = Float64Array.from({ length: n }, () => rng.int(V));
        const pt = mem.put(dtype, table, 8), px = mem.put(dtype, tokens, 8), po = out(dtype, n * D, 8);
        expect(k.embedding(po, pt, px, n, V, D)).toBe(-1);
        const want = new Float64Array(n * D);
        for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) want[i * D + j] = table[tokens[i] * D + j];
        expectExact(read(dtype, po, n * D), want, `lookup V=${V} D=${D} n=${n}`);
        const dy = uniformArray(rng, n * D, -1, 1, dtype);
        const pd = out(dtype, V * D, 8), pdy = mem.put(dtype, dy, 8);
        k.embeddingBackward(pd, pdy, px, n, V, D);
        const dt = new Float64Array(V * D);
        const r = dtype === 'float32' ? Math.fround : (v: number) => v;
        for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) dt[tokens[i] * D + j] = r(dt[tokens[i] * D + j] + dy[i * D + j]);
        expectExact(read(dtype, pd, V * D), dt, `scatter V=${V} D=${D} n=${n}`);
        mem.freeAll();
      }
      for (const bad of [-1, 5, 2.5, NaN, Infinity, 1e9]) {
        const pt = mem.put(dtype, new Float64Array(5 * 2)), px = mem.put(dtype, [0, 4, 3, bad, 1]), po = out(dtype, 10, 0);
        expect(k.embedding(po, pt, px, 5, 5, 2), `token ${bad}`).toBe(3);
        mem.freeAll();
      }
    });
  }
});
