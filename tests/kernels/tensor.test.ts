// colSum, mul, sumSquares, firstNonFinite, l2, gather_rows and randomShift vs the plain
// oracles of tests/reference/tensor.ts, at awkward sizes, in place where allowed (mul's
// out == a or b) and misaligned.
//
// Tolerances: mul is one rounding of an exact f64 product, so it must match exactly.
// Sums (colSum over rows, sumSquares and l2's penalty in f64) get Higham's γ_{n+2}·Σ|terms|
// (tests/reference/gemm.ts); a missed or doubled element is off by a whole term. l2's
// gradient g + (2λ)·w is three roundings: 3u·(|g| + |2λw|). Gathering and shifting copy
// bytes: exact.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, intArray, roundTo, SIZES } from '../reference/prng.js';
import { Xoshiro128ss, seedWords } from '../reference/xoshiro.js';
import { colSumRef, mulRef, sumSquaresRef, firstNonFiniteRef, l2Ref, gatherRowsRef, randomShiftRef } from '../reference/tensor.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { expectClose, expectExact, expectNear, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const mem = new Mem();
afterEach(() => mem.freeAll());

describe.each(DTYPES)('tensor kernels %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);
  const u = unitRoundoff(dtype);

  it('colSum matches the oracle, overwriting or accumulating, misaligned', () => {
    const rng = new TestRng(91);
    for (const cols of SIZES) for (const rows of [0, 1, 3, 17, 100]) for (const accumulate of [false, true]) for (const offset of [0, es]) {
      const x = uniformArray(rng, rows * cols, -1, 1, dtype);
      const init = uniformArray(rng, cols, -1, 1, dtype);
      const px = mem.put(dtype, x, offset);
      const pout = mem.put(dtype, accumulate ? init : sentinels(cols), offset);
      k().colSum(pout, px, rows, cols, accumulate);
      const want = colSumRef(x, rows, cols, accumulate ? init : null);
      const factor = dotErrorFactor(rows, u);
      expectClose(mem.read(dtype, pout, cols), want.out, (c) => factor * want.abs[c], `rows=${rows} cols=${cols} acc=${accumulate} offset=${offset}`);
      mem.freeAll();
    }
  });

  it('mul is exact at every size, with out == a, out == b, misaligned', () => {
    const rng = new TestRng(92);
    const round = roundTo(dtype);
    for (const n of SIZES) for (const where of ['separate', 'a', 'b'] as const) for (const offset of [0, es]) {
      const a = uniformArray(rng, n, -3, 3, dtype), b = uniformArray(rng, n, -3, 3, dtype);
      const pa = mem.put(dtype, a, offset), pb = mem.put(dtype, b, offset);
      const pout = where === 'a' ? pa : where === 'b' ? pb : mem.alloc(n * es, offset);
      k().mul(pout, pa, pb, n);
      expectExact(mem.read(dtype, pout, n), mulRef(a, b).map(round), `n=${n} out=${where} offset=${offset}`);
      mem.freeAll();
    }
  });

  it('sumSquares matches the oracle at every size, and propagates NaN and Infinity', () => {
    const rng = new TestRng(93);
    for (const n of SIZES) for (const offset of [0, es]) {
      const x = uniformArray(rng, n, -10, 10, dtype);
      const want = sumSquaresRef(x);
      expectNear(k().sumSquares(mem.put(dtype, x, offset), n), want, dotErrorFactor(n, 2 ** -53) * want, `n=${n}`);
    }
    expect(k().sumSquares(mem.put(dtype, [1, NaN, 2]), 3)).toBeNaN();
    expect(k().sumSquares(mem.put(dtype, [1, -Infinity, 2]), 3)).toBe(Infinity);
    expect(k().sumSquares(mem.put(dtype, [3, 4]), 2)).toBe(25);
  });

  it('firstNonFinite finds the first NaN or ±Infinity, or returns −1', () => {
    for (const n of SIZES) {
      const x = uniformArray(new TestRng(n), n, -1e30, 1e30, dtype);
      x[n >> 1] = dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE; // huge but finite
      expect(k().firstNonFinite(mem.put(dtype, x), n), `finite n=${n}`).toBe(-1);
      for (const bad of [NaN, Infinity, -Infinity]) for (const at of [0, n >> 1, n - 1]) {
        if (n === 0) continue;
        const y = Float64Array.from(x);
        y[at] = bad;
        if (at + 1 < n) y[n - 1] = NaN; // a later one must not win
        expect(k().firstNonFinite(mem.put(dtype, y, es), n), `n=${n} ${bad} at ${at}`).toBe(firstNonFiniteRef(y));
      }
      mem.freeAll();
    }
    // elements past n are not looked at
    expect(k().firstNonFinite(mem.put(dtype, [1, 2, NaN]), 2)).toBe(-1);
  });

  it('l2 adds 2λ·w to grad and returns λ·Σw²', () => {
    const rng = new TestRng(94);
    for (const n of SIZES) for (const lambda of [0, 1e-4, 0.5]) for (const offset of [0, es]) {
      const w = uniformArray(rng, n, -2, 2, dtype), g = uniformArray(rng, n, -1, 1, dtype);
      const pw = mem.put(dtype, w, offset), pg = mem.put(dtype, g, offset);
      const penalty = k().l2(pg, pw, n, lambda);
      const want = l2Ref(g, w, lambda);
      const label = `n=${n} λ=${lambda} offset=${offset}`;
      expectNear(penalty, want.penalty, dotErrorFactor(n, 2 ** -53) * want.penalty + 2 * u * want.penalty, `penalty ${label}`);
      expectClose(mem.read(dtype, pg, n), want.grad, (i) => 3 * u * (Math.abs(g[i]) + Math.abs(2 * lambda * w[i])), `grad ${label}`);
      expectExact(mem.read(dtype, pw, n), w, `w unchanged ${label}`);
      mem.freeAll();
    }
  });

  it('randomShift with maxShift 0 is the identity (and zero-fills nothing else)', () => {
    const [count, h, w, c] = [3, 5, 7, 2];
    const x = uniformArray(new TestRng(95), count * h * w * c, -1, 1, dtype);
    const st = mem.alloc(16);
    runtime().exports.rng_seed(st, 1, 0, 0);
    const pout = mem.put(dtype, sentinels(x.length));
    k().randomShift(pout, st, mem.put(dtype, x), count, h, w, c, 0);
    expectExact(mem.read(dtype, pout, x.length), x, 'identity');
  });

  it('randomShift moves each image by the offsets the reference RNG draws, zero fill', () => {
    const rng = new TestRng(96);
    const shapes: [number, number, number, number][] = [[0, 4, 4, 1], [1, 1, 1, 1], [5, 3, 7, 1], [4, 7, 3, 3], [3, 28, 28, 1], [2, 5, 5, 2]];
    for (const [count, h, w, c] of shapes) for (const maxShift of [1, 2, 4, 9]) {
      const x = intArray(rng, count * h * w * c, 1, 9); // nonzero, so a missing zero fill or copy shows
      const [lo, hi] = seedWords(BigInt(maxShift * 100 + h));
      const st = mem.alloc(16);
      runtime().exports.rng_seed(st, lo, hi, 3);
      const ref = Xoshiro128ss.seeded(BigInt(maxShift * 100 + h), 3);
      const shifts: [number, number][] = [];
      for (let i = 0; i < count; i++) {
        const dy = ref.nextInt(2 * maxShift + 1) - maxShift;
        const dx = ref.nextInt(2 * maxShift + 1) - maxShift;
        shifts.push([dy, dx]);
      }
      const px = mem.put(dtype, x);
      const pout = mem.put(dtype, sentinels(x.length));
      k().randomShift(pout, st, px, count, h, w, c, maxShift);
      const label = `count=${count} h=${h} w=${w} c=${c} maxShift=${maxShift} shifts=${JSON.stringify(shifts)}`;
      expectExact(mem.read(dtype, pout, x.length), randomShiftRef(x, count, h, w, c, shifts), label);
      expectExact(mem.read(dtype, px, x.length), x, `x unchanged ${label}`);
      expect(Array.from(mem.readU32(st, 4)), `two draws per image ${label}`).toEqual(Array.from(ref.s));
      mem.freeAll();
    }
  });
});

describe('gather_rows', () => {
  it('copies rows of any byte length, repeated and out of order', () => {
    const rng = new TestRng(97);
    for (const rowBytes of [1, 3, 4, 12, 16, 68, 4108]) for (const count of [0, 1, 5, 17]) {
      const rows = 9;
      const x = intArray(rng, rows * rowBytes, 0, 255);
      const idx = Int32Array.from({ length: count }, () => rng.int(rows));
      if (count > 2) idx[2] = idx[0]; // a repeated row
      const px = mem.alloc(x.length);
      new Uint8Array(mem.rt.arena.buffer, px, x.length).set(x);
      const pout = mem.alloc(count * rowBytes + 16);
      new Uint8Array(mem.rt.arena.buffer, pout, count * rowBytes + 16).fill(0xee);
      runtime().exports.gather_rows(pout, px, mem.putI32(idx), count, rowBytes);
      const got = new Uint8Array(mem.rt.arena.buffer, pout, count * rowBytes + 16);
      const label = `rowBytes=${rowBytes} count=${count}`;
      expectExact(got.subarray(0, count * rowBytes), gatherRowsRef(x, idx, rowBytes), label);
      expect(got.subarray(count * rowBytes).every((b) => b === 0xee), `no write past the end ${label}`).toBe(true);
      mem.freeAll();
    }
  });
});
