// Preprocessing kernels (assembly/preprocess.ts, assembly/linalg.ts) vs the float64 oracles
// of tests/reference/preprocess.ts, at awkward sizes (1, 3, 17 columns: the two-lane loop and
// its tail, 4-wide panels and their ragged edge; 1, 3, 17, 1000 rows: one, part of one and
// several row blocks), aligned and one element off, f32 and f64.
//
// Tolerances:
// - colMoments, standardize, unstandardize, prepareScale, project, unproject promise the
//   same f64 operations in the same order as their oracle (every element promoted exactly,
//   sums in index order from 0, one final rounding to T; SIMD lanes are IEEE per lane), so
//   they are compared EXACTLY. A wrong index, order or rounding shows as a mismatch.
// - colMoments' accuracy vs the two-pass statistics: the shifted sums carry at most
//   γ_n(u64)·mean|d| (mean) and 4γ_n(u64)·mean(d²) (variance: Σd², Σd, the square and the
//   difference), d = x − x[0] (the same bound tests/kernels/norm.test.ts derives).
// - covariance sums each element in 128-row blocks (block sums added in order) and the
//   oracle in one run: both within γ_{n+2}(u64)·Σ|terms| of the exact sum of the same
//   (identically centred) products, so within twice that of each other, plus one rounding
//   of the division by n.
// - symEig: Householder + QL is backward stable (Golub & Van Loan §8.3, Wilkinson): the
//   computed decomposition is exact for A + E with ‖E‖ ≤ c·n·u64·‖A‖_F. We take c = 8, so
//   residual |AVᵀ − VᵀΛ| and each eigenvalue (Weyl) are within 8n·u64·‖A‖_F, and
//   orthogonality |VVᵀ − I| within 8n·u64. The Jacobi oracle is also backward stable, so the
//   two eigenvalue lists are within 2 × 8n·u64·‖A‖_F of each other, and each eigenvector
//   within 2 × 8n·u64·‖A‖_F / gap (Davis–Kahan) after the common sign convention.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { ScaleMode } from '../../bindings/ops.js';
import { Mem, bytesOf, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, roundTo } from '../reference/prng.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { expectClose, expectExact } from '../reference/check.js';
import {
  momentsRef, shiftedMomentsRef, standardizeRef, unstandardizeRef, covarianceRef, productRef, jacobiEig, frobenius, eigResiduals,
} from '../reference/preprocess.js';

const DTYPES: DType[] = ['float32', 'float64'];
const U64 = 2 ** -53;
const ROWS = [1, 3, 17, 1000];
const COLS = [1, 3, 17];
const mem = new Mem();
afterEach(() => mem.freeAll());
const ex = () => runtime().exports;

/** Data with per-column offsets and spreads (mean ≠ 0, σ differs per column), rounded to T. */
function data(rng: TestRng, rows: number, cols: number, dtype: DType, offset = 0): Float64Array {
  const r = roundTo(dtype);
  return Float64Array.from({ length: rows * cols }, (_, i) => {
    const c = i % cols;
    return r(offset + ((c % 5) - 2) * 1.5 + (0.25 + c / 8) * rng.uniform(-1, 1));
  });
}

/** An f64 output array of n sentinels plus one past the end; returns [ptr, read]. */
function out64(n: number): [number, () => Float64Array] {
  const p = mem.put('float64', sentinels(n + 1));
  return [p, () => {
    const v = mem.read('float64', p, n + 1);
    expect(v[n], 'wrote past the end').toBe(SENTINEL);
    return v.subarray(0, n);
  }];
}

function outT(dtype: DType, n: number, off: number): [number, () => Float64Array] {
  const p = mem.put(dtype, sentinels(n + 1), off);
  return [p, () => {
    const v = mem.read(dtype, p, n + 1);
    expect(v[n], 'wrote past the end').toBe(SENTINEL);
    return v.subarray(0, n);
  }];
}

describe.each(DTYPES)('colMoments %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);

  it('equals the shifted-sum oracle exactly and the two-pass statistics within γ_n', () => {
    const rng = new TestRng(11);
    for (const rows of ROWS) for (const cols of COLS) for (const off of [0, es]) for (const offset of [0, 1e4]) {
      const x = data(rng, rows, cols, dtype, offset);
      const px = mem.put(dtype, x, off);
      const [pm, readM] = out64(cols), [pv, readV] = out64(cols);
      k().colMoments(pm, pv, px, rows, cols);
      const mean = readM(), variance = readV();
      const label = `rows=${rows} cols=${cols} off=${off} offset=${offset}`;
      const s = shiftedMomentsRef(x, rows, cols);
      expectExact(mean, s.mean, `${label}: mean`);
      expectExact(variance, s.variance, `${label}: variance`);
      const ref = momentsRef(x, rows, cols);
      const g = dotErrorFactor(rows, U64);
      expectClose(mean, ref.mean, (c) => g * ref.meanAbs[c] + U64 * Math.abs(ref.mean[c]), `${label}: mean vs two-pass`);
      expectClose(variance, ref.variance, (c) => 4 * g * ref.meanSqShifted[c], `${label}: variance vs two-pass`);
      mem.freeAll();
    }
  });

  it('gives exactly 0 variance for a constant column, +0 never −0, and NaN for no rows', () => {
    const x = [-0, 5, 2.5, -0, 5, 2.5];
    const px = mem.put(dtype, x);
    const [pm, readM] = out64(3), [pv, readV] = out64(3);
    k().colMoments(pm, pv, px, 2, 3);
    const mean = readM(), variance = readV();
    expect(Array.from(variance)).toEqual([0, 0, 0]);
    expect(Object.is(mean[0], 0), 'mean of −0 is stored as +0').toBe(true);
    expect(Array.from(mean)).toEqual([0, 5, 2.5]);
    k().colMoments(pm, pv, px, 0, 3);
    expect(Array.from(readM()).every(Number.isNaN)).toBe(true);
    expect(Array.from(readV()).every(Number.isNaN)).toBe(true);
  });
});

describe.each(DTYPES)('standardize / unstandardize %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);
  const round = roundTo(dtype);

  it('equal the f64 oracle exactly (one rounding to T), in place or not', () => {
    const rng = new TestRng(12);
    for (const rows of ROWS) for (const cols of COLS) for (const off of [0, es]) {
      const x = data(rng, rows, cols, dtype);
      const mean = Float64Array.from({ length: cols }, () => rng.uniform(-2, 2));
      const div = Float64Array.from({ length: cols }, () => rng.uniform(0.1, 3));
      const pmean = mem.put('float64', mean, 8 * (off ? 1 : 0)), pdiv = mem.put('float64', div);
      const label = `rows=${rows} cols=${cols} off=${off}`;
      const px = mem.put(dtype, x, off);
      const [py, readY] = outT(dtype, rows * cols, off);
      k().standardize(py, px, pmean, pdiv, rows, cols);
      const y = readY();
      expectExact(y, standardizeRef(x, mean, div, rows, cols, round), `${label}: standardize`);
      const [pz, readZ] = outT(dtype, rows * cols, off);
      k().unstandardize(pz, py, pmean, pdiv, rows, cols);
      expectExact(readZ(), unstandardizeRef(y, mean, div, rows, cols, round), `${label}: unstandardize`);
      k().standardize(px, px, pmean, pdiv, rows, cols); // in place
      expectExact(mem.read(dtype, px, rows * cols), y, `${label}: in place`);
      mem.freeAll();
    }
  });
});

describe.each(DTYPES)('prepareScale %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  it('derives each divisor exactly as the JS expression', () => {
    const v = [0, 1e-20, 2.25, 4, 1e-3, 7.5].map(roundTo(dtype));
    const pv = mem.put(dtype, v);
    const cases: [number, number, (x: number) => number][] = [
      [ScaleMode.copy, 0, (x) => x],
      [ScaleMode.std, 0, (x) => (x === 0 ? 1 : x)],
      [ScaleMode.variance, 1e-7, (x) => Math.max(Math.sqrt(x), 1e-7)],
      [ScaleMode.eig, 1e-5, (x) => Math.sqrt(x + 1e-5)],
      [ScaleMode.invEig, 1e-5, (x) => 1 / Math.sqrt(x + 1e-5)],
      [ScaleMode.sqrt, 0, (x) => Math.sqrt(x)],
    ];
    for (const [mode, eps, f] of cases) {
      const [po, read] = out64(v.length);
      k().prepareScale(po, pv, v.length, mode, eps);
      expectExact(read(), v.map(f), `mode ${mode}`);
    }
  });
});

describe.each(DTYPES)('covariance %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);

  it('matches X_cᵀX_c/N within 2γ_{n+2}·Σ|terms|, exactly symmetric, deterministic', () => {
    const rng = new TestRng(13);
    for (const rows of [...ROWS, 300]) for (const cols of [...COLS, 70]) for (const off of [0, es]) {
      if (rows === 1000 && cols === 70) continue;
      const x = data(rng, rows, cols, dtype, 3);
      const ref0 = momentsRef(x, rows, cols);
      const px = mem.put(dtype, x, off), pmean = mem.put('float64', ref0.mean);
      const work = mem.alloc(ex().covariance_work_bytes(cols) >>> 0);
      const [pc, read] = out64(cols * cols);
      k().covariance(pc, work, px, pmean, rows, cols);
      const cov = read();
      const label = `rows=${rows} cols=${cols} off=${off}`;
      const ref = covarianceRef(x, ref0.mean, rows, cols);
      const g = 2 * dotErrorFactor(rows, U64);
      expectClose(cov, ref.cov, (i) => g * ref.abs[i] + U64 * Math.abs(ref.cov[i]), label);
      for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) {
        if (!Object.is(cov[i * cols + j], cov[j * cols + i])) expect.fail(`${label}: cov[${i}, ${j}] ≠ cov[${j}, ${i}]`);
      }
      mem.write('float64', pc, sentinels(cols * cols));
      k().covariance(pc, work, px, pmean, rows, cols);
      expectExact(read(), cov, `${label}: a second run`);
      mem.freeAll();
    }
  });
});

describe.each(DTYPES)('project / unproject %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const es = bytesOf(dtype);
  const round = roundTo(dtype);

  it('equal the f64 oracle exactly, with and without each optional operand', () => {
    const rng = new TestRng(14);
    for (const rows of [...ROWS, 130]) for (const D of COLS) for (const kc of [1, 3, 17]) for (const off of [0, es]) {
      if (rows === 1000 && (D !== 17 || kc !== 3)) continue; // the big case once
      const x = data(rng, rows, D, dtype);
      const mean = Float64Array.from({ length: D }, () => rng.uniform(-2, 2));
      const comps = Float64Array.from({ length: kc * D }, () => rng.uniform(-1, 1));
      const div = Float64Array.from({ length: kc }, () => rng.uniform(0.2, 2));
      const label = `rows=${rows} D=${D} k=${kc} off=${off}`;
      const px = mem.put(dtype, x, off), pmean = mem.put('float64', mean), pc = mem.put('float64', comps), pdiv = mem.put('float64', div);
      const work = mem.alloc(Math.max(ex().project_work_bytes(D, kc) >>> 0, ex().project_work_bytes(kc, D) >>> 0));
      for (const withDiv of [false, true]) {
        const [py, readY] = outT(dtype, rows * kc, off);
        k().project(py, work, px, pmean, pc, withDiv ? pdiv : 0, rows, D, kc);
        const y = readY();
        expectExact(y, productRef(x, mean, null, comps, true, withDiv ? div : null, null, rows, D, kc, round), `${label} div=${withDiv}: project`);
        const py2 = mem.put(dtype, y, off);
        for (const [withMul, withMean] of [[false, false], [true, true], [true, false]]) {
          const [pz, readZ] = outT(dtype, rows * D, off);
          k().unproject(pz, work, py2, withMul ? pdiv : 0, pc, withMean ? pmean : 0, rows, kc, D);
          expectExact(readZ(), productRef(y, null, withMul ? div : null, comps, false, null, withMean ? mean : null, rows, kc, D, round), `${label} mul=${withMul} mean=${withMean}: unproject`);
        }
      }
      mem.freeAll();
    }
  });
});

describe('symEig (Householder + QL, f64)', () => {
  /** Runs the kernel out of place and in place; checks they agree bit for bit and a is untouched. */
  function eig(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
    const pa = mem.put('float64', A);
    const [pv, readV] = out64(n * n), [pl, readL] = out64(n);
    const work = mem.alloc(8 * n);
    expect(ex().sym_eig_f64(pv, pl, work, pa, n)).toBe(0);
    const values = readL().slice(), vectors = readV().slice();
    expectExact(mem.read('float64', pa, n * n), A, 'a is left as it was');
    expect(ex().sym_eig_f64(pa, pl, work, pa, n)).toBe(0);
    expectExact(readL(), values, 'in place: values');
    expectExact(mem.read('float64', pa, n * n), vectors, 'in place: vectors');
    mem.freeAll();
    return { values, vectors };
  }

  /** The structural promises: descending, sign convention, +0 only, residual and orthogonality bounds. */
  function checkDecomposition(A: Float64Array, n: number, r: { values: Float64Array; vectors: Float64Array }, label: string) {
    const bound = 8 * n * U64;
    const norm = frobenius(A);
    for (let j = 1; j < n; j++) expect(r.values[j], `${label}: descending at ${j}`).toBeLessThanOrEqual(r.values[j - 1]);
    for (let j = 0; j < n; j++) {
      let big = 0, at = 0;
      for (let q = 0; q < n; q++) if (Math.abs(r.vectors[j * n + q]) > big) { big = Math.abs(r.vectors[j * n + q]); at = q; }
      expect(r.vectors[j * n + at], `${label}: vector ${j}'s largest component is positive`).toBeGreaterThan(0);
    }
    expect([...r.values, ...r.vectors].some((v) => Object.is(v, -0)), `${label}: no −0`).toBe(false);
    const { residual, orthogonality } = eigResiduals(A, r.values, r.vectors, n);
    expect(residual, `${label}: residual`).toBeLessThanOrEqual(bound * norm);
    expect(orthogonality, `${label}: orthogonality`).toBeLessThanOrEqual(bound);
  }

  function randomSymmetric(rng: TestRng, n: number): Float64Array {
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = rng.uniform(-1, 1);
    return A;
  }

  it('agrees with cyclic Jacobi on random symmetric matrices (n = 1, 2, 3, 17, 64)', () => {
    const rng = new TestRng(15);
    for (const n of [1, 2, 3, 17, 64]) {
      const A = randomSymmetric(rng, n);
      const r = eig(A, n);
      checkDecomposition(A, n, r, `n=${n}`);
      const ref = jacobiEig(A, n);
      const tol = 2 * 8 * n * U64 * frobenius(A);
      expectClose(r.values, ref.values, tol, `n=${n}: eigenvalues vs Jacobi`);
      for (let j = 0; j < n; j++) {
        const gap = Math.min(j > 0 ? r.values[j - 1] - r.values[j] : Infinity, j < n - 1 ? r.values[j] - r.values[j + 1] : Infinity);
        const vtol = gap === Infinity ? tol : Math.min(2, tol / gap);
        expectClose(r.vectors.subarray(j * n, j * n + n), ref.vectors.subarray(j * n, j * n + n), vtol, `n=${n}: vector ${j} vs Jacobi (gap ${gap})`);
      }
    }
  });

  it('handles matrices that are already diagonal, degenerate, zero or 2×2', () => {
    const diag = new Float64Array(25);
    [3, -1, 7, 0, 2].forEach((v, i) => (diag[i * 5 + i] = v));
    const d = eig(diag, 5);
    expectExact(d.values, [7, 3, 2, 0, -1], 'diagonal: values');
    checkDecomposition(diag, 5, d, 'diagonal');
    const I = new Float64Array(16);
    for (let i = 0; i < 4; i++) I[i * 4 + i] = 1;
    const id = eig(I, 4);
    expectExact(id.values, [1, 1, 1, 1], 'identity: values');
    checkDecomposition(I, 4, id, 'identity');
    const z = eig(new Float64Array(9), 3);
    expectExact(z.values, [0, 0, 0], 'zero: values');
    checkDecomposition(new Float64Array(9), 3, z, 'zero');
    // [[2, 1], [1, 2]]: 3 with (1, 1)/√2, 1 with (1, −1)/√2 (sign: first of the tied components positive)
    const two = eig(Float64Array.from([2, 1, 1, 2]), 2);
    expectClose(two.values, [3, 1], 4 * U64 * 3, '2×2 values');
    expectClose(two.vectors, [Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2], 8 * U64, '2×2 vectors');
  });

  it("Wilkinson's W21+ (pairs of nearly equal eigenvalues): residual, orthogonality and eigenvalues vs Jacobi", () => {
    const n = 21;
    const W = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      W[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) W[i * n + i + 1] = W[(i + 1) * n + i] = 1;
    }
    const r = eig(W, n);
    checkDecomposition(W, n, r, 'W21+');
    expectClose(r.values, jacobiEig(W, n).values, 2 * 8 * n * U64 * frobenius(W), 'W21+ eigenvalues');
    // the largest pair agrees to ~1e-14 (Wilkinson, The Algebraic Eigenvalue Problem): 10.746194182903...
    expect(r.values[0] - r.values[1]).toBeGreaterThan(0);
    expect(r.values[0] - r.values[1]).toBeLessThan(1e-12);
  });

  it('a 200×200 covariance matrix of structured data: the same bounds', () => {
    const rng = new TestRng(16);
    const n = 200, rows = 300;
    const x = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
      for (let c = 0; c < n; c++) x[r * n + c] = a * Math.sin(c / 7) + 0.3 * b * Math.cos(c / 3) + 0.01 * rng.uniform(-1, 1);
    }
    const { mean } = momentsRef(x, rows, n);
    const A = covarianceRef(x, mean, rows, n).cov;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
    const r = eig(A, n);
    checkDecomposition(A, n, r, 'covariance 200');
    // rank ≤ rows − 1 = 299 ≥ n: no exact zeros here, but two dominant directions
    expect(r.values[1] / r.values[2]).toBeGreaterThan(100);
  });
});
