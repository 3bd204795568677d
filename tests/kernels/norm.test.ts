// Normalization kernels (assembly/norm.ts) vs the f64 oracles of tests/reference/conv.ts:
// batchNormTrain / batchNormInfer / batchNormBackward over [rows, C] (rows ∈ {1, 5, 448},
// C ∈ {1, 3, 4, 5, 16, 17}), ema, and groupNorm / groupNormBackward over [N, S, C] with
// G = 1 (layer norm), G = C (instance norm) and groups of 2–4 channels, at aligned pointers
// and one element off. Batch norm is the oracle's group norm with N = 1, S = rows, G = C.
//
// Tolerances (u = unit roundoff of T, u64 = 2^-53, M = elements per statistics set):
// - μ, σ², r come from f64 sums rounded once to T (u relative). μ: γ_M(u64)·mean|x|. σ²: the
//   kernel may use one pass (Σx²/M − μ², as it now does) or two; both are within
//   4γ_M(u64)·mean(x²) (cancellation: mean(x²)/σ² ≤ ~100 in the main cases, so ≤ ~1e-11 relative
//   in f64; one test pushes |μ|/σ to 3.5e3). r inherits σ²'s relative error w.r.t. σ² + ε (halved, but we do not halve).
// - y = (x − μ)·r·γ + β in T from the stored μ, r: ≤ 4u·(|γ|r(|x| + 2|μ|) + |β| + |y|), plus
//   twice the f64 statistics' error, |γ|r·(Δμ + |x − μ|·Δr/r).
// - backward from the same T-rounded μ, r on both sides; dx = r/M·(M·g − Σg − x̂·Σgx̂):
//   8u·(r|g| + r(Σ|g| + |x̂|Σ|gx̂|)/M) for the ~6 T operations, plus 2u64·r(Σ|g| + |x̂|Σ|gx̂|)
//   for the f64 sums (γ_M(u64)/M). dβ, dγ: f64 sums of T terms in batch norm (γ_M(u64) +
//   3u per term for x̂ in T, + u for the final rounding); group norm adds them up in T over
//   N·S terms: γ_{N·S+3}(u). In f32 every bound is ≤ ~1e-5 of the scale, and a wrong
//   channel/group index changes results by O(scale).
// Outputs start as sentinels with one more past the end; `acc` starts as garbage.

import { describe, it, expect, afterEach } from 'vitest';
import { runtime, type DType } from '../../bindings/index.js';
import { Mem, bytesOf, SENTINEL, sentinels } from '../reference/mem.js';
import { TestRng, uniformArray, roundTo } from '../reference/prng.js';
import { expectClose, expectExact, unitRoundoff } from '../reference/check.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { groupNormRef, groupNormBackwardRef, emaRef, type NormFwd, type Sums } from '../reference/conv.js';

const DTYPES: DType[] = ['float32', 'float64'];
const U64 = 2 ** -53;
const mem = new Mem();
afterEach(() => mem.freeAll());

type Ptrs = Record<string, number>;

/** Puts `inputs` (T, `off` bytes off alignment), sentinel outputs and an f64 `acc` of garbage; returns the outputs. */
function call(
  dtype: DType, off: number, inputs: Record<string, ArrayLike<number>>, outputs: Record<string, number>, accLen: number,
  f: (p: Ptrs) => void,
): Record<string, Float64Array> {
  const p: Ptrs = {};
  for (const [name, v] of Object.entries(inputs)) p[name] = mem.put(dtype, v, off);
  for (const [name, n] of Object.entries(outputs)) p[name] = mem.put(dtype, sentinels(n + 1), off);
  p.acc = mem.put('float64', new Float64Array(accLen).fill(1e30));
  f(p);
  const out: Record<string, Float64Array> = {};
  for (const [name, n] of Object.entries(outputs)) {
    const v = mem.read(dtype, p[name], n + 1);
    expect(v[n], `${name}: wrote past the end`).toBe(SENTINEL);
    out[name] = v.subarray(0, n);
  }
  mem.freeAll();
  return out;
}

/** x with a per-channel offset and spread (so μ ≠ 0 and σ differs by channel), rounded to T. */
function inputs(rng: TestRng, sets: number, S: number, C: number, dtype: DType) {
  const round = roundTo(dtype);
  const x = new Float64Array(sets * S * C);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    x[i] = round(((c % 5) - 2) * 1.5 + (0.5 + c / 8) * rng.uniform(-1, 1));
  }
  return { x, gamma: uniformArray(rng, C, -2, 2, dtype), beta: uniformArray(rng, C, -1, 1, dtype), dy: uniformArray(rng, x.length, -1, 1, dtype) };
}

function checkForward(
  dtype: DType, got: Record<string, Float64Array>, ref: NormFwd, x: Float64Array, gamma: Float64Array, beta: Float64Array,
  S: number, C: number, G: number, eps: number, label: string,
): void {
  const u = unitRoundoff(dtype), M = (S * C) / G, cg = C / G;
  const dMu = (k: number) => dotErrorFactor(M, U64) * ref.meanAbs[k];
  const dVar = (k: number) => 4 * dotErrorFactor(M, U64) * ref.meanSq[k]; // one pass (Σx²/M − μ²) or two
  const dRel = (k: number) => dVar(k) / (ref.variance[k] + eps); // relative error of σ² + ε (≥ 2× r's)
  expectClose(got.mean, ref.mean, (k) => u * Math.abs(ref.mean[k]) + dMu(k), `${label} mean`);
  if (got.variance) expectClose(got.variance, ref.variance, (k) => u * ref.variance[k] + dVar(k), `${label} variance`);
  expectClose(got.invstd, ref.invstd, (k) => (u + 2 * U64 + dRel(k)) * ref.invstd[k], `${label} invstd`);
  expectClose(got.y, ref.y, (i) => {
    const c = i % C, k = Math.floor(i / (S * C)) * G + Math.floor(c / cg);
    const m = Math.abs(ref.mean[k]), gr = Math.abs(gamma[c]) * ref.invstd[k];
    return 4 * u * (gr * (Math.abs(x[i]) + 2 * m) + Math.abs(beta[c]) + Math.abs(ref.y[i])) +
      2 * gr * (dMu(k) + Math.abs(x[i] - ref.mean[k]) * dRel(k));
  }, `${label} y`);
}

function checkBackward(
  dtype: DType, got: Record<string, Float64Array>, dy: Float64Array, x: Float64Array, mean: Float64Array, invstd: Float64Array,
  gamma: Float64Array, N: number, S: number, C: number, G: number, paramTerms: number, label: string,
): void {
  const u = unitRoundoff(dtype);
  const ref = groupNormBackwardRef(dy, x, mean, invstd, gamma, N, S, C, G);
  const paramTol = (s: Sums) => (i: number) =>
    u * Math.abs(s.v[i]) + (dotErrorFactor(paramTerms, u) + dotErrorFactor(s.terms[i], U64)) * s.abs[i];
  expectClose(got.dbeta, ref.dbeta.v, paramTol(ref.dbeta), `${label} dbeta`);
  expectClose(got.dgamma, ref.dgamma.v, paramTol(ref.dgamma), `${label} dgamma`);
  expectClose(got.dx, ref.dx, (i) => 8 * u * (ref.dxLocal[i] + ref.dxSums[i] / ref.M) + 2 * U64 * ref.dxSums[i], `${label} dx`);
}

const T = (dtype: DType) => roundTo(dtype);

describe.each(DTYPES)('batch norm %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  const offs = [0, bytesOf(dtype)];
  const cases = [1, 5, 64 * 7].flatMap((rows) => [1, 3, 4, 5, 16, 17].map((C) => ({ rows, C })));

  it.each(cases)('batchNormTrain and batchNormBackward, rows=$rows C=$C', ({ rows, C }) => {
    const rng = new TestRng(rows * 31 + C);
    const { x, gamma, beta, dy } = inputs(rng, 1, rows, C, dtype);
    for (const eps of [1e-3, 1e-5]) {
      const ref = groupNormRef(x, gamma, beta, 1, rows, C, C, eps);
      const mean = ref.mean.map(T(dtype)), invstd = ref.invstd.map(T(dtype));
      for (const off of offs) {
        const label = `rows=${rows} C=${C} eps=${eps} off=${off}`;
        const fwd = call(dtype, off, { x, gamma, beta }, { y: rows * C, mean: C, invstd: C, variance: C }, 2 * C,
          (p) => k().batchNormTrain(p.y, p.mean, p.invstd, p.variance, p.acc, p.x, p.gamma, p.beta, rows, C, eps));
        checkForward(dtype, fwd, ref, x, gamma, beta, rows, C, C, eps, label);
        if (rows === 1) expectExact(fwd.y, beta, `${label}: one row normalizes to β`);
        const bwd = call(dtype, off, { dy, x, mean, invstd, gamma }, { dx: rows * C, dgamma: C, dbeta: C }, 2 * C,
          (p) => k().batchNormBackward(p.dx, p.dgamma, p.dbeta, p.acc, p.dy, p.x, p.mean, p.invstd, p.gamma, rows, C));
        checkBackward(dtype, bwd, dy, x, mean, invstd, gamma, 1, rows, C, C, 2, label);
      }
    }
  });

  it('rows=448 C=5 with |mean|/std ≈ 1e3 (cancellation in f64 sums): still within the bounds', () => {
    const rows = 448, C = 5, eps = 1e-3, round = roundTo(dtype);
    const rng = new TestRng(1000);
    const x = Float64Array.from({ length: rows * C }, (_, i) => round(1000 * ((i % C) - 2) + 1000.5 + rng.uniform(-1, 1)));
    const gamma = uniformArray(rng, C, 0.5, 2, dtype), beta = uniformArray(rng, C, -1, 1, dtype);
    const ref = groupNormRef(x, gamma, beta, 1, rows, C, C, eps);
    const fwd = call(dtype, 0, { x, gamma, beta }, { y: rows * C, mean: C, invstd: C, variance: C }, 2 * C,
      (p) => k().batchNormTrain(p.y, p.mean, p.invstd, p.variance, p.acc, p.x, p.gamma, p.beta, rows, C, eps));
    checkForward(dtype, fwd, ref, x, gamma, beta, rows, C, C, eps, 'offset 1e3');
    // f32 data, |μ|/σ ≤ 3.5e3: the one-pass f64 error, typically √M·u64·mean(x²)/σ² ≈ 3e-8 relative here,
    // stays under 4u(f32) = 2.4e-7, as the kernel's comment promises (it grows as (μ/σ)²: ~35u at 1.7e4)
    if (dtype === 'float32') expectClose(fwd.variance, ref.variance, (c) => 4 * unitRoundoff(dtype) * ref.variance[c], 'f32 variance');
  });

  it('variance stays accurate when |mean|/std ≈ 1.7e5 (the shifted one-pass sums)', () => {
    // Σx²/M − μ² in f64 would lose ~(μ/σ)²·u64 ≈ 3e-6 here; shifting by a sample of the channel
    // keeps the error at the level of a two-pass variance.
    const rows = 4096, C = 2, eps = 1e-3;
    const rng = new TestRng(17);
    const x = Float64Array.from({ length: rows * C }, () => roundTo(dtype)(1e5 + rng.uniform(-1, 1)));
    const ref = groupNormRef(x, new Float64Array(C).fill(1), new Float64Array(C), 1, rows, C, C, eps);
    const fwd = call(dtype, 0, { x, gamma: new Float64Array(C).fill(1), beta: new Float64Array(C) }, { y: rows * C, mean: C, invstd: C, variance: C }, 2 * C,
      (p) => k().batchNormTrain(p.y, p.mean, p.invstd, p.variance, p.acc, p.x, p.gamma, p.beta, rows, C, eps));
    const tol = dtype === 'float64' ? 1e-12 : 4 * unitRoundoff(dtype);
    expectClose(fwd.variance, ref.variance, (c) => tol * ref.variance[c], 'variance at offset 1e5');
    const gfwd = call(dtype, 0, { x, gamma: new Float64Array(C).fill(1), beta: new Float64Array(C) }, { y: rows * C, mean: 1, invstd: 1 }, 2,
      (p) => k().groupNorm(p.y, p.mean, p.invstd, p.acc, p.x, p.gamma, p.beta, 1, rows, C, 1, eps));
    const all = Array.from(x), mu = all.reduce((a, b) => a + b, 0) / all.length;
    const v = all.reduce((a, b) => a + (b - mu) ** 2, 0) / all.length;
    expectClose(gfwd.invstd, [1 / Math.sqrt(v + eps)], () => tol / Math.sqrt(v + eps) + unitRoundoff(dtype) / Math.sqrt(v + eps), 'group norm invstd at offset 1e5');
  });

  it.each([1, 5, 448].map((rows) => ({ rows })))('batchNormInfer uses the moving statistics, rows=$rows', ({ rows }) => {
    const u = unitRoundoff(dtype);
    for (const C of [1, 3, 4, 5, 16, 17]) {
      const rng = new TestRng(rows + C * 7);
      const { x, gamma, beta } = inputs(rng, 1, rows, C, dtype);
      const mm = uniformArray(rng, C, -2, 2, dtype), mv = uniformArray(rng, C, 0.1, 3, dtype);
      mv[0] = 0; // r = 1/√ε
      const eps = 1e-3, r = mv.map((v) => 1 / Math.sqrt(v + eps));
      const want = x.map((v, i) => (v - mm[i % C]) * r[i % C] * gamma[i % C] + beta[i % C]);
      for (const off of offs) {
        const got = call(dtype, off, { x, mm, mv, gamma, beta }, { y: rows * C, invstd: C }, 0,
          (p) => k().batchNormInfer(p.y, p.invstd, p.x, p.mm, p.mv, p.gamma, p.beta, rows, C, eps));
        expectClose(got.invstd, r, (c) => (u + 2 * U64) * r[c], `C=${C} off=${off} invstd`);
        expectClose(got.y, want, (i) => {
          const c = i % C;
          return 4 * u * (Math.abs(gamma[c]) * r[c] * (Math.abs(x[i]) + Math.abs(mm[c])) + Math.abs(beta[c]) + Math.abs(want[i]));
        }, `C=${C} off=${off} y`);
      }
    }
  });

  it('ema: moving = m·moving + (1 − m)·batch; m = 1 keeps moving, m = 0 takes batch, exactly', () => {
    const u = unitRoundoff(dtype);
    for (const n of [0, 1, 3, 4, 5, 17, 1027]) {
      const rng = new TestRng(n);
      const moving = uniformArray(rng, n, -3, 3, dtype), batch = uniformArray(rng, n, -3, 3, dtype);
      for (const m of [0.99, 0.9, 0.1, 0, 1]) {
        for (const off of offs) {
          const pm = mem.put(dtype, [...moving, SENTINEL], off), pb = mem.put(dtype, batch, off);
          k().ema(pm, pb, n, m);
          const got = mem.read(dtype, pm, n + 1);
          mem.freeAll();
          const label = `n=${n} m=${m} off=${off}`;
          expect(got[n], `${label}: wrote past the end`).toBe(SENTINEL);
          const want = emaRef(moving, batch, m);
          if (m === 0 || m === 1) expectExact(got.subarray(0, n), m ? moving : batch, label);
          else expectClose(got.subarray(0, n), want, (i) => 3 * u * (Math.abs(m * moving[i]) + Math.abs((1 - m) * batch[i])) + u * Math.abs(want[i]), label);
        }
      }
    }
  });
});

describe.each(DTYPES)('group norm %s', (dtype) => {
  const k = () => runtime().raw[dtype];
  // [N, S, C, G]: G = 1 (layer norm), G = C (instance norm), groups of 2, 3, 4 channels
  const cases = [
    [1, 7, 4, 1], [3, 6, 5, 1], [2, 4, 1, 1], [3, 1, 16, 1],
    [3, 5, 12, 3], [3, 5, 12, 4], [3, 1, 16, 4], [1, 35, 16, 8], [3, 49, 6, 2],
    [1, 9, 17, 17], [3, 6, 5, 5], [3, 1, 3, 3], [3, 4, 16, 16],
  ].map(([N, S, C, G]) => ({ N, S, C, G }));

  it.each(cases)('groupNorm and groupNormBackward, N=$N S=$S C=$C G=$G', ({ N, S, C, G }) => {
    const rng = new TestRng(N * 1000 + S * 100 + C * 10 + G);
    const { x, gamma, beta, dy } = inputs(rng, N, S, C, dtype);
    const eps = 1e-3;
    const ref = groupNormRef(x, gamma, beta, N, S, C, G, eps);
    const mean = ref.mean.map(T(dtype)), invstd = ref.invstd.map(T(dtype));
    for (const off of [0, bytesOf(dtype)]) {
      const label = `N=${N} S=${S} C=${C} G=${G} off=${off}`;
      const fwd = call(dtype, off, { x, gamma, beta }, { y: N * S * C, mean: N * G, invstd: N * G }, 2 * N * G,
        (p) => k().groupNorm(p.y, p.mean, p.invstd, p.acc, p.x, p.gamma, p.beta, N, S, C, G, eps));
      checkForward(dtype, fwd, ref, x, gamma, beta, S, C, G, eps, label);
      const bwd = call(dtype, off, { dy, x, mean, invstd, gamma }, { dx: N * S * C, dgamma: C, dbeta: C }, 2 * N * G,
        (p) => k().groupNormBackward(p.dx, p.dgamma, p.dbeta, p.acc, p.dy, p.x, p.mean, p.invstd, p.gamma, N, S, C, G));
      // dγ, dβ are summed in T over the N·S positions (+3 for x̂ and the product in T)
      checkBackward(dtype, bwd, dy, x, mean, invstd, gamma, N, S, C, G, N * S + 3, label);
    }
  });

  it('the oracle: G = C over one sample gives per-channel (batch norm) statistics', () => {
    const rng = new TestRng(42);
    const { x, gamma, beta } = inputs(rng, 1, 6, 5, 'float64');
    const a = groupNormRef(x, gamma, beta, 1, 6, 5, 5, 1e-3);
    const col = (c: number) => [0, 1, 2, 3, 4, 5].map((r) => x[r * 5 + c]);
    const mean = [0, 1, 2, 3, 4].map((c) => col(c).reduce((s, v) => s + v, 0) / 6);
    const variance = mean.map((m, c) => col(c).reduce((s, v) => s + (v - m) ** 2, 0) / 6);
    expectClose(a.mean, mean, 1e-15);
    expectClose(a.variance, variance, 1e-15);
    expectClose(a.invstd, variance.map((v) => 1 / Math.sqrt(v + 1e-3)), 1e-14);
  });
});
