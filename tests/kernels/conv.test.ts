// The conv kernels (assembly/conv.ts: convForward, convInputGrad, convFilterGrad, which
// im2col a chunk of images at a time inside their workspace) vs f64 oracles built from the
// plain im2col / col2im of tests/reference/conv.ts: y = im2col(x)·W, dx = col2im(dy·Wᵀ),
// dW = im2col(x)ᵀ·dy. Geometries: strides 1, 2 and [2, 1], 'same' padding with odd and even
// kernels (the extra row/column at the bottom/right), 'valid' with leftover rows, 1×1
// kernels, windows larger than the input, C ∈ {1, 3, 4, 5, 16, 17}, batch 1 and 3, H ≠ W,
// at 16-byte-aligned pointers and one element off; and batches of several chunks (a chunk is
// as many images as keep their im2col within 320 KiB), the last one short.
//
// Tolerances (Higham eq. 3.5; dotErrorFactor(k, u)): y and dW are dot products of K and
// N·OH·OW terms; a dx element is a sum of ≤ KH·KW dot products of F terms, |Δ| ≤
// γ_{F + KH·KW}·Σ|terms|. A wrong pixel, tap or image costs O(|term|), far above them.
// Outputs start as sentinels with a trailing one that must survive (every element written,
// none past the end), and so does the byte after the workspace.
// Thread shares: a filter-gradient call for taps [t0, t0 + taps) writes exactly those rows of
// the whole call's dW, bit for bit (what a thread computes); tests/threads runs all three
// kernels on 1, 2 and 3 threads, f32 and f64, with guards around every output.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray } from '../reference/prng.js';
import { expectClose, expectExact, unitRoundoff } from '../reference/check.js';
import { dotErrorFactor } from '../reference/gemm.js';
import {
  geom, geomArgs, axisGeom, inSize, im2colRef, col2imRef, windowCases, type Geom,
} from '../reference/conv.js';

const DTYPES: DType[] = ['float32', 'float64'];

const mem = new Mem();
afterEach(() => mem.freeAll());

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

interface ConvCase { label: string; g: Geom; F: number }

const F_OF = [4, 3, 8, 5, 16, 2, 7, 1, 9, 6, 3, 4];

function convCases(): ConvCase[] {
  const cases: ConvCase[] = windowCases().map(({ label, g }, i) => ({ label, g, F: F_OF[i % F_OF.length] }));
  // several chunks: 20×20×8 5×5 same is ~320 KB of im2col an image (f32; 640 KB f64): chunks of 1;
  // 12×12×6 3×3 same is 31 KB (f32): chunks of 10, so 23 images make 10 + 10 + 3
  cases.push({ label: 'chunks of 1 image (5×5 same, C 8)', g: geom(3, 20, 20, 8, [5, 5], [1, 1], 'same'), F: 6 });
  cases.push({ label: 'chunks of 10 images, the last short (3×3 same, C 6)', g: geom(23, 12, 12, 6, [3, 3], [1, 1], 'same'), F: 5 });
  return cases;
}

const K = (g: Geom) => g.KH * g.KW * g.C;
const P = (g: Geom) => g.N * g.OH * g.OW;
const geomF = (g: Geom, F: number) => [...geomArgs(g).slice(1), F] as [number, number, number, number, number, number, number, number, number, number, number, number];

/** Runs one conv kernel on fresh copies; returns the output and checks the sentinels. */
function runConv(dtype: DType, op: 'convForward' | 'convInputGrad' | 'convFilterGrad', g: Geom, F: number,
  a: Float64Array, b: Float64Array, off: number, taps?: [number, number]): Float64Array {
  const raw = runtime().raw[dtype];
  const es = bytesOf(dtype);
  const outLen = op === 'convForward' ? P(g) * F : op === 'convInputGrad' ? inSize(g) : (taps ? taps[1] * g.C : K(g)) * F;
  const workBytes = raw.convWorkBytes(...geomF(g, F));
  const work = mem.alloc(workBytes + 16);
  mem.write('float64', work + workBytes, [SENTINEL, SENTINEL]);
  // the output sits between two sentinels: one element before it, one after
  const pa = mem.put(dtype, a, off), pb = mem.put(dtype, b, off), out = mem.put(dtype, sentinels(outLen + 2), off) + es;
  if (op === 'convFilterGrad') {
    const [t0, n] = taps ?? [0, g.KH * g.KW];
    raw.convFilterGrad(out, work, pa, pb, g.N, ...geomF(g, F), t0, n);
  } else raw[op](out, work, pa, pb, g.N, ...geomF(g, F));
  const all = mem.read(dtype, out - es, outLen + 2);
  expect(all[0], `${op} wrote before its output`).toBe(SENTINEL);
  expect(all[outLen + 1], `${op} wrote past the end of its output`).toBe(SENTINEL);
  expect(Array.from(mem.read('float64', work + workBytes, 2)), `${op} wrote past the end of its workspace`).toEqual([SENTINEL, SENTINEL]);
  mem.freeAll();
  return all.subarray(1, outLen + 1);
}

/** f64 oracle of a product of row-major [m, k]·[k, n] (transposes by index functions), with Σ|terms|. */
function product(m: number, n: number, k: number, a: (i: number, kk: number) => number, b: (kk: number, j: number) => number) {
  const v = new Float64Array(m * n), abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, t = 0;
    for (let kk = 0; kk < k; kk++) { const p = a(i, kk) * b(kk, j); s += p; t += Math.abs(p); }
    v[i * n + j] = s; abs[i * n + j] = t;
  }
  return { v, abs };
}

describe.each(DTYPES)('conv kernels %s', (dtype) => {
  const u = unitRoundoff(dtype);

  it.each(convCases())('convForward: y = im2col(x)·W ($label)', ({ label, g, F }) => {
    const rng = new TestRng(g.H * 100 + g.W * 10 + g.C);
    const x = uniformArray(rng, inSize(g), -2, 2, dtype), w = uniformArray(rng, K(g) * F, -1, 1, dtype);
    const col = im2colRef(x, g), k = K(g);
    const want = product(P(g), F, k, (i, kk) => col[i * k + kk], (kk, j) => w[kk * F + j]);
    for (const off of [0, bytesOf(dtype)]) {
      expectClose(runConv(dtype, 'convForward', g, F, x, w, off), want.v, (i) => dotErrorFactor(k, u) * want.abs[i], `${label} off=${off}`);
    }
  });

  it.each(convCases())('convInputGrad: dx = col2im(dy·Wᵀ) ($label)', ({ label, g, F }) => {
    const rng = new TestRng(5 + g.H * 100 + g.W * 10 + g.C);
    const dy = uniformArray(rng, P(g) * F, -2, 2, dtype), w = uniformArray(rng, K(g) * F, -1, 1, dtype);
    const k = K(g);
    const dcol = product(P(g), k, F, (i, f) => dy[i * F + f], (f, j) => w[j * F + f]);
    const want = col2imRef(dcol.v, g), scale = col2imRef(dcol.abs, g);
    for (const off of [0, bytesOf(dtype)]) {
      const got = runConv(dtype, 'convInputGrad', g, F, dy, w, off);
      expectClose(got, want.v, (i) => dotErrorFactor(F + g.KH * g.KW, u) * scale.v[i], `${label} off=${off}`);
    }
  });

  it.each(convCases())('convFilterGrad: dW = im2col(x)ᵀ·dy, and each range of taps exactly its rows ($label)', ({ label, g, F }) => {
    const rng = new TestRng(9 + g.H * 100 + g.W * 10 + g.C);
    const x = uniformArray(rng, inSize(g), -2, 2, dtype), dy = uniformArray(rng, P(g) * F, -1, 1, dtype);
    const col = im2colRef(x, g), k = K(g), rows = P(g);
    const want = product(k, F, rows, (i, r) => col[r * k + i], (r, j) => dy[r * F + j]);
    let whole = new Float64Array(0);
    for (const off of [0, bytesOf(dtype)]) {
      whole = runConv(dtype, 'convFilterGrad', g, F, x, dy, off);
      expectClose(whole, want.v, (i) => dotErrorFactor(rows, u) * want.abs[i], `${label} off=${off}`);
    }
    const T = g.KH * g.KW;
    for (const [t0, n] of [[0, 1], [T - 1, 1], [Math.floor(T / 3), Math.ceil(T / 2)], [1, T - 1]]) {
      if (n < 1 || t0 + n > T) continue;
      const part = runConv(dtype, 'convFilterGrad', g, F, x, dy, 0, [t0, n]);
      expectExact(part, whole.subarray(t0 * g.C * F, (t0 + n) * g.C * F), `${label} taps [${t0}, ${t0 + n})`);
    }
  });

  it('no images: convFilterGrad is zero, the others write nothing; the workspace grows with the chunk, not the batch', () => {
    const g = geom(0, 6, 6, 3, [3, 3], [1, 1], 'same');
    expectExact(runConv(dtype, 'convFilterGrad', g, 4, new Float64Array(0), new Float64Array(0), 0), new Float64Array(K(g) * 4));
    // (their outputs are empty: runConv checks the sentinels on both sides)
    expect(runConv(dtype, 'convForward', g, 4, new Float64Array(0), new Float64Array(K(g) * 4), 0).length).toBe(0);
    expect(runConv(dtype, 'convInputGrad', g, 4, new Float64Array(0), new Float64Array(K(g) * 4), 0).length).toBe(0);
    const raw = runtime().raw[dtype];
    const big = geom(1, 20, 20, 8, [5, 5], [1, 1], 'same');
    // one image's im2col, and the GEMM workspace: less than twice the col of one image
    const oneImage = big.OH * big.OW * K(big) * bytesOf(dtype);
    const bytes = raw.convWorkBytes(...geomF(big, 6));
    expect(bytes).toBeGreaterThanOrEqual(oneImage);
    expect(bytes).toBeLessThan(2 * oneImage);
  });

  it('convInputGrad of convForward\'s adjoint: ⟨conv(x), dy⟩ = ⟨x, convInputGrad(dy)⟩ (5×5 same s1, 3 chunks)', () => {
    const g = geom(3, 20, 20, 8, [5, 5], [1, 1], 'same'), F = 3;
    const rng = new TestRng(77);
    const x = uniformArray(rng, inSize(g), -1, 1, dtype), dy = uniformArray(rng, P(g) * F, -1, 1, dtype), w = uniformArray(rng, K(g) * F, -1, 1, dtype);
    const y = runConv(dtype, 'convForward', g, F, x, w, 0);
    const dx = runConv(dtype, 'convInputGrad', g, F, dy, w, 0);
    let lhs = 0, rhs = 0, abs = 0;
    for (let i = 0; i < y.length; i++) { lhs += y[i] * dy[i]; abs += Math.abs(y[i] * dy[i]); }
    for (let i = 0; i < x.length; i++) rhs += x[i] * dx[i];
    expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(dotErrorFactor(K(g) + F + g.KH * g.KW, u) * abs * 8 + 1e-12);
    expect(abs).toBeGreaterThan(0);
  });
});
