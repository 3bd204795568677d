// gemm vs the plain f64 oracle: every (m, n, k) from an awkward set, the four transpose
// combinations, accumulate on and off, f32 and f64; large shapes that cross the K block
// (256) and leave edge tiles in both directions.
//
// Two kinds of input, two kinds of check:
// - small integers in [−4, 4]: every product and partial sum is an integer below 2^24, so
//   f32 and f64 results are exact in any summation order: equality, no tolerance.
// - reals in [−1, 1): |C − C_ref| ≤ γ_{k+2}·(Σ_p |a·b| + |C0|), Higham's bound for a dot
//   product in any order (tests/reference/gemm.ts). For f32, (k+2)·2^-24 relative to
//   Σ|a·b|; one wrong index changes C by a whole term ≈ Σ|a·b|/k, far above it (checked
//   below), while summing in blocks of 256 or in SIMD lanes stays inside it.
// Every case also checks that nothing outside C (8 guard elements each side), A, B and
// the workspace (guard bytes after gemmWorkBytes) was written.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, sentinels, SENTINEL } from '../reference/mem.js';
import { TestRng, uniformArray, intArray } from '../reference/prng.js';
import { gemmRef, dotErrorFactor } from '../reference/gemm.js';
import { mismatches, unitRoundoff } from '../reference/check.js';

const DTYPES: DType[] = ['float32', 'float64'];
const DIMS = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33];
const LARGE: [number, number, number][] = [[64, 1027, 300], [257, 65, 513], [193, 9, 520], [5, 3, 600], [33, 17, 257]];
const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const GUARD = 8;
const WORK_GUARD_BYTES = 64;

const mem = new Mem();
afterEach(() => mem.freeAll());

interface Shape { m: number; n: number; k: number; transA: boolean; transB: boolean; accumulate: boolean; offset?: boolean }

/** Runs gemm on wasm memory; returns C (f64 copy) and whether A, B and the guards survived. */
function runGemm(dtype: DType, s: Shape, a: Float64Array, b: Float64Array, c0: Float64Array): { c: Float64Array; intact: string[] } {
  const kern = runtime().raw[dtype];
  const es = bytesOf(dtype);
  const { m, n, k } = s;
  const off = s.offset ? es : 0; // A, B and C one element past 16-byte alignment (the workspace must stay aligned)
  const pa = mem.put(dtype, a, off), pb = mem.put(dtype, b, off);
  const pcBlock = mem.put(dtype, [...sentinels(GUARD), ...c0, ...sentinels(GUARD)], off);
  const pc = pcBlock + GUARD * es;
  const workBytes = kern.gemmWorkBytes(m, n, k);
  const pw = mem.alloc(workBytes + WORK_GUARD_BYTES);
  new Uint8Array(mem.rt.arena.buffer, pw + workBytes, WORK_GUARD_BYTES).fill(0xa5);

  kern.gemm(pc, pw, pa, pb, m, n, k, s.transA, s.transB, s.accumulate);

  const intact: string[] = [];
  const guards = [...mem.read(dtype, pcBlock, GUARD), ...mem.read(dtype, pc + m * n * es, GUARD)];
  if (guards.some((v) => v !== SENTINEL)) intact.push('wrote outside C');
  if (mismatches(mem.read(dtype, pa, a.length), a, 0).length) intact.push('modified A');
  if (mismatches(mem.read(dtype, pb, b.length), b, 0).length) intact.push('modified B');
  if (new Uint8Array(mem.rt.arena.buffer, pw + workBytes, WORK_GUARD_BYTES).some((v) => v !== 0xa5)) intact.push('overran workspace');
  const c = mem.read(dtype, pc, m * n);
  mem.freeAll();
  return { c, intact };
}

/** Problems with one random case (empty when correct). `ints`: exact check, else tolerance. */
function checkCase(dtype: DType, rng: TestRng, s: Shape, ints: boolean): string[] {
  const gen = (len: number) => (ints ? intArray(rng, len, -4, 4) : uniformArray(rng, len, -1, 1, dtype));
  const a = gen(s.m * s.k), b = gen(s.k * s.n), c0 = gen(s.m * s.n);
  const ref = gemmRef(a, b, s.accumulate ? c0 : null, s.m, s.n, s.k, s.transA, s.transB);
  const { c, intact } = runGemm(dtype, s, a, b, c0);
  const factor = ints ? 0 : dotErrorFactor(s.k, unitRoundoff(dtype));
  const bad = [...intact, ...mismatches(c, ref.c, (i) => factor * ref.absSum[i], 3)];
  const label = `${dtype} m=${s.m} n=${s.n} k=${s.k} tA=${s.transA} tB=${s.transB} acc=${s.accumulate} offset=${!!s.offset} ${ints ? 'ints' : 'reals'}`;
  return bad.length ? [`${label}: ${bad.join('; ')}`] : [];
}

describe.each(DTYPES)('gemm %s', (dtype) => {
  describe.each(TRANS)('transA=%s transB=%s', (transA, transB) => {
    it('matches the oracle for every m, n, k in {0,1,3,4,5,7,8,9,16,17,33}, accumulate on and off, aligned or not', () => {
      const rng = new TestRng(1000 + Number(transA) * 2 + Number(transB));
      const problems: string[] = [];
      for (const m of DIMS) for (const n of DIMS) for (const k of DIMS) {
        for (const accumulate of [false, true]) {
          for (const ints of [true, false]) {
            const offset = (m + n + k + Number(ints)) % 2 === 1; // half the cases misaligned
            problems.push(...checkCase(dtype, rng, { m, n, k, transA, transB, accumulate, offset }, ints));
          }
        }
      }
      expect(problems.slice(0, 10), `${problems.length} failing cases`).toEqual([]);
    });

    it.each(LARGE)('matches the oracle at m=%i n=%i k=%i (K blocks of 256, edge tiles)', (m, n, k) => {
      const rng = new TestRng(m * 7 + n * 3 + k);
      const problems: string[] = [];
      for (const accumulate of [false, true]) {
        for (const ints of [true, false]) problems.push(...checkCase(dtype, rng, { m, n, k, transA, transB, accumulate, offset: ints }, ints));
      }
      expect(problems).toEqual([]);
    });
  });

  it('k = 0 zeroes C without accumulate and leaves C with accumulate; m or n = 0 writes nothing', () => {
    const s = { m: 5, n: 9, k: 0, transA: false, transB: false };
    const c0 = Float64Array.from({ length: 45 }, (_, i) => i - 7.25);
    expect(Array.from(runGemm(dtype, { ...s, accumulate: false }, new Float64Array(0), new Float64Array(0), c0).c)).toEqual(new Array(45).fill(0));
    expect(runGemm(dtype, { ...s, accumulate: true }, new Float64Array(0), new Float64Array(0), c0).c).toEqual(c0);
    for (const [m, n] of [[0, 9], [5, 0]]) {
      expect(runGemm(dtype, { m, n, k: 3, transA: false, transB: false, accumulate: false }, new Float64Array(m * 3), new Float64Array(3 * n), new Float64Array(0)).intact).toEqual([]);
    }
  });

  it('gives the same bits for an element whether it lies in a full tile or an edge tile', () => {
    // The doc promises one k order on the SIMD and the edge paths: C[:9, :17] computed
    // alone (edge tiles at row 8, column 16) must equal the same block of a 12×24 product.
    const rng = new TestRng(77);
    const k = 300;
    for (const [transA, transB] of TRANS) {
      const aBig = uniformArray(rng, 12 * k, -1, 1, dtype), bBig = uniformArray(rng, k * 24, -1, 1, dtype);
      // sub-matrices: the first 9 rows of op(A) and first 17 columns of op(B)
      const a = new Float64Array(9 * k), b = new Float64Array(k * 17);
      for (let i = 0; i < 9; i++) for (let p = 0; p < k; p++) a[transA ? p * 9 + i : i * k + p] = aBig[transA ? p * 12 + i : i * k + p];
      for (let j = 0; j < 17; j++) for (let p = 0; p < k; p++) b[transB ? j * k + p : p * 17 + j] = bBig[transB ? j * k + p : p * 24 + j];
      const big = runGemm(dtype, { m: 12, n: 24, k, transA, transB, accumulate: false }, aBig, bBig, new Float64Array(288)).c;
      const small = runGemm(dtype, { m: 9, n: 17, k, transA, transB, accumulate: false }, a, b, new Float64Array(153)).c;
      const block = new Float64Array(153);
      for (let i = 0; i < 9; i++) for (let j = 0; j < 17; j++) block[i * 17 + j] = big[i * 24 + j];
      expect(mismatches(small, block, 0), `tA=${transA} tB=${transB}`).toEqual([]);
    }
  });
});

describe('gemm tolerance', () => {
  it('rejects a product with one wrong index (the f32 tolerance is not vacuous)', () => {
    const rng = new TestRng(5);
    for (const [m, n, k] of [[3, 5, 7], [17, 9, 33], [4, 8, 1027]]) {
      const a = uniformArray(rng, m * k, -1, 1, 'float32'), b = uniformArray(rng, k * n, -1, 1, 'float32');
      const ref = gemmRef(a, b, null, m, n, k, false, false);
      // read B[p+1, j] instead of B[p, j] for one p, as an off-by-one in packing would
      const bShifted = Float64Array.from(b);
      const p = k >> 1;
      for (let j = 0; j < n; j++) bShifted[p * n + j] = b[((p + 1) % k) * n + j];
      const wrong = gemmRef(a, bShifted, null, m, n, k, false, false);
      const factor = dotErrorFactor(k, unitRoundoff('float32'));
      const caught = mismatches(wrong.c, ref.c, (i) => factor * ref.absSum[i], m * n).length;
      expect(caught, `m=${m} n=${n} k=${k}`).toBeGreaterThan((m * n) / 2);
    }
  });
});

describe('gemm debug asserts', () => {
  it('rejects a workspace that is not 16-byte aligned, and a misaligned f32 pointer', () => {
    const k = runtime().raw.float32;
    const a = mem.alloc(64), b = mem.alloc(64), c = mem.alloc(64), work = mem.alloc(k.gemmWorkBytes(2, 2, 2) + 16);
    expect(() => k.gemm(c, work + 4, a, b, 2, 2, 2, false, false, false)).toThrow(/16-byte aligned/);
    expect(() => k.gemm(c + 2, work, a, b, 2, 2, 2, false, false, false)).toThrow(/misaligned/);
    k.gemm(c, work, a, b, 2, 2, 2, false, false, false); // the instance still works afterwards
  });
});
