// preprocess.zeroCenter / standardize / pca (src/toolkit/preprocess.ts) and the layers that
// carry them into a model (layers.normalization, layers.preprocess), end to end:
// - statistics and maps vs plain float64 JS references at awkward sizes, per feature and per
//   channel, float32 and float64 inputs;
// - PCA vs an independent implementation, ml-pca (SVD of the centred data; its covariance is
//   ÷(N − 1), ours ÷N as the lecture notes' recipe, so its eigenvalues are scaled by
//   (N − 1)/N), on data with known structure and on 1,000 real digits; whitening gives an
//   identity covariance; inverse∘transform is the identity at full rank;
// - fromJSON(toJSON()) transforms bit for bit; the layers save, load and predict bit for
//   bit, and their backward passes a float64 gradient check; bad inputs are Errors that
//   change nothing.
//
// Tolerances (u = unit roundoff of the dtype, u64 = 2^-53, γ_n = n·u64/(1 − n·u64)):
// - A map computed from the preprocessor's own statistics is one f64 expression rounded once
//   to T in both the kernel and the reference: compared EXACTLY.
// - Statistics vs two-pass references: mean within γ_n·mean|x| + u64|μ|; variance within
//   4γ_n·mean((x − x₀)²) (the one-pass shifted sums, see tests/kernels/preprocess.test.ts),
//   so σ² within that plus 3u64·σ² (one square root, one square).
// - PCA vs ml-pca: both are backward stable, the covariance route within
//   ε_C = 2γ_N·max|x_c|² + 8D·u64·‖C‖_F of the exact covariance (sums of products, then the
//   eigensolver), the SVD route within a smaller multiple of u64·‖X_c‖². We allow
//   ε = 4(N + 8D)·u64·‖C‖_F·(1 + max|x_c|²/λ₁) for eigenvalues (Weyl), ε/gap_j for each
//   eigenvector (Davis–Kahan; only components whose gap leaves this below 1e-6 are
//   compared, at least 20 of them), and ‖x_c‖·ε/gap_j + D·u64·‖x_c‖ for each projected value.

import { describe, it, expect, beforeAll } from 'vitest';
import { PCA as MLPCA } from 'ml-pca';
import { Matrix, QrDecomposition } from 'ml-matrix';
import {
  preprocess, layers, layerRegistry, serialize, Sequential, tensor, Tensor, ZeroCenter, Standardize, PCA, type DType,
} from '../../src/index.js';
import { momentsRef } from '../reference/preprocess.js';
import { dotErrorFactor } from '../reference/gemm.js';
import { expectClose, expectExact } from '../reference/check.js';
import { normalRng, uniformRng, randLabels, expectSameBits } from '../model/helpers.js';
// @ts-ignore: plain JS module of the demos (the embedded MNIST digits)
import { loadDigits } from '../../demo/data.mjs';

const U64 = 2 ** -53;
const u = (dtype: DType) => (dtype === 'float32' ? 2 ** -24 : U64);
const round = (dtype: DType) => (dtype === 'float32' ? Math.fround : (v: number) => v);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Data with per-column offsets and spreads, rounded to the dtype. */
function data(shape: number[], dtype: DType, seed: number, constantColumn = false): Tensor {
  const r = uniformRng(seed);
  const cols = shape[shape.length - 1];
  const n = size(shape);
  const v = Float64Array.from({ length: n }, (_, i) => {
    const c = i % cols;
    if (constantColumn && c === 0) return 2.5;
    return round(dtype)(((c % 5) - 2) * 3 + (0.5 + c / 4) * (2 * r() - 1));
  });
  return tensor(dtype === 'float32' ? Float32Array.from(v) : v, shape, dtype);
}

/** x viewed as [rows, cols] for per 'feature' or 'channel'. */
function layout(shape: readonly number[], per: 'feature' | 'channel') {
  const cols = per === 'feature' ? size(shape.slice(1)) : shape[shape.length - 1];
  return { rows: size(shape) / cols, cols };
}

function expectBits(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expectSameBits([got], [want], label);
}

describe('zeroCenter and standardize vs float64 references', () => {
  const shapes = [[1, 1], [3, 3], [17, 17], [1000, 3], [17, 5, 3, 3], [1, 4, 4, 3]];
  for (const dtype of ['float32', 'float64'] as DType[]) for (const per of ['feature', 'channel'] as const) {
    it(`${dtype}, per ${per}: statistics within γ_n, maps exact, inverse∘transform = identity`, () => {
      for (const shape of shapes) for (const constant of [false, true]) {
        const x = data(shape, dtype, shape.length * 100 + shape[0], constant);
        const { rows, cols } = layout(x.shape, per);
        const label = `[${shape}] constant=${constant}`;
        const ref = momentsRef(x.data, rows, cols);
        const g = dotErrorFactor(rows, U64);
        const zc = preprocess.zeroCenter({ per }).fit(x);
        const st = preprocess.standardize({ per }).fit(x);
        expect(zc.fit(x)).toBe(zc);
        expectClose(zc.mean!, ref.mean, (c) => g * ref.meanAbs[c] + U64 * Math.abs(ref.mean[c]), `${label}: zeroCenter mean`);
        expectBits(st.mean!, zc.mean!, `${label}: both means`);
        const std = st.std!;
        expectClose(std.map((s) => s * s), ref.variance, (c) => 4 * g * ref.meanSqShifted[c] + 3 * U64 * ref.variance[c], `${label}: σ²`);
        if (constant) expect(std[0], `${label}: a constant column has σ = 0 exactly`).toBe(0);

        // the maps, from the fitted statistics: exact
        const div = std.map((s) => (s === 0 ? 1 : s));
        const mean = zc.mean!;
        const yz = zc.transform(x), ys = st.transform(x);
        expect(yz.shape).toEqual(x.shape);
        expect(yz.dtype).toBe(dtype);
        const wantZ = Array.from(x.data, (v, i) => round(dtype)(v - mean[i % cols]));
        const wantS = Array.from(x.data, (v, i) => round(dtype)((v - mean[i % cols]) / div[i % cols]));
        expectExact(yz.data, wantZ, `${label}: zeroCenter.transform`);
        expectExact(ys.data, wantS, `${label}: standardize.transform`);
        // inverse: exact as an expression, and the identity up to the rounding of y to T
        const back = st.inverseTransform(ys);
        expectExact(back.data, Array.from(ys.data, (v, i) => round(dtype)(v * div[i % cols] + mean[i % cols])), `${label}: inverseTransform`);
        expectClose(back.data, x.data, (i) => 3 * u(dtype) * (Math.abs(x.data[i]) + Math.abs(mean[i % cols])), `${label}: inverse∘transform`);
        expectClose(zc.inverseTransform(yz).data, x.data, (i) => 3 * u(dtype) * (Math.abs(x.data[i]) + Math.abs(mean[i % cols])), `${label}: zeroCenter inverse∘transform`);
      }
    });
  }

  it('per channel accepts other spatial sizes; flat typed arrays use the inputShape or the fitted shape', () => {
    const x = data([10, 4, 4, 3], 'float32', 5);
    const p = preprocess.standardize({ per: 'channel' }).fit(x);
    const other = data([2, 7, 5, 3], 'float32', 6);
    expect(p.transform(other).shape).toEqual([2, 7, 5, 3]);
    const flat = preprocess.zeroCenter({ inputShape: [4, 4, 3] }).fit(x.data as Float32Array);
    const viaTensor = preprocess.zeroCenter().fit(x);
    expectBits(flat.mean!, viaTensor.mean!, 'flat fit');
    const y = flat.transform(x.data as Float32Array);
    expect(y.shape).toEqual([10, 4, 4, 3]);
    expectBits(y.data, viaTensor.transform(x).data, 'flat transform');
    // nested arrays are float32, as tensor() makes them
    const nested = [[1, 2], [3, 5]];
    const yn = preprocess.zeroCenter().fit(nested).transform(nested);
    expect(yn.dtype).toBe('float32');
    expect(Array.from(yn.data)).toEqual([-1, -1.5, 1, 1.5]);
  });
});

/** N samples in D dimensions: z·diag(s)·Qᵀ + μ + tiny noise, Q a random orthogonal matrix (ml-matrix QR). */
function structured(N: number, D: number, s: number[], seed: number): { x: Float64Array; Q: Matrix } {
  const r = normalRng(seed);
  const Q = new QrDecomposition(Matrix.from1DArray(D, D, Array.from({ length: D * D }, r))).orthogonalMatrix;
  const mu = Array.from({ length: D }, (_, d) => 3 - d / 2);
  const x = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    const z = s.map((sj) => sj * r());
    for (let d = 0; d < D; d++) {
      let v = mu[d] + 1e-3 * r();
      for (let j = 0; j < D; j++) v += z[j] * Q.get(d, j);
      x[i * D + d] = v;
    }
  }
  return { x, Q };
}

function rowsOf(x: ArrayLike<number>, N: number, D: number): number[][] {
  return Array.from({ length: N }, (_, i) => Array.from({ length: D }, (_, d) => x[i * D + d]));
}

/** Compares our PCA with ml-pca's on the same float64 data; returns the number of components compared tightly. */
function compareWithMlPca(p: PCA, ml: MLPCA, x: Float64Array, N: number, D: number, label: string): number {
  const ours = p.explainedVariance!;
  const k = ours.length;
  const theirs = ml.getEigenvalues().map((v: number) => (v * (N - 1)) / N);
  const mean = p.mean!;
  let maxXc2 = 0, cnorm = 0;
  for (let i = 0; i < N * D; i++) maxXc2 = Math.max(maxXc2, (x[i] - mean[i % D]) ** 2);
  for (const v of theirs) cnorm += v * v;
  cnorm = Math.sqrt(cnorm); // ‖C‖_F = √Σλ²
  const eps = 4 * (N + 8 * D) * U64 * cnorm * (1 + maxXc2 / theirs[0]);
  expectClose(ours, theirs.slice(0, k), eps, `${label}: eigenvalues`);
  const total = theirs.reduce((a: number, b: number) => a + b, 0);
  expectClose(p.explainedVarianceRatio!, theirs.slice(0, k).map((v: number) => v / total), (j) => (eps + D * U64 * total) / total * 2, `${label}: explained variance ratio`);

  const U = ml.getEigenvectors(); // D × D, columns
  const comps = p.components!.data;
  const y = p.transform(tensor(x, [N, D], 'float64')).data;
  const yml = ml.predict(rowsOf(x, N, D), { nComponents: k });
  let tight = 0;
  for (let j = 0; j < k; j++) {
    const gap = Math.min(j > 0 ? ours[j - 1] - ours[j] : Infinity, j < D - 1 ? ours[j] - theirs[j + 1] : Infinity);
    const vtol = eps / gap;
    if (!(vtol < 1e-6)) continue;
    tight++;
    let dotp = 0;
    for (let d = 0; d < D; d++) dotp += comps[j * D + d] * U.get(d, j);
    const sign = dotp < 0 ? -1 : 1;
    const uj = Array.from({ length: D }, (_, d) => sign * U.get(d, j));
    expectClose(comps.subarray(j * D, j * D + D), uj, vtol, `${label}: component ${j} (gap ${gap})`);
    for (let i = 0; i < N; i++) {
      let xn = 0;
      for (let d = 0; d < D; d++) xn += (x[i * D + d] - mean[d]) ** 2;
      xn = Math.sqrt(xn);
      const got = y[i * k + j], want = sign * yml.get(i, j);
      if (!(Math.abs(got - want) <= xn * (vtol + 2 * D * U64))) expect.fail(`${label}: projection [${i}, ${j}] ${got} vs ml-pca ${want}`);
    }
  }
  return tight;
}

describe('pca vs ml-pca', () => {
  it('random data with known structure: eigenvalues, ratios, components and projections; the axes are recovered', () => {
    const N = 600, D = 12;
    const s = [10, 6, 4, 3, 2, 1.5, 1, 0.7, 0.5, 0.3, 0.2, 0.1];
    const { x, Q } = structured(N, D, s, 7);
    for (const k of [D, 5]) {
      const p = preprocess.pca({ components: k }).fit(tensor(x, [N, D], 'float64'));
      const ml = new MLPCA(rowsOf(x, N, D));
      expect(compareWithMlPca(p, ml, x, N, D, `k=${k}`)).toBe(k);
      // the known axes (up to sign and sampling error ~1/√N)
      const comps = p.components!.data;
      for (let j = 0; j < 3; j++) {
        let dotp = 0;
        for (let d = 0; d < D; d++) dotp += comps[j * D + d] * Q.get(d, j);
        expect(Math.abs(dotp), `axis ${j}`).toBeGreaterThan(0.99);
      }
      if (k === D) {
        const ratios = p.explainedVarianceRatio!;
        expect(Math.abs(ratios.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(4 * D * U64);
      }
    }
  });

  describe('1,000 embedded digits × 784', () => {
    const N = 1000, D = 784;
    let x64: Float64Array, x32: Float32Array, ml: MLPCA;
    beforeAll(() => {
      const digits = loadDigits();
      x32 = new Float32Array(N * D);
      for (let i = 0; i < N; i++) x32.set(digits.x.subarray(i * 10 * D, i * 10 * D + D), i * D); // every 10th: all classes
      x64 = Float64Array.from(x32);
      ml = new MLPCA(rowsOf(x64, N, D)); // SVD, ~5 s
    }, 120_000);

    it('top 40 components: eigenvalues, ratios, components and projections', () => {
      const p = preprocess.pca({ components: 40 }).fit(tensor(x32, [N, D], 'float32'));
      const tight = compareWithMlPca(p, ml, x64, N, D, 'digits');
      expect(tight, 'components compared tightly').toBeGreaterThanOrEqual(20);
      // fitting on the float32 tensor or its float64 copy is the same computation
      const p64 = preprocess.pca({ components: 40 }).fit(tensor(x64, [N, D], 'float64'));
      expectBits(p64.components!.data, p.components!.data, 'components from float32 and float64 inputs');
      // float32 transform = the float64 one rounded once
      const y32 = p.transform(tensor(x32, [N, D], 'float32'));
      expect(y32.dtype).toBe('float32');
      expectBits(y32.data, Array.from(p64.transform(tensor(x64, [N, D], 'float64')).data, Math.fround), 'float32 transform');
    });

    it('whitened training data has identity covariance', () => {
      const k = 50;
      const p = preprocess.pca({ components: k, whiten: true }).fit(tensor(x64, [N, D], 'float64'));
      const lam = p.explainedVariance!;
      expect(lam[k - 1], 'kept eigenvalues ≫ epsilon').toBeGreaterThan(1e-3);
      const Y = new Matrix(rowsOf(p.transform(tensor(x64, [N, D], 'float64')).data, N, k));
      const cov = Y.transpose().mmul(Y).div(N); // outputs have mean 0: the training mean was removed
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        const c = cov.get(i, j);
        if (i === j) {
          expect(Math.abs(c - 1), `cov[${i}, ${i}]`).toBeLessThanOrEqual(1e-2);
          // exactly λ/(λ + ε) in exact arithmetic
          expect(Math.abs(c - lam[i] / (lam[i] + 1e-5)), `cov[${i}, ${i}] vs λ/(λ + ε)`).toBeLessThan(1e-9);
        } else {
          expect(Math.abs(c), `cov[${i}, ${j}]`).toBeLessThanOrEqual(1e-9);
        }
      }
    });

    it('reconstruction: the mean squared error of inverse∘transform is the sum of the dropped eigenvalues', () => {
      const k = 30;
      const full = preprocess.pca().fit(tensor(x64, [N, D], 'float64'));
      const p = preprocess.pca({ components: k }).fit(tensor(x64, [N, D], 'float64'));
      const xr = p.inverseTransform(p.transform(tensor(x64, [N, D], 'float64')));
      expect(xr.shape).toEqual([N, D]);
      let mse = 0;
      for (let i = 0; i < N * D; i++) mse += (xr.data[i] - x64[i]) ** 2;
      mse /= N;
      const lam = full.explainedVariance!;
      const dropped = lam.slice(k).reduce((a, b) => a + b, 0);
      expect(Math.abs(mse - dropped) / dropped).toBeLessThan(1e-9);
      // and the projection is idempotent
      expectClose(p.transform(xr).data, p.transform(tensor(x64, [N, D], 'float64')).data, 1e-12, 'transform∘inverse∘transform');
    });
  });

  it('full-rank inverse∘transform is the identity to 1e-6 (plain and whitened; float64 and float32)', () => {
    const N = 300, D = 9;
    const { x } = structured(N, D, [5, 4, 3, 2, 1, 0.8, 0.5, 0.3, 0.2], 3);
    for (const whiten of [false, true]) {
      const p = preprocess.pca({ whiten }).fit(tensor(x, [N, D], 'float64'));
      const back = p.inverseTransform(p.transform(tensor(x, [N, D], 'float64')));
      expectClose(back.data, x, 1e-6, `whiten=${whiten} float64`);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back.data[i] - x[i]));
      expect(worst, 'float64 round trip is near u64 · scale').toBeLessThan(1e-12);
      const x32 = Float32Array.from(x);
      const b32 = p.inverseTransform(p.transform(tensor(x32, [N, D], 'float32')));
      expect(b32.dtype).toBe('float32');
      // y rounded to f32 (u32·|y|, |y| ≤ ‖x_c‖ ≤ 20 here, ÷ or × √λ when whitening), then x rounded: ≤ 1e-5 at this scale
      expectClose(b32.data, x32, (i) => 2 ** -24 * (20 * 3 + Math.abs(x32[i])) * 4, `whiten=${whiten} float32`);
    }
  });
});

describe('toJSON / fromJSON', () => {
  const x = data([40, 3, 2, 4], 'float64', 77);
  const x32 = data([40, 3, 2, 4], 'float32', 78);
  const makers: [string, () => ZeroCenter | Standardize | PCA][] = [
    ['zeroCenter feature', () => preprocess.zeroCenter()],
    ['zeroCenter channel', () => preprocess.zeroCenter({ per: 'channel' })],
    ['standardize feature', () => preprocess.standardize()],
    ['standardize channel', () => preprocess.standardize({ per: 'channel' })],
    ['pca', () => preprocess.pca()],
    ['pca k=5 whitened', () => preprocess.pca({ components: 5, whiten: true, epsilon: 1e-3 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: the rebuilt preprocessor transforms bit for bit`, () => {
      const p = make().fit(x);
      const text = JSON.stringify(p);
      const q = preprocess.fromJSON(JSON.parse(text));
      expect(JSON.stringify(q)).toBe(text);
      expect(preprocess.fromJSON(text).toJSON()).toEqual(p.toJSON());
      for (const input of [x, x32]) {
        const y = p.transform(input);
        expectBits(q.transform(input).data, y.data, `${name} ${input.dtype}: transform`);
        expectBits(q.inverseTransform(y).data, p.inverseTransform(y).data, `${name} ${input.dtype}: inverseTransform`);
      }
      const unfitted = preprocess.fromJSON(make().toJSON());
      expect(unfitted.fitted).toBe(false);
    });
  }
});

describe('layers.normalization', () => {
  it("adapt equals standardize per feature and per channel; predict is Keras's (x − mean)/max(√var, 1e-7)", () => {
    for (const shape of [[50, 7], [20, 3, 4, 5]]) {
      const x = data(shape, 'float64', 9, true);
      const st = preprocess.standardize({ per: 'channel' }).fit(x);
      const norm = layers.normalization().adapt(x);
      const m = new Sequential({ dtype: 'float64', seed: 1 });
      m.add(norm);
      const y = m.predict(x);
      const [mean, variance] = m.getWeights();
      expect(m.params().map((p) => p.name)).toEqual(['normalization_1/mean', 'normalization_1/variance']);
      expect(m.params().every((p) => !p.trainable)).toBe(true);
      expectBits(mean.data, st.mean!, `[${shape}] mean`);
      expectBits(Array.from(variance.data, Math.sqrt), st.std!, `[${shape}] √variance = std`);
      const C = shape[shape.length - 1];
      expectExact(y.data, Array.from(x.data, (v, i) => (v - mean.data[i % C]) / Math.max(Math.sqrt(variance.data[i % C]), 1e-7)), `[${shape}] predict`);
      // where σ > 0 this is standardize's map, bit for bit
      const ys = st.transform(x);
      for (let i = 0; i < ys.size; i++) if (i % C !== 0 && !Object.is(y.data[i], ys.data[i])) expect.fail(`[${shape}] ${i}: ${y.data[i]} vs ${ys.data[i]}`);
      // the constant column: divided by 1e-7 (Keras), not left unscaled
      const test = tensor(Float64Array.from(x.data, (v, i) => (i % C === 0 ? v + 1 : v)), shape, 'float64');
      expect(m.predict(test).data[0]).toBe(1 / 1e-7);
    }
  });

  it('adapt after build writes the weights; given mean/variance go to the config; unadapted is the identity', () => {
    const x = data([30, 4], 'float32', 10);
    const m = new Sequential({ seed: 2 });
    const norm = layers.normalization({ inputShape: [4] });
    m.add(norm);
    expectBits(m.predict(x).data, x.data, 'unadapted: mean 0, variance 1');
    norm.adapt(x);
    const st = preprocess.standardize().fit(x);
    expectBits(m.getWeights()[0].data, Float32Array.from(st.mean!), 'mean written');
    const given = layers.normalization({ mean: [1, 2, 3, 4], variance: 4 });
    expect(given.getConfig()).toEqual({ trainable: true, mean: [1, 2, 3, 4], variance: 4 });
    const m2 = new Sequential({ seed: 2 });
    m2.add(layerRegistry.fromConfig(serialize(given)));
    expect(Array.from(m2.predict(tensor([[3, 2, 1, 0]])).data)).toEqual([1, 0, -1, -2]);
    const m3 = new Sequential({ seed: 2 });
    m3.add(layers.normalization().adapt(tensor([[1, 2]])));
    expect(() => m3.build([3])).toThrow(/adapt\(\) saw 2 channels but the input \[3\] has 3/);
    expect(() => norm.adapt(tensor([[1, 2, 3]]))).toThrow(/3 channels .* built for 4/);
  });
});

describe('layers.preprocess', () => {
  it('in a float64 model it is exactly p.transform; its statistics are non-trainable weights', () => {
    const x = data([25, 3, 2, 4], 'float64', 11);
    const cases: [PCA | ZeroCenter | Standardize, string[]][] = [
      [preprocess.zeroCenter({ per: 'channel' }).fit(x), ['mean']],
      [preprocess.standardize().fit(x), ['mean', 'std']],
      [preprocess.pca({ components: 6 }).fit(x), ['mean', 'components']],
      [preprocess.pca({ components: 6, whiten: true }).fit(x), ['mean', 'components', 'variance']],
    ];
    for (const [p, names] of cases) {
      const m = new Sequential({ dtype: 'float64', seed: 3 });
      m.add(layers.preprocess(p));
      expectBits(m.predict(x).data, p.transform(x).data, `${p.className}: predict`);
      expect(m.params().map((q) => q.name.split('/')[1])).toEqual(names);
      expect(m.params().every((q) => !q.trainable && q.grad === null)).toBe(true);
      // the layer snapshots p: refitting p changes nothing
      const before = m.predict(x).data;
      p.fit(data([25, 3, 2, 4], 'float64', 12));
      expectBits(m.predict(x).data, before, `${p.className}: snapshot`);
      // registry round trip
      const layer = m.layers[0];
      expect(layerRegistry.fromConfig(serialize(layer)).getConfig()).toEqual(layer.getConfig());
    }
    expect(() => layers.preprocess(preprocess.pca())).toThrow(/not fitted/);
  });

  it('models with normalization / preprocess layers save, load and predict bit for bit (after training)', async () => {
    const N = 64;
    const img = data([N, 4, 4, 3], 'float32', 13);
    const flat = data([N, 10], 'float32', 14);
    const labels = randLabels(N, 3, 15);
    const models: [string, () => Sequential, Tensor][] = [
      ['normalization', () => {
        const m = new Sequential({ seed: 4 });
        m.add(layers.normalization().adapt(img)); m.add(layers.flatten()); m.add(layers.dense({ units: 3 }));
        return m;
      }, img],
      ['preprocess(zeroCenter channel)', () => {
        const m = new Sequential({ seed: 5, dtype: 'float64' });
        m.add(layers.preprocess(preprocess.zeroCenter({ per: 'channel' }).fit(img))); m.add(layers.flatten()); m.add(layers.dense({ units: 3 }));
        return m;
      }, img],
      ['preprocess(standardize)', () => {
        const m = new Sequential({ seed: 6 });
        m.add(layers.preprocess(preprocess.standardize().fit(flat), { name: 'std' })); m.add(layers.dense({ units: 3, activation: 'relu' }));
        return m;
      }, flat],
      ['preprocess(pca whitened)', () => {
        const m = new Sequential({ seed: 7 });
        m.add(layers.preprocess(preprocess.pca({ components: 6, whiten: true }).fit(flat))); m.add(layers.dense({ units: 3 }));
        return m;
      }, flat],
    ];
    for (const [name, make, x] of models) {
      const m = make();
      m.compile({ optimizer: 'adam', loss: 'softmaxCrossEntropy' });
      m.build(x.shape.slice(1));
      expect(m.params().filter((p) => !p.trainable).length, `${name}: statistics`).toBeGreaterThan(0);
      const frozen = m.params().filter((p) => !p.trainable).map((p) => p.value.read());
      await m.fit(x, labels, { epochs: 2, batchSize: 16, verbose: 0 });
      expectSameBits(m.params().filter((p) => !p.trainable).map((p) => p.value.read()), frozen, `${name}: training leaves the statistics`);
      const art = m.save();
      const loaded = await Sequential.load(art);
      expectBits(loaded.predict(x).data, m.predict(x).data, `${name}: predict after load`);
      expectSameBits(loaded.getWeights().map((w) => w.data), m.getWeights().map((w) => w.data), `${name}: weights`);
      await m.fit(x, labels, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
      await loaded.fit(x, labels, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
      expectBits(loaded.predict(x).data, m.predict(x).data, `${name}: training resumes to the same bits`);
      m.dispose(); loaded.dispose();
    }
  });
});

describe('gradient check of the layers (float64, centred differences)', () => {
  // dense → [layer] → dense: the first dense's gradients flow through the layer's backward.
  // Four-point centred difference with h = 1e-3 (truncation O(h⁴) ~ 1e-12, as
  // tests/model/gradcheck.test.ts); relative error ≤ 1e-7.
  const N = 5, D = 4, H = 6, C = 3;
  const x = tensor(Float64Array.from({ length: N * D }, normalRng(21)), [N, D], 'float64');
  const y = randLabels(N, C, 22);
  const rf = normalRng(23);
  const fitData = tensor(Float64Array.from({ length: 40 * H }, (_, i) => rf() * (1 + (i % H)) + (i % H)), [40, H], 'float64');
  const middles: [string, () => ReturnType<typeof layers.normalization> | ReturnType<typeof layers.preprocess>][] = [
    ['normalization', () => layers.normalization().adapt(fitData)],
    ['preprocess(zeroCenter)', () => layers.preprocess(preprocess.zeroCenter().fit(fitData))],
    ['preprocess(standardize)', () => layers.preprocess(preprocess.standardize().fit(fitData))],
    ['preprocess(pca k=4)', () => layers.preprocess(preprocess.pca({ components: 4 }).fit(fitData))],
    ['preprocess(pca k=4 whitened)', () => layers.preprocess(preprocess.pca({ components: 4, whiten: true, epsilon: 0.1 }).fit(fitData))],
  ];
  for (const [name, middle] of middles) {
    it(name, () => {
      const m = new Sequential({ seed: 8, dtype: 'float64' });
      m.add(layers.dense({ units: H, activation: 'tanh', inputShape: [D], biasInitializer: 'randomNormal' }));
      m.add(middle());
      m.add(layers.dense({ units: C }));
      m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
      const { grads } = m.computeGradients(x, y);
      const params = m.params();
      const w = m.getWeights().map((t) => Float64Array.from(t.data));
      let worst = 0, where = '';
      const h = 1e-3;
      params.forEach((p, i) => {
        if (!p.trainable) return;
        expect(Math.max(...Array.from(grads[i].data, Math.abs)), `${p.name}: gradient is not all zero`).toBeGreaterThan(0);
        for (let j = 0; j < w[i].length; j++) {
          const orig = w[i][j];
          const f = (d: number) => { w[i][j] = orig + d; m.setWeights(w); return m.evaluate(x, y).loss; };
          const numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
          w[i][j] = orig;
          const analytic = grads[i].data[j];
          const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-12);
          if (err > worst) { worst = err; where = `${p.name}[${j}]: analytic ${analytic}, numeric ${numeric}`; }
        }
      });
      m.setWeights(w);
      expect(worst, where).toBeLessThanOrEqual(1e-7);
    });
  }
});

describe('bad inputs are Errors that change nothing', () => {
  const x = data([10, 5], 'float32', 30);

  it('transform before fit, feature/channel count, components, per, options', () => {
    expect(() => preprocess.zeroCenter().transform(x)).toThrow(/not fitted yet/);
    expect(() => preprocess.standardize().inverseTransform(x)).toThrow(/not fitted yet/);
    expect(() => preprocess.pca().transform(x)).toThrow(/not fitted yet/);
    expect(() => preprocess.zeroCenter().fit(x).transform(data([3, 6], 'float32', 1))).toThrow(/6 features .* fitted on 5/);
    expect(() => preprocess.standardize({ per: 'channel' }).fit(data([4, 2, 2, 3], 'float32', 1)).transform(data([4, 2, 2, 2], 'float32', 1))).toThrow(/2 channels .* fitted on 3/);
    expect(() => preprocess.pca().fit(x).transform(data([3, 4], 'float32', 1))).toThrow(/4 features .* fitted on 5/);
    expect(() => preprocess.pca({ components: 2 }).fit(x).inverseTransform(data([3, 3], 'float32', 1))).toThrow(/3 features per sample .* 2 components/);
    for (const c of [0, -1, 1.5, NaN, '3']) expect(() => preprocess.pca({ components: c as number })).toThrow(/components must be an integer ≥ 1/);
    expect(() => preprocess.pca({ components: 6 }).fit(x)).toThrow(/components 6 is more than the 5 features/);
    expect(() => preprocess.zeroCenter({ per: 'channels' as never })).toThrow(/unknown per the string 'channels'; did you mean 'channel'/);
    expect(() => preprocess.standardize({ per: 'pixel' as never })).toThrow(/unknown per/);
    expect(() => preprocess.pca({ epsilon: -1 })).toThrow(/epsilon/);
    expect(() => preprocess.pca({ whiten: 1 as never })).toThrow(/whiten/);
    expect(() => preprocess.zeroCenter({ axis: 1 } as never)).toThrow(/unknown option 'axis'/);
    expect(() => preprocess.zeroCenter().fit(new Float32Array(10))).toThrow(/flat array/);
    expect(() => preprocess.zeroCenter().fit(tensor(new Int32Array(4), [2, 2], 'int32'))).toThrow(/float32 or float64/);
    expect(() => preprocess.zeroCenter().fit(tensor(new Float32Array(0), [0, 3]))).toThrow(/no samples/);
  });

  it('NaN or Infinity in x: refused by fit (the previous fit is kept), transform and inverseTransform', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const p = preprocess.standardize().fit(x);
      const q = preprocess.pca({ components: 2 }).fit(x);
      const before = [JSON.stringify(p), JSON.stringify(q)];
      const xb = Float32Array.from(x.data);
      xb[13] = bad;
      const xt = tensor(xb, [10, 5]);
      expect(() => p.fit(xt)).toThrow(/sample 2, feature 3/);
      expect(() => q.fit(xt)).toThrow(/sample 2, feature 3/);
      expect([JSON.stringify(p), JSON.stringify(q)]).toEqual(before);
      expect(() => p.transform(xt)).toThrow(/NaN|Infinity/);
      expect(() => p.inverseTransform(xt)).toThrow(/NaN|Infinity/);
      expect(() => q.transform(xt)).toThrow(/NaN|Infinity/);
      expect(() => layers.normalization().adapt(xt)).toThrow(/NaN|Infinity/);
      expect(() => preprocess.zeroCenter().fit([[1, bad]])).toThrow(/NaN|Infinity/);
    }
  });

  it('fromJSON refuses malformed or hostile JSON', () => {
    const good = preprocess.pca({ components: 2, whiten: true }).fit(x).toJSON();
    const edit = (f: (j: any) => void) => { const j = JSON.parse(JSON.stringify(good)); f(j); return j; };
    expect(() => preprocess.fromJSON(edit((j) => { j.className = 'PCA'; }))).toThrow(/unknown className/);
    expect(() => preprocess.fromJSON(edit((j) => { j.version = 2; }))).toThrow(/newer than this simdnet supports/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.mean.pop(); }))).toThrow(/state.mean has 4 numbers but 5/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.components[3] = 'x'; }))).toThrow(/components\[3\]/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.components[3] = null; }))).toThrow(/components\[3\]/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.eigenvalues = [1, 2, 3]; }))).toThrow(/config.components is 2 but the state has 3/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.extra = 1; }))).toThrow(/unknown option 'extra'/);
    expect(() => preprocess.fromJSON(edit((j) => { j.config.epsilon = 0; j.state.eigenvalues[1] = 0; }))).toThrow(/whitening divides/);
    expect(() => preprocess.fromJSON(edit((j) => { j.state.inputShape = [1e12, 1e12]; }))).toThrow(/inputShape/);
    expect(() => preprocess.fromJSON(edit((j) => { delete j.state.totalVariance; }))).toThrow(/no 'totalVariance'/);
    expect(() => preprocess.fromJSON(JSON.parse('{"__proto__": {"x": 1}, "className": "pca"}'))).toThrow();
    expect(() => preprocess.fromJSON('{not json')).toThrow(/not valid JSON/);
    const std = preprocess.standardize().fit(x).toJSON();
    expect(() => preprocess.fromJSON({ ...std, state: { ...std.state!, std: std.state!.std!.map(() => -1) } })).toThrow(/std\[0\]/);
  });

  it('layers: an unfitted preprocessor, a shape the statistics do not fit, half-given normalization options', () => {
    expect(() => layers.preprocess(preprocess.zeroCenter())).toThrow(/not fitted/);
    const m = new Sequential({ seed: 1 });
    m.add(layers.preprocess(preprocess.pca({ components: 2 }).fit(x), { inputShape: [6] }));
    expect(() => m.build([6])).toThrow(/fitted on 5 features .* has 6/);
    expect(() => layers.normalization({ mean: 1 })).toThrow(/both mean and variance/);
    expect(() => layers.normalization({ mean: [1, 2], variance: [-1, 1] })).toThrow(/variance/);
    const m2 = new Sequential({ seed: 1 });
    m2.add(layers.normalization({ mean: [1, 2], variance: [1, 1], inputShape: [3] }));
    expect(() => m2.build([3])).toThrow(/2 channels .* has 3/);
  });
});
