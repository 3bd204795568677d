// Keras conventions: loss names (categoricalCrossentropy, sparseCategoricalCrossentropy,
// binaryCrossentropy with fromLogits, mae, huber), softmax/sigmoid outputs fused with their
// cross-entropy, sampleWeight/classWeight, metrics, the softmax/argMax/oneHot helpers and
// the errors that guard against wrong pairs.
//
// Expected values come from twins (the same architecture with a linear output and the logits
// losses, same seed hence same initial weights), float64 JS references computed from
// predict() outputs, and float64 central-difference gradient checks.

import { describe, expect, it } from 'vitest';
import {
  Sequential, argMax, initializers, layers, losses, metrics, oneHot, optimizers, softmax, tensor, type Tensor,
} from '../../src/index.js';
import { expectSameBits, maxAbs, randLabels, randn, uniformRng, weightsOf } from './helpers.js';

type Act = 'linear' | 'softmax' | 'sigmoid';
type Build = (m: Sequential) => void;

const N = 8;
const D = 6;
const C = 4;
const x = randn([N, D], 101);
const labels = randLabels(N, C, 102);
const oneHotJs = (l: ArrayLike<number>, c: number): Float64Array => {
  const o = new Float64Array(l.length * c);
  for (let i = 0; i < l.length; i++) o[i * c + l[i]] = 1;
  return o;
};
const yOneHot = tensor(oneHotJs(labels, C), [N, C], 'float64');
const binTargets = tensor(Float64Array.from({ length: N * C }, (_, i) => ((i * 7 + 3) % 5 < 2 ? 1 : 0)), [N, C], 'float64');

// ---- float64 JS references ----
function softmaxRows(z: ArrayLike<number>, cols: number): Float64Array {
  const out = new Float64Array(z.length);
  for (let r = 0; r < z.length / cols; r++) {
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, z[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(z[r * cols + c] - mx);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(z[r * cols + c] - mx) / s;
  }
  return out;
}
const sigmoidJs = (v: number) => 1 / (1 + Math.exp(-v));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function denseNet(seed: number, out: Act | 'layerSoftmax' | 'layerActivation' | 'layerSigmoid', units = C, dtype: 'float32' | 'float64' = 'float32'): Sequential {
  const m = new Sequential({ seed, dtype });
  m.add(layers.dense({ units: 5, inputShape: [D], activation: 'tanh', biasInitializer: initializers.randomNormal({ stddev: 0.3 }) }));
  if (out === 'layerSoftmax' || out === 'layerActivation' || out === 'layerSigmoid') {
    m.add(layers.dense({ units, biasInitializer: initializers.randomNormal({ stddev: 0.3 }) }));
    m.add(out === 'layerSoftmax' ? layers.softmax() : out === 'layerSigmoid' ? layers.sigmoid() : layers.activation({ activation: 'softmax' }));
  } else {
    m.add(layers.dense({ units, activation: out, biasInitializer: initializers.randomNormal({ stddev: 0.3 }) }));
  }
  return m;
}

function maxRelDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(maxAbs(b[i]), 1e-12);
    for (let j = 0; j < a[i].length; j++) worst = Math.max(worst, Math.abs(a[i][j] - b[i][j]) / scale);
  }
  return worst;
}

/** Runs `steps` trainOnBatch on both models and checks the losses agree within `tol` relative. */
function trainTwins(a: Sequential, b: Sequential, y: Tensor | Int32Array, steps: number, tol: number, yB: Tensor | Int32Array = y): void {
  expectSameBits(weightsOf(a), weightsOf(b), 'initial weights (same seed)');
  for (let s = 0; s < steps; s++) {
    const la = a.trainOnBatch(x, y);
    const lb = b.trainOnBatch(x, yB);
    expect(rel(la, lb), `step ${s}: ${la} vs ${lb}`).toBeLessThanOrEqual(tol);
  }
  // the weights moved (the comparison is not of two untouched models)
  expect(maxRelDiff(weightsOf(a), weightsOf(denseNet(a.seed, 'linear')))).toBeGreaterThan(1e-3);
}

describe('fused softmax / sigmoid outputs vs a linear output with the logits loss', () => {
  it('softmax + categoricalCrossentropy (one-hot) ≡ linear + softmaxCrossEntropy', () => {
    const a = denseNet(1, 'softmax');
    a.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy' });
    const b = denseNet(1, 'linear');
    b.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy' });
    trainTwins(a, b, yOneHot, 6, 1e-6);
    expect(maxRelDiff(weightsOf(a), weightsOf(b))).toBeLessThanOrEqual(1e-5);
    const p = a.predict(x);
    const want = softmaxRows(b.predict(x).data, C);
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += p.data[r * C + c];
      expect(Math.abs(s - 1), `row ${r} sums to ${s}`).toBeLessThan(1e-6);
    }
    expect(maxAbs(Float64Array.from(p.data, (v, i) => v - want[i]))).toBeLessThan(1e-6);
  });

  it('softmax + sparseCategoricalCrossentropy (labels) ≡ linear + softmaxCrossEntropy', () => {
    const a = denseNet(2, 'softmax');
    a.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: losses.sparseCategoricalCrossentropy() });
    const b = denseNet(2, 'linear');
    b.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy' });
    trainTwins(a, b, labels, 6, 1e-6);
    expect(maxRelDiff(weightsOf(a), weightsOf(b))).toBeLessThanOrEqual(1e-5);
    const want = softmaxRows(b.predict(x).data, C);
    const p = a.predict(x).data;
    expect(maxAbs(Float64Array.from(p, (v, i) => v - want[i]))).toBeLessThan(1e-6);
  });

  it('sigmoid + binaryCrossentropy ≡ linear + sigmoidCrossEntropy; predict gives probabilities', () => {
    const a = denseNet(3, 'sigmoid');
    a.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
    const b = denseNet(3, 'linear');
    b.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'sigmoidCrossEntropy' });
    trainTwins(a, b, binTargets, 6, 1e-6);
    expect(maxRelDiff(weightsOf(a), weightsOf(b))).toBeLessThanOrEqual(1e-5);
    const p = a.predict(x).data;
    const z = b.predict(x).data;
    for (let i = 0; i < p.length; i++) {
      expect(p[i]).toBeGreaterThan(0);
      expect(p[i]).toBeLessThan(1);
      expect(Math.abs(p[i] - sigmoidJs(z[i])), `output ${i}`).toBeLessThan(1e-6);
    }
  });

  it('fromLogits: true on a linear output is bit-identical to the logits losses', () => {
    const pairs: [Parameters<Sequential['compile']>[0]['loss'], string, Tensor | Int32Array][] = [
      [losses.categoricalCrossentropy({ fromLogits: true }), 'softmaxCrossEntropy', yOneHot],
      [losses.sparseCategoricalCrossentropy({ fromLogits: true }), 'softmaxCrossEntropy', labels],
      [{ className: 'binaryCrossentropy', config: { fromLogits: true } }, 'sigmoidCrossEntropy', binTargets],
    ];
    for (const [keras, old, y] of pairs) {
      const a = denseNet(4, 'linear');
      a.compile({ optimizer: 'adam', loss: keras });
      const b = denseNet(4, 'linear');
      b.compile({ optimizer: 'adam', loss: old as 'softmaxCrossEntropy' });
      for (let s = 0; s < 4; s++) expect(a.trainOnBatch(x, y)).toBe(b.trainOnBatch(x, y));
      expectSameBits(weightsOf(a), weightsOf(b), `${a.loss!.name} weights`);
      expectSameBits([a.predict(x).data], [b.predict(x).data], 'outputs are logits');
    }
  });

  it('a final layers.softmax() / layers.activation({activation: "softmax"}) / layers.sigmoid() behaves like the activation on the dense', () => {
    const cases: ['layerSoftmax' | 'layerActivation' | 'layerSigmoid', Act, string, Tensor | Int32Array][] = [
      ['layerSoftmax', 'softmax', 'sparseCategoricalCrossentropy', labels],
      ['layerActivation', 'softmax', 'categoricalCrossentropy', yOneHot],
      ['layerSigmoid', 'sigmoid', 'binaryCrossentropy', binTargets],
    ];
    for (const [kind, act, loss, y] of cases) {
      const a = denseNet(5, kind);
      a.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: loss as 'binaryCrossentropy' });
      const b = denseNet(5, act);
      b.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: loss as 'binaryCrossentropy' });
      expectSameBits(weightsOf(a), weightsOf(b), `${kind}: initial weights`);
      for (let s = 0; s < 5; s++) {
        const la = a.trainOnBatch(x, y), lb = b.trainOnBatch(x, y);
        expect(rel(la, lb), `${kind} step ${s}`).toBeLessThanOrEqual(1e-6);
      }
      expect(maxRelDiff(weightsOf(a), weightsOf(b)), kind).toBeLessThanOrEqual(1e-5);
      const pa = a.predict(x).data, pb = b.predict(x).data;
      expect(maxAbs(Float64Array.from(pa, (v, i) => v - pb[i])), kind).toBeLessThan(1e-6);
    }
  });
});

// ---- float64 gradient checks (same method as gradcheck.test.ts) ----

const TOL = 1e-7;
const TINY = 1e-12;

function gradCheck(model: Sequential, xs: Tensor, y: Tensor | Int32Array, h = 1e-3): { maxRelErr: number; where: string; norms: number[] } {
  const { grads } = model.computeGradients(xs, y);
  const w = weightsOf(model);
  let maxRelErr = 0;
  let where = '';
  for (let i = 0; i < w.length; i++) {
    for (let j = 0; j < w[i].length; j++) {
      const orig = w[i][j];
      const f = (d: number) => { w[i][j] = orig + d; model.setWeights(w); return model.evaluate(xs, y).loss; };
      const numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
      w[i][j] = orig;
      const analytic = grads[i].data[j];
      const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), TINY);
      if (err > maxRelErr) { maxRelErr = err; where = `weight ${i} [${j}]: analytic ${analytic}, numeric ${numeric}`; }
    }
  }
  model.setWeights(w);
  return { maxRelErr, where, norms: grads.map((g) => maxAbs(g.data)) };
}

function expectGradients(m: Sequential, y: Tensor | Int32Array): void {
  const r = gradCheck(m, x, y);
  expect(r.maxRelErr, r.where).toBeLessThanOrEqual(TOL);
  r.norms.forEach((g, i) => expect(g, `gradient ${i} all zero`).toBeGreaterThan(0));
}

function net64(seed: number, build: Build, loss: Parameters<Sequential['compile']>[0]['loss']): Sequential {
  const m = new Sequential({ seed, dtype: 'float64' });
  build(m);
  m.compile({ optimizer: 'sgd', loss });
  return m;
}

const bias = () => initializers.randomNormal({ stddev: 0.3 });
const hidden = (m: Sequential) => m.add(layers.dense({ units: 5, inputShape: [D], activation: 'tanh', biasInitializer: bias() }));

/** Targets t = p − e for the model's current outputs p, so the errors are exactly `errs` (cycled). */
function targetsWithErrors(m: Sequential, errs: number[]): Tensor {
  const p = m.predict(x);
  return tensor(Float64Array.from(p.data, (v, i) => v - errs[i % errs.length]), p.shape, 'float64');
}

describe('gradient checks (float64) of the new losses and output activations', () => {
  it('a softmax in the middle of the network (not fused) trains and passes the check', () => {
    const build: Build = (m) => { hidden(m); m.add(layers.softmax()); m.add(layers.dense({ units: C, biasInitializer: bias() })); };
    const m = net64(21, build, 'softmaxCrossEntropy');
    expectGradients(m, labels);
    // trains: the loss goes down with plain SGD steps
    const m2 = net64(21, build, 'softmaxCrossEntropy');
    m2.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'softmaxCrossEntropy' });
    const first = m2.trainOnBatch(x, labels);
    let last = first;
    for (let s = 0; s < 30; s++) last = m2.trainOnBatch(x, labels);
    expect(last).toBeLessThan(first * 0.9);
  });

  it('a softmax in the middle via layers.activation and dense activation', () => {
    const m = net64(22, (s) => {
      s.add(layers.dense({ units: 5, inputShape: [D], activation: 'softmax', biasInitializer: bias() }));
      s.add(layers.dense({ units: 3, biasInitializer: bias() }));
      s.add(layers.activation({ activation: 'softmax' }));
      s.add(layers.dense({ units: 2, biasInitializer: bias() }));
    }, 'mse');
    expectGradients(m, randn([N, 2], 23));
  });

  it('mae (errors away from the kink at 0)', () => {
    const m = net64(24, (s) => { hidden(s); s.add(layers.dense({ units: 3, biasInitializer: bias() })); }, 'mae');
    expectGradients(m, targetsWithErrors(m, [0.3, -0.7, 0.15, 0.2, 1.1]));
  });

  it('huber with delta 0.5 (errors on both sides of delta, away from it)', () => {
    const m = net64(25, (s) => { hidden(s); s.add(layers.dense({ units: 3, biasInitializer: bias() })); }, losses.huber({ delta: 0.5 }));
    expectGradients(m, targetsWithErrors(m, [0.3, -0.9, 0.15, -0.2, 1.4, -0.05, 0.7, -0.35]));
  });

  it('fused softmax output: categoricalCrossentropy (one-hot) and sparseCategoricalCrossentropy', () => {
    const build: Build = (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax', biasInitializer: bias() })); };
    expectGradients(net64(26, build, 'categoricalCrossentropy'), yOneHot);
    expectGradients(net64(26, build, 'sparseCategoricalCrossentropy'), labels);
    const viaLayer: Build = (s) => { hidden(s); s.add(layers.dense({ units: C, biasInitializer: bias() })); s.add(layers.softmax()); };
    expectGradients(net64(27, viaLayer, 'sparseCategoricalCrossentropy'), labels);
  });

  it('fused sigmoid output: binaryCrossentropy', () => {
    const build: Build = (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'sigmoid', biasInitializer: bias() })); };
    expectGradients(net64(28, build, 'binaryCrossentropy'), binTargets);
    const viaLayer: Build = (s) => { hidden(s); s.add(layers.dense({ units: C, biasInitializer: bias() })); s.add(layers.sigmoid()); };
    expectGradients(net64(29, viaLayer, 'binaryCrossentropy'), binTargets);
  });

  it('fusion follows the current last layer: a fused softmax that is no longer last (add) is unfused, and fused again after pop', () => {
    const m = net64(32, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax', biasInitializer: bias() })); }, 'categoricalCrossentropy');
    expectGradients(m, yOneHot);
    // a layer on top: categoricalCrossentropy now has a linear output, which is refused…
    m.add(layers.dense({ units: C, biasInitializer: bias() }));
    expect(() => m.trainOnBatch(x, yOneHot)).toThrow(/expects probabilities/);
    // …and with a logits loss the softmax in the middle must run its own backward again
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    expectGradients(m, yOneHot);
    m.pop();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expectGradients(m, yOneHot);
    // a logits loss after a softmax output reads the logits too (no double softmax)
    const twin = net64(32, (s) => { hidden(s); s.add(layers.dense({ units: C, biasInitializer: bias() })); }, 'softmaxCrossEntropy');
    const soft = net64(32, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax', biasInitializer: bias() })); }, 'softmaxCrossEntropy');
    expect(rel(soft.evaluate(x, labels).loss, twin.evaluate(x, labels).loss)).toBeLessThan(1e-12);
  });

  it('a non-fused sigmoid output with mse (the backward goes through the sigmoid)', () => {
    const t = tensor(Float64Array.from({ length: N * 2 }, (_, i) => (i % 3) / 2), [N, 2], 'float64');
    expectGradients(net64(30, (s) => { hidden(s); s.add(layers.dense({ units: 2, activation: 'sigmoid', biasInitializer: bias() })); }, 'mse'), t);
    expectGradients(net64(31, (s) => { hidden(s); s.add(layers.dense({ units: 2, biasInitializer: bias() })); s.add(layers.sigmoid()); }, 'mse'), t);
  });
});

// ---- loss values vs float64 references ----

/** Per-row losses from outputs p and targets t (both [N, cols]). */
const rowLoss = {
  mse: (p: ArrayLike<number>, t: ArrayLike<number>, r: number, c: number) => { let s = 0; for (let j = 0; j < c; j++) s += (p[r * c + j] - t[r * c + j]) ** 2; return s / c; },
  mae: (p: ArrayLike<number>, t: ArrayLike<number>, r: number, c: number) => { let s = 0; for (let j = 0; j < c; j++) s += Math.abs(p[r * c + j] - t[r * c + j]); return s / c; },
  huber: (delta: number) => (p: ArrayLike<number>, t: ArrayLike<number>, r: number, c: number) => {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.abs(p[r * c + j] - t[r * c + j]);
      s += e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
    }
    return s / c;
  },
  bce: (p: ArrayLike<number>, t: ArrayLike<number>, r: number, c: number) => {
    let s = 0;
    for (let j = 0; j < c; j++) { const q = p[r * c + j], y = t[r * c + j]; s -= y * Math.log(q) + (1 - y) * Math.log(1 - q); }
    return s / c;
  },
  /** p are probabilities; labels */
  sparse: (p: ArrayLike<number>, l: ArrayLike<number>, r: number, c: number) => -Math.log(p[r * c + l[r]]),
};

type RowLoss = (p: ArrayLike<number>, t: ArrayLike<number>, r: number, c: number) => number;
const weightedMean = (f: RowLoss, p: ArrayLike<number>, t: ArrayLike<number>, c: number, w: ArrayLike<number> | null) => {
  let s = 0;
  const n = p.length / c;
  for (let r = 0; r < n; r++) s += (w ? w[r] : 1) * f(p, t, r, c);
  return s / n; // Keras: Σ w·l / batch size (not / Σ w)
};

describe('loss values vs float64 JS references', () => {
  const regression = (seed: number, loss: Parameters<Sequential['compile']>[0]['loss']) => net64(seed, (s) => { hidden(s); s.add(layers.dense({ units: 3, biasInitializer: bias() })); }, loss);
  const t3 = randn([N, 3], 40);

  it('mse, mae, huber(delta 0.5) and default delta 1', () => {
    const cases: [Parameters<Sequential['compile']>[0]['loss'], RowLoss][] = [
      ['mse', rowLoss.mse], ['meanSquaredError', rowLoss.mse], ['mae', rowLoss.mae], ['meanAbsoluteError', rowLoss.mae],
      [losses.huber({ delta: 0.5 }), rowLoss.huber(0.5)], ['huber', rowLoss.huber(1)],
    ];
    for (const [loss, f] of cases) {
      const m = regression(41, loss);
      const p = m.predict(x).data;
      const want = weightedMean(f, p, t3.data, 3, null);
      const got = m.evaluate(x, t3).loss;
      expect(rel(got, want), `${m.loss!.name}: ${got} vs ${want}`).toBeLessThan(1e-12);
      // the value comes from the history too (loss before the first update)
      expect(rel(m.computeGradients(x, t3).loss, want)).toBeLessThan(1e-12);
    }
    // the huber deltas differ on these errors (the check distinguishes them)
    const p = regression(41, 'mse').predict(x).data;
    expect(rel(weightedMean(rowLoss.huber(0.5), p, t3.data, 3, null), weightedMean(rowLoss.huber(1), p, t3.data, 3, null))).toBeGreaterThan(1e-3);
  });

  it('binaryCrossentropy on probabilities (sigmoid output)', () => {
    const m = net64(42, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'sigmoid', biasInitializer: bias() })); }, 'binaryCrossentropy');
    const p = m.predict(x).data;
    const want = weightedMean(rowLoss.bce, p, binTargets.data, C, null);
    expect(rel(m.evaluate(x, binTargets).loss, want)).toBeLessThan(1e-12);
  });

  it('sparseCategoricalCrossentropy on probabilities (softmax output)', () => {
    const m = net64(43, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax', biasInitializer: bias() })); }, 'sparseCategoricalCrossentropy');
    const p = m.predict(x).data;
    expect(rel(m.evaluate(x, labels).loss, weightedMean(rowLoss.sparse, p, labels, C, null))).toBeLessThan(1e-12);
  });

  /** The loss fit reports for one full batch (before the update) with fit's weight options. */
  async function fitLoss(m: Sequential, y: Tensor | Int32Array, opts: { sampleWeight?: number[]; classWeight?: Record<number, number> }): Promise<number> {
    const h = await m.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, ...opts });
    return h.loss[0];
  }

  const sw = [1, 0.5, 2, 0, 1.5, 3, 0.25, 1];

  it('sampleWeight: Σ w·loss / batch size for mse, mae, huber, binaryCrossentropy, sparse', async () => {
    const cases: [() => Sequential, Tensor | Int32Array, RowLoss][] = [
      [() => regression(44, 'mse'), t3, rowLoss.mse],
      [() => regression(44, 'mae'), t3, rowLoss.mae],
      [() => regression(44, losses.huber({ delta: 0.5 })), t3, rowLoss.huber(0.5)],
      [() => net64(45, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'sigmoid' })); }, 'binaryCrossentropy'), binTargets, rowLoss.bce],
      [() => net64(46, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax' })); }, 'sparseCategoricalCrossentropy'), labels, rowLoss.sparse as RowLoss],
    ];
    for (const [make, y, f] of cases) {
      const m = make();
      const p = m.predict(x).data;
      const yd = y instanceof Int32Array ? y : y.data;
      const want = weightedMean(f, p, yd, m.outputShape![0], sw);
      const got = await fitLoss(m, y, { sampleWeight: sw });
      expect(rel(got, want), `${m.loss!.name}: ${got} vs ${want}`).toBeLessThan(1e-12);
      // not the normalized mean Σ w·l / Σ w
      const sumW = sw.reduce((a, b) => a + b, 0);
      expect(rel(got, (want * N) / sumW)).toBeGreaterThan(1e-3);
    }
  });

  it('classWeight: labels, one-hot (argmax) and a single sigmoid output (target > 0.5); missing classes weigh 1', async () => {
    const cw = { 0: 2, 2: 0.5, 3: 0 };
    const table = [2, 1, 0.5, 0];
    // labels
    let m = net64(47, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax' })); }, 'sparseCategoricalCrossentropy');
    let p = m.predict(x).data;
    let w = Array.from(labels, (l) => table[l]);
    expect(rel(await fitLoss(m, labels, { classWeight: cw }), weightedMean(rowLoss.sparse, p, labels, C, w))).toBeLessThan(1e-12);
    // one-hot targets: the class is the argmax
    m = net64(47, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax' })); }, 'categoricalCrossentropy');
    p = m.predict(x).data;
    expect(rel(await fitLoss(m, yOneHot, { classWeight: cw }), weightedMean(rowLoss.sparse, p, labels, C, w))).toBeLessThan(1e-12);
    // one sigmoid output: class 1 when the target is > 0.5
    const t1 = tensor(Float64Array.from([1, 0, 0.9, 0.2, 1, 1, 0, 0.6]), [N, 1], 'float64');
    m = net64(48, (s) => { hidden(s); s.add(layers.dense({ units: 1, activation: 'sigmoid' })); }, 'binaryCrossentropy');
    p = m.predict(x).data;
    w = Array.from(t1.data, (v) => (v > 0.5 ? 3 : 1));
    expect(rel(await fitLoss(m, t1, { classWeight: { 1: 3 } }), weightedMean(rowLoss.bce, p, t1.data, 1, w))).toBeLessThan(1e-12);
  });

  it('classWeight trains exactly like the corresponding sampleWeight (several batches, shuffled)', async () => {
    const cw = { 1: 4, 2: 0.25 };
    const make = () => { const m = denseNet(49, 'softmax'); m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }); return m; };
    const a = make(), b = make();
    const ha = await a.fit(x, labels, { epochs: 3, batchSize: 3, classWeight: cw });
    const hb = await b.fit(x, labels, { epochs: 3, batchSize: 3, sampleWeight: Array.from(labels, (l) => (l === 1 ? 4 : l === 2 ? 0.25 : 1)) });
    expectSameBits([ha.loss], [hb.loss], 'losses');
    expectSameBits(weightsOf(a), weightsOf(b), 'weights');
    // and differently from unweighted training
    const c = make();
    const hc = await c.fit(x, labels, { epochs: 3, batchSize: 3 });
    expect(hc.loss[0]).not.toBe(ha.loss[0]);
  });

  it('sampleWeight and classWeight multiply', async () => {
    const m = net64(50, (s) => { hidden(s); s.add(layers.dense({ units: C, activation: 'softmax' })); }, 'sparseCategoricalCrossentropy');
    const p = m.predict(x).data;
    const w = Array.from(labels, (l, i) => sw[i] * (l === 0 ? 3 : 1));
    expect(rel(await fitLoss(m, labels, { sampleWeight: sw, classWeight: { 0: 3 } }), weightedMean(rowLoss.sparse, p, labels, C, w))).toBeLessThan(1e-12);
  });

  it('weights of 0 drop samples: the step equals one on the kept samples, scaled by kept/batch size', async () => {
    const w01 = [1, 0, 1, 1, 0, 0, 1, 1];
    const keep = w01.flatMap((v, i) => (v ? [i] : []));
    const lr = 0.5;
    const make = () => net64(51, (s) => { hidden(s); s.add(layers.dense({ units: 3, biasInitializer: bias() })); }, 'mse');
    const a = make();
    a.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'mse' });
    const w0 = weightsOf(a);
    const h = await a.fit(x, t3, { epochs: 1, batchSize: N, shuffle: false, sampleWeight: w01 });
    const b = make();
    const xk = tensor(Float64Array.from(keep.flatMap((i) => Array.from(x.data.slice(i * D, (i + 1) * D)))), [keep.length, D], 'float64');
    const yk = tensor(Float64Array.from(keep.flatMap((i) => Array.from(t3.data.slice(i * 3, (i + 1) * 3)))), [keep.length, 3], 'float64');
    const g = b.computeGradients(xk, yk);
    const ratio = keep.length / N;
    expect(rel(h.loss[0], g.loss * ratio)).toBeLessThan(1e-12);
    const w1 = weightsOf(a);
    const step = w1.map((wi, i) => Float64Array.from(wi, (v, j) => (w0[i][j] - v) / lr));
    const want = g.grads.map((gi) => Float64Array.from(gi.data, (v) => v * ratio));
    expect(maxRelDiff(step, want)).toBeLessThan(1e-9);
  });
});

// ---- metrics ----

describe('metrics vs JS computations from predict()', () => {
  const classifier = (seed: number, loss: Parameters<Sequential['compile']>[0]['loss'], ms: Parameters<Sequential['compile']>[0]['metrics'], act: Act = 'linear', units = C) => {
    const m = denseNet(seed, act, units, 'float64');
    m.compile({ optimizer: 'sgd', loss, metrics: ms });
    return m;
  };
  const N2 = 40;
  const x2 = randn([N2, D], 60);
  const l2 = randLabels(N2, C, 61);

  /** Fraction of rows whose label has fewer than k strictly larger scores (tf.math.in_top_k). */
  const topK = (p: ArrayLike<number>, l: ArrayLike<number>, c: number, k: number) => {
    let hits = 0;
    for (let r = 0; r < l.length; r++) {
      let above = 0;
      for (let j = 0; j < c; j++) if (p[r * c + j] > p[r * c + l[r]]) above++;
      if (above < k) hits++;
    }
    return hits / l.length;
  };
  const accuracy = (p: ArrayLike<number>, l: ArrayLike<number>, c: number) => {
    let hits = 0;
    for (let r = 0; r < l.length; r++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (p[r * c + j] > p[r * c + best]) best = j;
      if (best === l[r]) hits++;
    }
    return hits / l.length;
  };

  it('topKCategoricalAccuracy: k = 1 equals accuracy, k = C is 1, k = 2 and 3 vs in_top_k', () => {
    for (const k of [1, 2, 3, C]) {
      const m = classifier(62, 'softmaxCrossEntropy', ['accuracy', metrics.topKCategoricalAccuracy({ k })]);
      const p = m.predict(x2).data;
      const r = m.evaluate(x2, l2);
      expect(Object.keys(r).sort()).toEqual(['accuracy', 'loss', 'topKCategoricalAccuracy']);
      expect(r.topKCategoricalAccuracy, `k=${k}`).toBeCloseTo(topK(p, l2, C, k), 12);
      if (k === 1) expect(r.topKCategoricalAccuracy).toBe(r.accuracy);
      if (k === C) expect(r.topKCategoricalAccuracy).toBe(1);
      expect(r.accuracy).toBeCloseTo(accuracy(p, l2, C), 12);
      // one-hot targets give the same values
      const m2 = classifier(62, 'categoricalCrossentropy', ['accuracy', metrics.topKCategoricalAccuracy({ k })], 'softmax');
      const r2 = m2.evaluate(x2, tensor(oneHotJs(l2, C), [N2, C], 'float64'));
      expect(r2.topKCategoricalAccuracy, `one-hot k=${k}`).toBeCloseTo(topK(p, l2, C, k), 12);
      expect(r2.accuracy).toBeCloseTo(accuracy(p, l2, C), 12);
    }
    // the default k is 5: with C = 4 every label is in
    expect(classifier(62, 'softmaxCrossEntropy', [metrics.topKCategoricalAccuracy()]).evaluate(x2, l2).topKCategoricalAccuracy).toBe(1);
  });

  it('topKCategoricalAccuracy: ties at the boundary count as in the top k', () => {
    // zero kernel, bias [1, 1, 0, 2]: every row scores the same, with a tie between classes 0 and 1
    const m = classifier(63, 'softmaxCrossEntropy', [metrics.topKCategoricalAccuracy({ k: 2 })]);
    const w = weightsOf(m);
    w[2].fill(0);
    w[3] = Float64Array.from([1, 1, 0, 2]);
    m.setWeights(w);
    const lab = Int32Array.from([0, 1, 2, 3]);
    const xs = randn([4, D], 64);
    const r = m.evaluate(xs, lab);
    // class 3 (top), 0 and 1 (tied second: in), 2 (fourth: out)
    expect(r.topKCategoricalAccuracy).toBe(3 / 4);
    expect(topK(m.predict(xs).data, lab, C, 2)).toBe(3 / 4);
    const m1 = classifier(63, 'softmaxCrossEntropy', [metrics.topKCategoricalAccuracy({ k: 1 })]);
    m1.setWeights(w);
    expect(m1.evaluate(xs, lab).topKCategoricalAccuracy).toBe(1 / 4);
  });

  it('binaryAccuracy: threshold 0.5 on probabilities, 0 on logits; "accuracy" follows a binary loss', () => {
    const t = tensor(Float64Array.from({ length: N2 * C }, (_, i) => ((i * 5 + 1) % 7 < 3 ? 1 : 0)), [N2, C], 'float64');
    const ref = (p: ArrayLike<number>, thr: number) => {
      let hits = 0;
      for (let i = 0; i < p.length; i++) if ((p[i] > thr) === (t.data[i] > 0.5)) hits++;
      return hits / p.length;
    };
    const probs = classifier(65, 'binaryCrossentropy', ['binaryAccuracy', 'accuracy'], 'sigmoid');
    const rp = probs.evaluate(x2, t);
    const pp = probs.predict(x2).data;
    expect(rp.binaryAccuracy).toBeCloseTo(ref(pp, 0.5), 12);
    expect(rp.accuracy).toBe(rp.binaryAccuracy);
    const logits = classifier(65, 'sigmoidCrossEntropy', ['binaryAccuracy', 'acc'], 'linear');
    const rl = logits.evaluate(x2, t);
    const pl = logits.predict(x2).data;
    expect(rl.binaryAccuracy).toBeCloseTo(ref(pl, 0), 12);
    expect(rl.accuracy).toBe(rl.binaryAccuracy);
    // same model, same decisions: σ(z) > 0.5 ⟺ z > 0
    expect(rl.binaryAccuracy).toBe(rp.binaryAccuracy);
    // a threshold of 0.5 on these logits would give a different value (the test can tell them apart)
    expect(ref(pl, 0.5)).not.toBe(ref(pl, 0));
  });

  it('mae and mse metrics; History and evaluate keys; validation metrics equal evaluate on the validation data', async () => {
    const m = new Sequential({ seed: 66, dtype: 'float64' });
    hidden(m);
    m.add(layers.dense({ units: 3 }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'huber', metrics: ['mae', 'mse', 'binaryAccuracy'] });
    const y = randn([N2, 3], 67);
    const xv = randn([10, D], 68), yv = randn([10, 3], 69);
    const p = m.predict(x2).data;
    const r = m.evaluate(x2, y);
    expect(Object.keys(r).sort()).toEqual(['binaryAccuracy', 'loss', 'mae', 'mse']);
    expect(r.mae).toBeCloseTo(weightedMean(rowLoss.mae, p, y.data, 3, null), 12);
    expect(r.mse).toBeCloseTo(weightedMean(rowLoss.mse, p, y.data, 3, null), 12);
    let hits = 0;
    for (let i = 0; i < p.length; i++) if ((p[i] > 0.5) === (y.data[i] > 0.5)) hits++;
    expect(r.binaryAccuracy).toBeCloseTo(hits / p.length, 12);

    const h = await m.fit(x2, y, { epochs: 2, batchSize: 16, validationData: [xv, yv] });
    const recorded = Object.keys(h.history).filter((k) => h.history[k].length > 0).sort();
    expect(recorded).toEqual(['binaryAccuracy', 'learningRate', 'loss', 'mae', 'mse', 'valBinaryAccuracy', 'valLoss', 'valMae', 'valMse'].sort());
    for (const k of recorded) expect(h.history[k].length, k).toBe(2);
    const pv = m.predict(xv).data;
    expect(h.history.valMae[1]).toBeCloseTo(weightedMean(rowLoss.mae, pv, yv.data, 3, null), 12);
    expect(h.history.valMse[1]).toBeCloseTo(weightedMean(rowLoss.mse, pv, yv.data, 3, null), 12);
    const e = m.evaluate(xv, yv);
    expect(h.history.valLoss[1]).toBeCloseTo(e.loss, 12);
    expect(h.history.valBinaryAccuracy[1]).toBe(e.binaryAccuracy);
  });

  it('classification History keys: accuracy, topK and their val forms', async () => {
    const m = classifier(70, 'sparseCategoricalCrossentropy', ['acc', metrics.topKCategoricalAccuracy({ k: 2 })], 'softmax');
    const h = await m.fit(x2, l2, { epochs: 2, batchSize: 20, validationData: [x, labels] });
    const recorded = Object.keys(h.history).filter((k) => h.history[k].length > 0).sort();
    expect(recorded).toEqual(['accuracy', 'learningRate', 'loss', 'topKCategoricalAccuracy', 'valAccuracy', 'valLoss', 'valTopKCategoricalAccuracy'].sort());
    const p = m.predict(x).data;
    expect(h.history.valAccuracy[1]).toBeCloseTo(accuracy(p, labels, C), 12);
    expect(h.history.valTopKCategoricalAccuracy[1]).toBeCloseTo(topK(p, labels, C, 2), 12);
    expect(m.metrics).toEqual(['accuracy', 'topKCategoricalAccuracy']);
  });

  it("'accuracy' with mse on one output is refused; mae with int labels is refused with a clear Error", async () => {
    const one = new Sequential({ seed: 71 });
    one.add(layers.dense({ units: 1, inputShape: [D] }));
    expect(() => one.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy'] })).toThrow(/'accuracy' is undefined for mse with one output unit/);
    // not built at compile: refused when fit resolves the metrics
    const lazy = new Sequential({ seed: 71 });
    lazy.add(layers.dense({ units: 1 }));
    lazy.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy'] });
    await expect(lazy.fit(x, randn([N, 1], 72))).rejects.toThrow(/'accuracy' is undefined/);

    const m = classifier(73, 'sparseCategoricalCrossentropy', ['mae'], 'softmax');
    const w0 = weightsOf(m);
    await expect(m.fit(x, labels)).rejects.toThrow(/metric 'mae' needs targets shaped like the output, but the targets are integer labels/);
    expect(() => m.evaluate(x, labels)).toThrow(/metric 'mae' needs targets shaped like the output/);
    expectSameBits(weightsOf(m), w0, 'nothing trained');
    // the same metric with one-hot targets is fine
    const m2 = classifier(73, 'categoricalCrossentropy', ['mae'], 'softmax');
    const r = m2.evaluate(x, yOneHot);
    const p = m2.predict(x).data;
    expect(r.mae).toBeCloseTo(weightedMean(rowLoss.mae, p, yOneHot.data, C, null), 12);
  });

  it('unknown and duplicated metrics are Errors', () => {
    const m = denseNet(74, 'softmax');
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accurracy' as 'accuracy'] })).toThrow(/Unknown metric (the string )?'accurracy'; did you mean 'accuracy'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['acc', 'accuracy'] })).toThrow(/listed twice/);
    expect(() => metrics.topKCategoricalAccuracy({ k: 0 })).toThrow(/k/);
  });
});

// ---- helpers ----

describe('softmax / argMax / oneHot helpers', () => {
  it('softmax vs a float64 reference, incl. logits of 1e4 (float32 and float64)', () => {
    const z = [1, 2, 3, -1, 0.5, 0.5, 1e4, 1e4 - 1, -1e4, 0, 0, 0];
    const want = softmaxRows(z, 3);
    const s64 = softmax(tensor(Float64Array.from(z), [4, 3], 'float64'));
    expect(s64.dtype).toBe('float64');
    expect(s64.shape).toEqual([4, 3]);
    for (let i = 0; i < z.length; i++) expect(Math.abs(s64.data[i] - want[i]), `f64 ${i}`).toBeLessThan(1e-15);
    const s32 = softmax(tensor(Float32Array.from(z), [4, 3]));
    expect(s32.dtype).toBe('float32');
    for (let i = 0; i < z.length; i++) {
      expect(Number.isFinite(s32.data[i])).toBe(true);
      expect(Math.abs(s32.data[i] - want[i]), `f32 ${i}`).toBeLessThan(1e-6);
    }
    // plain arrays are rows of one axis; higher ranks run over the last axis
    const flat = softmax([1, 2, 3]);
    expect(Array.from(flat.data).map((v, i) => Math.abs(v - softmaxRows([1, 2, 3], 3)[i]) < 1e-6)).toEqual([true, true, true]);
    const r3 = softmax(tensor(Float64Array.from(z), [2, 2, 3], 'float64'));
    expect(r3.shape).toEqual([2, 2, 3]);
    expect(Array.from(r3.data)).toEqual(Array.from(s64.data));
  });

  it('argMax: first index on ties, Int32, rank reduced by one; large values and float64', () => {
    const z = [1, 3, 3, 0, 5, 5, 5, 5, -2, -1, -1, -3, 1e4, 1e4 + 1, 0, 0];
    const a = argMax(tensor(Float64Array.from(z), [4, 4], 'float64'));
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([4]);
    expect(Array.from(a.data)).toEqual([1, 0, 1, 1]);
    const b = argMax(tensor(Float32Array.from(z), [2, 2, 4]));
    expect(b.shape).toEqual([2, 2]);
    expect(Array.from(b.data)).toEqual([1, 0, 1, 1]);
    // vs a JS argmax over random rows
    const r = randn([50, 7], 80);
    const js = Array.from({ length: 50 }, (_, i) => { let best = 0; for (let c = 1; c < 7; c++) if (r.data[i * 7 + c] > r.data[i * 7 + best]) best = c; return best; });
    expect(Array.from(argMax(r).data)).toEqual(js);
    // NaN never wins (after the first column)
    expect(Array.from(argMax(tensor(Float64Array.from([1, NaN, 2, 0, NaN, -1]), [2, 3], 'float64')).data)).toEqual([2, 0]);
  });

  it('argMax: NaN never wins, also in the first column (as src/ops.ts documents)', () => {
    // a NaN first value used to win its row: every `v > NaN` is false
    for (const dtype of ['float32', 'float64'] as const) {
      const t = tensor([NaN, 1, 2, NaN, 0, NaN, NaN, NaN, NaN], [3, 3], dtype);
      expect(Array.from(argMax(t).data), dtype).toEqual([2, 1, 0]);
    }
  });

  it('oneHot vs JS (float32 default, float64), round trip with argMax', () => {
    const l = [2, 0, 3, 3, 1];
    const o = oneHot(l, 4);
    expect(o.dtype).toBe('float32');
    expect(o.shape).toEqual([5, 4]);
    expect(Array.from(o.data)).toEqual(Array.from(oneHotJs(l, 4)));
    const o64 = oneHot(Int32Array.from(l), 6, 'float64');
    expect(o64.dtype).toBe('float64');
    expect(Array.from(o64.data)).toEqual(Array.from(oneHotJs(l, 6)));
    expect(Array.from(argMax(o64).data)).toEqual(l);
    expect(Array.from(oneHot(tensor(Int32Array.from(l), [5], 'int32'), 4).data)).toEqual(Array.from(oneHotJs(l, 4)));
    expect(oneHot([], 3).shape).toEqual([0, 3]);
  });

  it('bad input is an Error', () => {
    expect(() => softmax(tensor(Int32Array.from([1, 2]), [2], 'int32'))).toThrow(/float32 or float64/);
    expect(() => argMax(tensor(Int32Array.from([1, 2]), [2], 'int32'))).toThrow(/float32 or float64/);
    expect(() => softmax(tensor(Float32Array.from([1]), []))).toThrow(/scalar/);
    expect(() => softmax(tensor(new Float32Array(0), [3, 0]))).toThrow(/last axis is empty/);
    expect(() => softmax('abc' as unknown as number[])).toThrow(/expects a Tensor/);
    expect(() => argMax(null as unknown as number[])).toThrow(/expects a Tensor/);
    expect(() => oneHot([0, 4], 4)).toThrow(/label 4 at index 1 is not a class index in \[0, 4\)/);
    expect(() => oneHot([0, -1], 4)).toThrow(/label -1/);
    expect(() => oneHot([0.5], 4)).toThrow(/label 0.5/);
    expect(() => oneHot([0], 0)).toThrow(/depth/);
    expect(() => oneHot([0], 2.5)).toThrow(/depth/);
    expect(() => oneHot([0], 2, 'int32' as 'float32')).toThrow(/dtype/);
    expect(() => oneHot(7 as unknown as number[], 2)).toThrow(/integer labels/);
  });
});

// ---- errors that guard the pairs ----

describe('loss/output pairs that would train the wrong thing are Errors', () => {
  it('categoricalCrossentropy on a linear output: "expects probabilities" and names fromLogits', () => {
    for (const loss of ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy'] as const) {
      const m = denseNet(90, 'linear');
      let err: Error | null = null;
      try { m.compile({ optimizer: 'sgd', loss }); } catch (e) { err = e as Error; }
      expect(err?.message, loss).toMatch(/expects probabilities/);
      expect(err?.message, loss).toMatch(/fromLogits/);
      expect(m.loss, 'compile changed nothing').toBeNull();
    }
    // not built at compile: the first fit/evaluate/trainOnBatch says so
    const lazy = new Sequential({ seed: 90 });
    lazy.add(layers.dense({ units: C }));
    lazy.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expect(() => lazy.trainOnBatch(x, yOneHot)).toThrow(/expects probabilities.*fromLogits/);
  });

  it('fromLogits: true with a softmax (sigmoid) output', () => {
    const m = denseNet(91, 'softmax');
    expect(() => m.compile({ optimizer: 'sgd', loss: losses.categoricalCrossentropy({ fromLogits: true }) })).toThrow(/fromLogits: true but the model ends with a softmax/);
    expect(() => denseNet(91, 'layerSoftmax').compile({ optimizer: 'sgd', loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }) })).toThrow(/fromLogits: true/);
    expect(() => denseNet(91, 'sigmoid').compile({ optimizer: 'sgd', loss: losses.binaryCrossentropy({ fromLogits: true }) })).toThrow(/fromLogits: true but the model ends with a sigmoid/);
    // a Keras cross-entropy after the other family's activation
    expect(() => denseNet(91, 'sigmoid').compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })).toThrow(/cannot follow a sigmoid output/);
    expect(() => denseNet(91, 'softmax').compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' })).toThrow(/cannot follow a softmax output/);
  });

  it('categoricalCrossentropy given int labels; sparse given one-hot', () => {
    const m = denseNet(92, 'softmax');
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expect(() => m.trainOnBatch(x, labels)).toThrow(/has 8 values but 8 samples × 4 outputs need 32/);
    const s = denseNet(92, 'softmax');
    s.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expect(() => s.trainOnBatch(x, yOneHot)).toThrow(/needs integer labels/);
    expect(() => s.evaluate(x, yOneHot)).toThrow(/needs integer labels/);
  });

  it("unknown loss names suggest the right spelling ('categoricalCrossEntropy' → 'categoricalCrossentropy')", () => {
    const m = denseNet(93, 'softmax');
    expect(() => m.compile({ optimizer: 'sgd', loss: 'categoricalCrossEntropy' as 'categoricalCrossentropy' })).toThrow(/Unknown loss (the string )?'categoricalCrossEntropy'; did you mean 'categoricalCrossentropy'\?/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'binaryCrossEntropy' as 'mse' })).toThrow(/did you mean 'binaryCrossentropy'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { className: 'hubber', config: {} } })).toThrow(/did you mean 'huber'/);
    expect(() => losses.huber({ delta: 0 })).toThrow(/huber delta/);
    expect(() => losses.categoricalCrossentropy({ fromLogits: 1 as unknown as boolean })).toThrow(/fromLogits/);
    expect(() => losses.categoricalCrossentropy({ fromLogit: true } as never)).toThrow(/fromLogit/);
  });

  it('a categorical loss on one output unit', () => {
    const m = denseNet(94, 'softmax', 1);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })).toThrow(/needs ≥ 2 output units/);
  });
});

// ---- save / load ----

describe('save/load keeps the loss config and the metrics', () => {
  it('huber delta 0.5 with mae and topK (k = 3): the loaded model continues identically', async () => {
    const u = uniformRng(95);
    const y = tensor(Float32Array.from({ length: 30 * 5 }, () => (u() - 0.5) * 6), [30, 5]);
    const xs = randn([30, D], 96);
    const m = new Sequential({ seed: 97 });
    m.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu' }));
    m.add(layers.dense({ units: 5 }));
    m.compile({ optimizer: 'adam', loss: losses.huber({ delta: 0.5 }), metrics: ['mae', metrics.topKCategoricalAccuracy({ k: 3 })] });
    await m.fit(xs, y, { epochs: 2, batchSize: 8 });
    const art = m.save();
    // through JSON, as a file would carry it
    const loaded = await Sequential.load(JSON.parse(JSON.stringify({ topology: art.topology, weights: Array.from(art.weights) })));
    expect(loaded.loss!.getConfig()).toEqual({ delta: 0.5 });
    expect(loaded.metrics).toEqual(['mae', 'topKCategoricalAccuracy']);
    const ha = await m.fit(xs, y, { epochs: 2, batchSize: 8, validationData: [xs, y] });
    const hb = await loaded.fit(xs, y, { epochs: 2, batchSize: 8, validationData: [xs, y] });
    expect(Object.keys(hb.history).sort()).toEqual(Object.keys(ha.history).sort());
    for (const k of Object.keys(ha.history)) expectSameBits([hb.history[k]], [ha.history[k]], k);
    expectSameBits(weightsOf(loaded), weightsOf(m), 'weights');
    // k = 3 and delta 0.5 matter on this data (a default k = 5 gives 1; delta 1 another loss)
    expect(ha.history.topKCategoricalAccuracy[0]).toBeLessThan(1);
    const d1 = new Sequential({ seed: 97 });
    d1.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu' }));
    d1.add(layers.dense({ units: 5 }));
    d1.compile({ optimizer: 'adam', loss: 'huber' });
    d1.setWeights(m.getWeights());
    expect(d1.evaluate(xs, y).loss).not.toBeCloseTo(m.evaluate(xs, y).loss, 3);
  });

  it('fromLogits survives save/load (a loaded linear-output model still trains on logits)', async () => {
    const m = denseNet(98, 'linear');
    m.compile({ optimizer: 'adam', loss: losses.categoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
    m.trainOnBatch(x, yOneHot);
    const loaded = await Sequential.load(m.save());
    expect(loaded.loss!.name).toBe('categoricalCrossentropy');
    expect(loaded.loss!.getConfig()).toEqual({ fromLogits: true });
    for (let s = 0; s < 3; s++) expect(loaded.trainOnBatch(x, yOneHot)).toBe(m.trainOnBatch(x, yOneHot));
    expect(loaded.evaluate(x, yOneHot)).toEqual(m.evaluate(x, yOneHot));
  });
});

describe('categorical losses on image-shaped outputs', () => {
  // A softmax over the last axis of [h, w, C] is one distribution per position, while the loss
  // kernels treat a sample as one row: such a pair would train a different loss than predict shows.
  it('a softmax conv output, or a Keras categorical loss on a non-flat output, is refused with the fix', () => {
    for (const [activation, loss] of [['softmax', 'categoricalCrossentropy'], ['softmax', 'softmaxCrossEntropy'], ['linear', 'sparseCategoricalCrossentropy']] as const) {
      const m = new Sequential({ seed: 1, dtype: 'float64' });
      m.add(layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [2, 2, 2], activation }));
      const lossSpec = activation === 'linear' ? losses.sparseCategoricalCrossentropy({ fromLogits: true }) : loss;
      expect(() => m.compile({ optimizer: 'sgd', loss: lossSpec, metrics: ['accuracy'] }), `${activation} + ${loss}`).toThrow(/flat output \[batch, classes\].*flatten/);
      m.dispose();
    }
    // the legacy logits loss on a linear image-shaped output keeps its documented meaning: one softmax over the sample
    const ok = new Sequential({ seed: 1, dtype: 'float64' });
    ok.add(layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [2, 2, 2] }));
    expect(() => ok.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' })).not.toThrow();
    ok.dispose();
  });
});
