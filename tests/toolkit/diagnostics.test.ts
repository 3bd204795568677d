// diagnostics.activationStats and diagnostics.sanityCheck.
//
// activationStats: (1) the lecture's initialization study — 1000 unit-gaussian samples
// through 10 dense layers of 500 units, no biases, one call per initializer — against the
// lecture's observations and against the mean-field recurrence of each set-up, computed
// here by quadrature (independent of the library); (2) the statistics themselves against a
// plain JS float64 computation from the outputs of truncated copies of a small model
// (predict of the first k layers), in one chunk and in many.
//
// The mean-field recurrence: with unit-gaussian input and i.i.d. weights of variance v/fanIn,
// a unit's pre-activation over the samples is ≈ N(0, v·q) where q = E[h²] of the previous
// layer's outputs (q₀ = 1), so q' = E[f(√(v·q)·ξ)²], ξ ~ N(0, 1), and the output's
// std = √(E[f(√(v·q)ξ)²] − E[f(√(v·q)ξ)]²). It is exact for infinitely wide layers; with
// 500 units each layer adds a relative fluctuation of a few percent to q, which compounds
// over depth for ReLU (q is then a product of per-layer factors) but is damped by tanh
// (a contraction). Tolerances below follow from that: 5% for tanh, 30% for ReLU at depth 10.
//
// sanityCheck: a fresh 10-class model with small weights starts at ln 10, regularization
// raises the loss, a copy without regularization overfits 20 samples to 100% even when the
// model's own l2 is so strong it could not; the model is left as it was (save() bytes and
// training on against a twin); binary and regression losses; bad input.

import { describe, expect, it } from 'vitest';
import { Sequential, diagnostics, initializers, layers, optimizers, regularizers, serialize, layerRegistry, tensor, type LayerStats, type Tensor } from '../../src/index.js';
import { expectSameBits, randLabels, randn } from '../model/helpers.js';
import { histogramRef } from '../reference/diagnostics.js';

// ---- the initialization study

/** E[g(ξ)] for ξ ~ N(0, 1): trapezoid on [−10, 10], step 1e-3 (error far below 1e-9 here). */
function gaussian(g: (t: number) => number): number {
  const h = 1e-3;
  let s = 0;
  for (let i = -10000; i <= 10000; i++) {
    const t = i * h;
    s += (i === -10000 || i === 10000 ? 0.5 : 1) * g(t) * Math.exp(-0.5 * t * t);
  }
  return (s * h) / Math.sqrt(2 * Math.PI);
}

/** Mean-field std and saturation (|h| > 0.99) of each of `depth` layers: f the activation, v = fanIn·Var(W). */
function meanField(f: (z: number) => number, v: number, depth: number): { std: number[]; saturation: number[] } {
  let q = 1;
  const std: number[] = [], saturation: number[] = [];
  for (let l = 0; l < depth; l++) {
    const s = Math.sqrt(v * q);
    const m1 = gaussian((t) => f(s * t)), m2 = gaussian((t) => f(s * t) ** 2);
    saturation.push(gaussian((t) => (Math.abs(f(s * t)) > 0.99 ? 1 : 0)));
    std.push(Math.sqrt(m2 - m1 * m1));
    q = m2;
  }
  return { std, saturation };
}

const relu = (z: number) => Math.max(z, 0);

function study(kernelInitializer: unknown, activation: 'tanh' | 'relu', x: Tensor): LayerStats[] {
  const m = new Sequential({ seed: 3 });
  for (let i = 0; i < 10; i++) {
    m.add(layers.dense({ units: 500, activation, kernelInitializer: kernelInitializer as 'xavier', useBias: false, ...(i === 0 ? { inputShape: [500] } : {}) }));
  }
  try {
    return diagnostics.activationStats(m, x, { batchSize: 1000 }); // one forward pass
  } finally {
    m.dispose();
  }
}

const ratios = (got: number[], want: number[]) => got.map((g, i) => g / want[i]);

describe('activationStats: the lecture\'s initialization study (10 × 500 units, 1000 unit-gaussian samples)', () => {
  const x = randn([1000, 500], 42);
  const fmt = (s: LayerStats[]) => s.map((l) => l.std.toPrecision(3)).join(', ');

  it('one call per initializer: five set-ups as the lecture shows them, and as mean-field theory predicts', () => {
    // smallRandom N(0, 0.01²), tanh: v = 500·1e-4 = 0.05, so the std shrinks ~√0.05 ≈ 0.22× per layer, to 0
    const small = study('smallRandom', 'tanh', x);
    expect(small).toHaveLength(10);
    expect(small.map((l) => l.name)).toEqual(Array.from({ length: 10 }, (_, i) => `dense_${i + 1}`));
    expect(small[9].std, fmt(small)).toBeLessThan(1e-5);
    ratios(small.map((l) => l.std), meanField(Math.tanh, 0.05, 10).std).forEach((r, i) => expect(r, `smallRandom layer ${i + 1}: ${fmt(small)}`).toBeCloseTo(1, 1));
    for (const l of small) expect(l.saturation).toBe(0);

    // N(0, 1), tanh: v = 500, every layer saturated at ±1 (theory: 90.4%)
    const big = study(initializers.randomNormal({ stddev: 1 }), 'tanh', x);
    const bigTheory = meanField(Math.tanh, 500, 10);
    big.forEach((l, i) => {
      expect(l.saturation!, `randomNormal(1) layer ${i + 1}`).toBeGreaterThanOrEqual(0.85);
      expect(l.saturation!).toBeCloseTo(bigTheory.saturation[i], 2);
      expect(l.histogram.counts[0] + l.histogram.counts[29], 'the two end bins hold most of the mass').toBeGreaterThan(0.85 * 500_000);
    });

    // xavier N(0, 1/fanIn), tanh: v = 1, q' = E[tanh(√q ξ)²] ≈ q − 2q², so q_l ≈ 1/(2l) and the
    // std decays slowly, like 1/√(2l): 0.63 at layer 1, 0.25 / 0.24 / 0.22 at layers 8 / 9 / 10
    const xav = study('xavier', 'tanh', x);
    const xavTheory = meanField(Math.tanh, 1, 10);
    ratios(xav.map((l) => l.std), xavTheory.std).forEach((r, i) => expect(Math.abs(r - 1), `xavier/tanh layer ${i + 1}: ${fmt(xav)}`).toBeLessThan(0.05));
    for (const l of xav.slice(7)) expect(l.std, fmt(xav)).toBeGreaterThan(0.2), expect(l.std).toBeLessThan(0.27);
    for (const l of xav.slice(1)) expect(l.saturation!).toBeLessThan(1e-3);

    // xavier, relu: ReLU zeroes half of its inputs, so E[h²] halves per layer (the std falls
    // by √2 per layer: 0.58 at layer 1, ~0.026 at layer 10) and half the outputs are dead
    const xr = study('xavier', 'relu', x);
    const xrTheory = meanField(relu, 1, 10);
    const second = xr.map((l) => l.std ** 2 + l.mean ** 2);
    expect(second[0]).toBeCloseTo(0.5, 2);
    for (let i = 1; i < 10; i++) expect(Math.abs(second[i] / second[i - 1] - 0.5), `xavier/relu E[h²] ratio at layer ${i + 1}: ${fmt(xr)}`).toBeLessThan(0.15);
    const perLayer = (second[9] / second[0]) ** (1 / 9); // geometric mean of the nine ratios
    expect(Math.abs(perLayer - 0.5), `xavier/relu mean E[h²] ratio ${perLayer}`).toBeLessThan(0.05);
    ratios(xr.map((l) => l.std), xrTheory.std).forEach((r, i) => expect(Math.abs(r - 1), `xavier/relu layer ${i + 1}: ${fmt(xr)}`).toBeLessThan(0.3));
    for (const l of xr) expect(l.dead).toBeCloseTo(0.5, 1), expect(l.saturation).toBeNull();

    // heNormal (std √(2/fanIn)), relu: v = 2 keeps E[h²] = 1, std = √(1 − 1/π) ≈ 0.83 at every depth
    const he = study('heNormal', 'relu', x);
    const heTheory = meanField(relu, 2, 10);
    for (const l of he) expect(l.std, fmt(he)).toBeGreaterThan(0.7), expect(l.std, fmt(he)).toBeLessThan(0.9);
    ratios(he.map((l) => l.std), heTheory.std).forEach((r, i) => expect(Math.abs(r - 1), `he/relu layer ${i + 1}: ${fmt(he)}`).toBeLessThan(0.3));

    const table: [string, LayerStats[]][] = [['smallRandom/tanh', small], ['randomNormal(1)/tanh', big], ['xavier/tanh', xav], ['xavier/relu', xr], ['heNormal/relu', he]];
    console.log(table.map(([label, s]) => `${label}: std per layer ${fmt(s)}`).join('\n'));
  });
});

// ---- the statistics against a JS computation

/** A copy of the first `k` layers of m with the same weights (same configs, so the same layers). */
function truncated(m: Sequential, k: number): Sequential {
  const t = new Sequential({ seed: m.seed, dtype: m.dtype });
  const ls = m.layers.slice(0, k);
  for (const l of ls) t.add(layerRegistry.fromConfig(serialize(l)));
  t.build(m.inputShape!);
  t.setWeights(m.getWeights().slice(0, ls.reduce((n, l) => n + l.params().length, 0)));
  return t;
}

function jsStats(h: ArrayLike<number>, activation: string | null, bins: number) {
  const n = h.length;
  let mean = 0, min = Infinity, max = -Infinity, dead = 0, sat = 0;
  for (let i = 0; i < n; i++) { mean += h[i]; min = Math.min(min, h[i]); max = Math.max(max, h[i]); if (h[i] === 0) dead++; }
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (h[i] - mean) ** 2;
  for (let i = 0; i < n; i++) {
    if (activation === 'tanh' && Math.abs(h[i]) > 0.99) sat++;
    if (activation === 'sigmoid' && (h[i] < 0.01 || h[i] > 0.99) && Math.abs(h[i] - 0.5) > 0.49) sat++;
  }
  const [lo, hi] = max > min ? [min, max] : [min - 0.5, max + 0.5];
  return {
    mean, std: Math.sqrt(v / n), min, max, dead: dead / n,
    saturation: activation === 'tanh' || activation === 'sigmoid' ? sat / n : null,
    edges: Array.from({ length: bins + 1 }, (_, b) => lo + (b * (hi - lo)) / bins),
    counts: Array.from(histogramRef(h, lo, hi, bins)),
  };
}

describe('activationStats: the statistics', () => {
  const N = 37, D = 6;
  const x = randn([N, D], 5);
  const big = () => initializers.randomNormal({ stddev: 1.5 });
  function small(dtype: 'float32' | 'float64'): Sequential {
    const m = new Sequential({ seed: 9, dtype });
    m.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu', biasInitializer: initializers.randomNormal({ stddev: 0.2 }) }));
    m.add(layers.dropout({ rate: 0.5 })); // identity at inference: the same values as the layer before
    m.add(layers.dense({ units: 7, activation: 'tanh', kernelInitializer: big() }));
    m.add(layers.batchNorm());
    m.add(layers.dense({ units: 5, activation: 'sigmoid', kernelInitializer: big() }));
    m.add(layers.dense({ units: 1, kernelInitializer: 'zeros', useBias: false })); // constant 0: a degenerate range
    return m;
  }

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: match a float64 computation from truncated models' outputs, in one chunk and in chunks of 10`, () => {
      const m = small(dtype);
      const bins = 7;
      const one = diagnostics.activationStats(m, x, { bins });
      const chunked = diagnostics.activationStats(m, x, { bins, batchSize: 10 });
      expect(one.map((s) => [s.name, s.className, s.activation])).toEqual([
        ['dense_1', 'Dense', 'relu'], ['dropout_1', 'Dropout', null], ['dense_2', 'Dense', 'tanh'],
        ['batch_norm_1', 'BatchNorm', null], ['dense_3', 'Dense', 'sigmoid'], ['dense_4', 'Dense', 'linear'],
      ]);
      m.layers.forEach((_, i) => {
        const t = truncated(m, i + 1);
        const want = jsStats(t.predict(x).data, m.layers[i].activationName, bins);
        t.dispose();
        for (const [label, got] of [['one chunk', one[i]], ['chunks', chunked[i]]] as const) {
          const what = `${m.layers[i].name} (${label})`;
          // the kernel sums in another order (and around a shift): a few ulps of Σ|h|
          expect(Math.abs(got.mean - want.mean), `${what} mean`).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(want.mean)));
          expect(Math.abs(got.std - want.std), `${what} std`).toBeLessThanOrEqual(1e-12 * (1 + want.std));
          expect([got.min, got.max, got.dead, got.saturation], what).toEqual([want.min, want.max, want.dead, want.saturation]);
          expect(got.histogram.counts, `${what} histogram`).toEqual(want.counts);
          got.histogram.edges.forEach((e, b) => expect(Math.abs(e - want.edges[b]), `${what} edge ${b}`).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(e))));
          expect(got.histogram.edges[bins]).toBe(want.max > want.min ? want.max : want.max + 0.5);
        }
      });
      // non-vacuous: dead ReLUs, saturated tanh and sigmoid units, a constant layer
      expect(one[0].dead).toBeGreaterThan(0.1);
      expect(one[2].saturation).toBeGreaterThan(0.1);
      expect(one[4].saturation).toBeGreaterThan(0.05);
      expect([one[5].std, one[5].dead, one[5].histogram.counts[Math.floor(bins / 2)]]).toEqual([0, 1, N]);
      m.dispose();
    });
  }

  it('bad input names the problem', () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 3 }));
    expect(() => diagnostics.activationStats(m, new Float32Array(12))).toThrow(/activationStats: the model is not built and its first layer has no inputShape, so x must show the sample shape/);
    expect(m.built).toBe(false);
    const s = diagnostics.activationStats(m, tensor(new Float32Array(12), [3, 4])); // a shaped x builds it, as predict does
    expect(s[0].dead).toBe(1);
    expect(() => diagnostics.activationStats(m, x)).toThrow(/per-sample shape \[6\] but the model expects \[4\]/);
    expect(() => diagnostics.activationStats(m, tensor(new Float32Array(0), [0, 4]))).toThrow(/activationStats: x has no samples/);
    expect(() => diagnostics.activationStats(m, tensor(new Float32Array(12), [3, 4]), { bins: 0 })).toThrow(/activationStats bins must be a positive integer/);
    expect(() => diagnostics.activationStats(m, tensor(new Float32Array(12), [3, 4]), { batchSize: 1.5 })).toThrow(/activationStats batchSize must be a positive integer/);
    expect(() => diagnostics.activationStats(m, tensor(new Float32Array(12), [3, 4]), { bin: 3 } as never)).toThrow(/unknown option 'bin' for activationStats; did you mean 'bins'/);
    expect(() => diagnostics.activationStats(new Sequential(), x)).toThrow(/activationStats: the model has no layers/);
    expect(() => diagnostics.activationStats(null as never, x)).toThrow(/activationStats expects a model \(Sequential or Model\)/);
    m.dispose();
    expect(() => diagnostics.activationStats(m, x)).toThrow(/activationStats: model 'sequential' has been disposed/);
  });
});

// ---- sanityCheck

describe('sanityCheck', () => {
  const N = 200, D = 20, C = 10;
  const x = randn([N, D], 21);
  const y = randLabels(N, C, 22);

  function classifier(l2: number | null, seed = 4): Sequential {
    const m = new Sequential({ seed });
    m.add(layers.dense({ units: 32, inputShape: [D], activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: l2 === null ? null : regularizers.l2(l2) }));
    m.add(layers.dropout({ rate: 0.2 }));
    m.add(layers.dense({ units: C, kernelInitializer: 'smallRandom', kernelRegularizer: l2 === null ? null : regularizers.l2(l2) }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    return m;
  }

  it('a fresh 10-class model with small weights: loss ≈ ln 10, l2 raises it, 20 samples overfit to 100%', async () => {
    const m = classifier(1e-2);
    const r = await diagnostics.sanityCheck(m, x, y);
    expect(r.expectedInitialLoss).toBe(Math.log(10));
    expect(Math.abs(r.initialLoss - Math.log(10))).toBeLessThan(0.05);
    expect(r.regIncreasesLoss).toBe(true);
    expect(r.lossWithRegularization).toBeGreaterThan(r.initialLoss);
    // the regularization term is what the model's own evaluate adds: Σ λ‖W‖² of the kernels
    const penalty = m.getWeights().filter((_, i) => i % 2 === 0).reduce((s, w) => s + 1e-2 * Array.from(w.data).reduce((a, v) => a + v * v, 0), 0);
    expect(r.lossWithRegularization - r.initialLoss).toBeCloseTo(penalty, 5);
    expect(r.overfitTrainAccuracy).toBe(1);
    expect(r.overfitEpochs).toBeGreaterThan(0);
    expect(r.overfitEpochs).toBeLessThanOrEqual(200);
    m.dispose();
  });

  it('the copy overfits without regularization even when the model\'s own l2 would prevent it', async () => {
    const m = classifier(10);
    const r = await diagnostics.sanityCheck(m, x, y, { epochs: 300 });
    expect(r.overfitTrainAccuracy).toBe(1);
    // the model itself, trained on the same 20 samples with its l2, does not get there
    const xs = tensor(x.data.slice(0, 20 * D), [20, D], 'float64'), ys = y.slice(0, 20);
    await m.fit(xs, ys, { epochs: 100, batchSize: 20, shuffle: false });
    expect(m.evaluate(xs, ys).accuracy!).toBeLessThan(0.5);
    m.dispose();
  });

  it('leaves the model as it was: save() bytes, and training on matches an untouched twin', async () => {
    const m = classifier(1e-3), twin = classifier(1e-3);
    for (const t of [m, twin]) await t.fit(x, y, { epochs: 1, batchSize: 50 }); // optimizer state, moved streams
    const before = m.save();
    await diagnostics.sanityCheck(m, x, y, { epochs: 20 });
    const after = m.save();
    expect(after.topology).toEqual(before.topology);
    expectSameBits([after.weights], [before.weights], 'save() bytes');
    for (const t of [m, twin]) await t.fit(x, y, { epochs: 2, batchSize: 50 });
    expectSameBits(m.getWeights().map((w) => w.data), twin.getWeights().map((w) => w.data), 'after training on');
    m.dispose(); twin.dispose();
  });

  it('binary outputs expect ln 2, regression expects nothing; no regularizer → regIncreasesLoss null', async () => {
    const t = tensor(Float64Array.from({ length: N * 3 }, (_, i) => (i % 7 < 3 ? 1 : 0)), [N, 3], 'float64');
    const b = new Sequential({ seed: 6 });
    b.add(layers.dense({ units: 16, inputShape: [D], activation: 'tanh' }));
    b.add(layers.dense({ units: 3, activation: 'sigmoid', kernelInitializer: 'smallRandom' }));
    b.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'binaryCrossentropy' });
    const rb = await diagnostics.sanityCheck(b, x, t);
    expect(rb.expectedInitialLoss).toBe(Math.LN2);
    expect(Math.abs(rb.initialLoss - Math.LN2)).toBeLessThan(0.01);
    expect(rb.regIncreasesLoss).toBeNull();
    expect(rb.lossWithRegularization).toBe(rb.initialLoss);
    expect(rb.overfitTrainAccuracy).toBe(1);

    const r = new Sequential({ seed: 7 });
    r.add(layers.dense({ units: 16, inputShape: [D], activation: 'tanh' }));
    r.add(layers.dense({ units: 2, kernelRegularizer: regularizers.l2(1e-3) }));
    r.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'mse' });
    const rr = await diagnostics.sanityCheck(r, x, randn([N, 2], 8), { epochs: 300 });
    expect(rr.expectedInitialLoss).toBeNull();
    expect(rr.overfitTrainAccuracy).toBeNull();
    expect(rr.regIncreasesLoss).toBe(true);
    expect(rr.overfitEpochs).toBe(300);
    expect(rr.overfitLoss).toBeLessThan(0.05 * rr.initialLoss);
    b.dispose(); r.dispose();
  });

  it('bad input names the problem', async () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: C, inputShape: [D] }));
    await expect(diagnostics.sanityCheck(m, x, y)).rejects.toThrow(/sanityCheck: the model must be compiled first/);
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    await expect(diagnostics.sanityCheck(m, x, y, { samples: 0 })).rejects.toThrow(/sanityCheck samples must be a positive integer/);
    await expect(diagnostics.sanityCheck(m, x, y, { epochs: -1 })).rejects.toThrow(/sanityCheck epochs must be a positive integer/);
    await expect(diagnostics.sanityCheck(m, x, y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch' for sanityCheck; did you mean 'epochs'/);
    await expect(diagnostics.sanityCheck(m, x, y, { optimizer: 'adamx' as never })).rejects.toThrow(/unknown optimizer class/i);
    await expect(diagnostics.sanityCheck(m, x, y.slice(0, 5))).rejects.toThrow(/5 labels but x has 200 samples/);
    m.dispose();
    await expect(diagnostics.sanityCheck(m, x, y)).rejects.toThrow(/sanityCheck: model 'sequential' has been disposed/);
  });
});

