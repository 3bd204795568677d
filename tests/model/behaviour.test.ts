// Training behaviour of the Sequential API: it learns what it should, it is reproducible
// per seed, and fit/predict/evaluate/trainOnBatch/callbacks report numbers that agree with
// independent JS computations (from getWeights() and predict(), in float64).

import { describe, expect, it } from 'vitest';
import { Sequential, layers, optimizers, regularizers, tensor, type Tensor } from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf } from './helpers.js';

/** Mean softmax cross-entropy of logits rows against int labels, in JS float64. */
function jsSoftmaxXent(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number, from = 0): number {
  let sum = 0;
  const n = labels.length - from;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: c }, (_, j) => logits[(from + i) * c + j]);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    sum += lse - row[labels[from + i]];
  }
  return sum / n;
}

function argmaxAccuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits[i * c + j] > logits[i * c + best]) best = j;
    if (best === labels[i]) hits++;
  }
  return hits / labels.length;
}

/** JS forward of dense(relu) → dense(linear) from getWeights(), float64. */
function jsMlp(ws: Float64Array[], x: ArrayLike<number>, n: number): Float64Array {
  const layer = (inp: ArrayLike<number>, w: Float64Array, b: Float64Array, relu: boolean) => {
    const d = w.length / b.length, u = b.length;
    const out = new Float64Array(n * u);
    for (let i = 0; i < n; i++) for (let k = 0; k < u; k++) {
      let s = b[k];
      for (let j = 0; j < d; j++) s += inp[i * d + j] * w[j * u + k];
      out[i * u + k] = relu ? Math.max(0, s) : s;
    }
    return out;
  };
  return layer(layer(x, ws[0], ws[1], true), ws[2], ws[3], false);
}

const xorX = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const xorY = new Int32Array([0, 1, 1, 0]);

function mlp(seed: number, opts: { dtype?: 'float32' | 'float64'; dropout?: number; inDim?: number; lr?: number } = {}): Sequential {
  const m = new Sequential({ seed, dtype: opts.dtype ?? 'float64' });
  m.add(layers.dense({ units: 16, inputShape: [opts.inDim ?? 10], activation: 'relu', kernelInitializer: 'heNormal' }));
  if (opts.dropout !== undefined) m.add(layers.dropout({ rate: opts.dropout }));
  m.add(layers.dense({ units: 3 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: opts.lr ?? 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return m;
}

describe('learning', () => {
  it('a deep ReLU net (9 hidden layers, He init, Adam) learns XOR', async () => {
    const m = new Sequential({ seed: 7 });
    m.add(layers.dense({ units: 16, inputShape: [2], activation: 'relu', kernelInitializer: 'heNormal' }));
    for (let i = 0; i < 8; i++) m.add(layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }));
    m.add(layers.dense({ units: 2 }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 3e-3 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const h = await m.fit(xorX, xorY, { epochs: 300, batchSize: 4 });
    expect(argmaxAccuracy(m.predict(xorX).data, xorY, 2)).toBe(1);
    expect(h.accuracy.at(-1)).toBe(1);
    expect(h.loss.at(-1)!).toBeLessThan(0.01);
  });

  it('overfits 20 random samples with random labels to 100% training accuracy', async () => {
    const x = randn([20, 10], 100);
    const y = randLabels(20, 3, 101);
    const m = mlp(3, { dtype: 'float32' });
    await m.fit(x, y, { epochs: 300, batchSize: 20 });
    expect(argmaxAccuracy(m.predict(x).data, y, 3)).toBe(1);
  });
});

describe('reproducibility', () => {
  const x = randn([40, 10], 200);
  const y = randLabels(40, 3, 201);

  it('same seed gives identical weights after init and after fit with dropout + shuffle', async () => {
    const [a, b] = [mlp(5, { dropout: 0.3 }), mlp(5, { dropout: 0.3 })];
    expectSameBits(weightsOf(a), weightsOf(b), 'after init');
    await a.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true });
    await b.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true });
    expectSameBits(weightsOf(a), weightsOf(b), 'after fit');
  });

  it('different seeds give different initial weights, and different dropout/shuffle streams', async () => {
    const [a, b] = [mlp(5, { dropout: 0.3 }), mlp(6, { dropout: 0.3 })];
    expect(Array.from(a.getWeights()[0].data)).not.toEqual(Array.from(b.getWeights()[0].data));
    b.setWeights(a.getWeights()); // same start: only the dropout masks and the order differ
    await a.fit(x, y, { epochs: 1, batchSize: 8 });
    await b.fit(x, y, { epochs: 1, batchSize: 8 });
    expect(Array.from(a.getWeights()[0].data)).not.toEqual(Array.from(b.getWeights()[0].data));
  });

  it('adding a dropout layer does not change the initial weights', () => {
    expectSameBits(weightsOf(mlp(9, { dropout: 0.5 })), weightsOf(mlp(9)), 'init');
  });
});

describe('fit, predict, evaluate', () => {
  const x = randn([30, 10], 300);
  const y = randLabels(30, 3, 301);

  it('History: per-epoch arrays, shortcuts, validationData, and loss decreasing on an easy problem', async () => {
    // easy: the label is the argmax of the first three features
    const easyY = Int32Array.from({ length: 30 }, (_, i) => [0, 1, 2].reduce((b, j) => (x.data[i * 10 + j] > x.data[i * 10 + b] ? j : b), 0));
    const xv = randn([12, 10], 302);
    const yv = randLabels(12, 3, 303);
    const m = mlp(11);
    const h = await m.fit(x, easyY, { epochs: 6, batchSize: 10, validationData: [xv, yv] });
    expect(h.history.loss.length).toBe(6);
    expect(h.history.accuracy.length).toBe(6);
    expect(h.loss).toBe(h.history.loss);
    expect(h.accuracy).toBe(h.history.accuracy);
    expect(h.valLoss).toBe(h.history.valLoss);
    expect(h.valAccuracy.length).toBe(6);
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] * 0.7);
    for (let e = 1; e < 6; e++) expect(h.loss[e]).toBeLessThan(h.loss[e - 1]);
    // validation metrics of the last epoch are those of the final weights
    const logits = m.predict(xv).data;
    expect(h.valLoss.at(-1)!).toBeCloseTo(jsSoftmaxXent(logits, yv, 3), 10);
    expect(h.valAccuracy.at(-1)).toBe(argmaxAccuracy(logits, yv, 3));
  });

  it('validationSplit holds out the last samples; with learning rate 0 the epoch loss is the data loss', async () => {
    const m = new Sequential({ seed: 12, dtype: 'float64' });
    m.add(layers.dense({ units: 3, inputShape: [10] }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const logits = m.predict(x).data;
    const h = await m.fit(x, y, { epochs: 2, batchSize: 7, validationSplit: 0.2 });
    expect(h.valLoss.length).toBe(2);
    expect(h.valAccuracy.length).toBe(2);
    // train = first 24 samples, validation = last 6 (Keras: split taken before shuffling)
    expect(h.valLoss[1]).toBeCloseTo(jsSoftmaxXent(logits, y, 3, 24), 10);
    expect(h.loss[1]).toBeCloseTo(jsSoftmaxXent(logits, y.subarray(0, 24), 3), 10);
    expect(h.accuracy[1]).toBe(argmaxAccuracy(logits, y.subarray(0, 24), 3));
  });

  it('predict on more samples than the training batch and on fewer, matching a JS forward pass', async () => {
    const m = mlp(13);
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    const big = randn([300, 10], 304);
    for (const [xs, n] of [[big, 300], [x, 30], [tensor(x.data.subarray(0, 30), [3, 10], 'float64'), 3]] as [Tensor, number][]) {
      for (const batchSize of [256, 7]) {
        const p = m.predict(xs, { batchSize });
        expect(p.shape).toEqual([n, 3]);
        const want = jsMlp(weightsOf(m), xs.data, n);
        for (let i = 0; i < want.length; i++) expect(Math.abs(p.data[i] - want[i])).toBeLessThan(1e-12 * (1 + Math.abs(want[i])));
      }
    }
  });

  it('evaluate equals mean softmax cross-entropy and accuracy of predict() logits', () => {
    const m = mlp(14);
    const r = m.evaluate(x, y);
    const logits = m.predict(x).data;
    expect(Math.abs(r.loss - jsSoftmaxXent(logits, y, 3))).toBeLessThan(1e-9);
    expect(r.accuracy).toBe(argmaxAccuracy(logits, y, 3));
    expect(Math.abs(m.evaluate(x, y, { batchSize: 7 }).loss - r.loss)).toBeLessThan(1e-12);
  });

  it('trainOnBatch returns the loss before the update, L2 included', () => {
    const m = new Sequential({ seed: 15, dtype: 'float64' });
    m.add(layers.dense({ units: 8, inputShape: [10], activation: 'relu', kernelRegularizer: regularizers.l2(0.05) }));
    m.add(layers.dense({ units: 3, kernelRegularizer: regularizers.l2(0.02) }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'softmaxCrossEntropy' });
    for (let step = 0; step < 3; step++) {
      const ws = weightsOf(m);
      const l2 = 0.05 * ws[0].reduce((s, v) => s + v * v, 0) + 0.02 * ws[2].reduce((s, v) => s + v * v, 0);
      const want = jsSoftmaxXent(jsMlp(ws, x.data, 30), y, 3) + l2;
      expect(Math.abs(m.evaluate(x, y).loss - want)).toBeLessThan(1e-12);
      expect(Math.abs(m.trainOnBatch(x, y) - want)).toBeLessThan(1e-12);
      expect(Array.from(m.getWeights()[0].data)).not.toEqual(Array.from(ws[0]));
    }
  });
});

describe('compile', () => {
  it('compiling a built model again switches to the new optimizer: steps are w − lr·∇', () => {
    const m = mlp(16); // built and compiled with Adam
    const x = randn([8, 10], 600);
    const y = randLabels(8, 3, 601);
    m.trainOnBatch(x, y);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'softmaxCrossEntropy' });
    const before = weightsOf(m);
    const g = m.computeGradients(x, y).grads;
    m.trainOnBatch(x, y);
    m.getWeights().forEach((w, i) => {
      for (let j = 0; j < w.size; j++) expect(Math.abs(w.data[j] - (before[i][j] - 0.1 * g[i].data[j])), `weight ${i}[${j}]`).toBeLessThan(1e-15);
    });
    expect(m.optimizer!.iterations).toBe(1);
  });
});

describe('data augmentation', () => {
  const img = [6, 6, 1] as [number, number, number];
  const x = randn([16, 36], 400);
  const y = randLabels(16, 3, 401);

  it('shift 0 equals no augmentation bit for bit; shift 2 trains, deterministically, and differently', async () => {
    const run = async (augment?: { shift: number; imageShape: typeof img }) => {
      const m = mlp(20, { inDim: 36 });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 4, augment });
      return { w: weightsOf(m), h };
    };
    const plain = await run();
    expectSameBits((await run({ shift: 0, imageShape: img })).w, plain.w, 'shift 0');
    const a = await run({ shift: 2, imageShape: img });
    expectSameBits((await run({ shift: 2, imageShape: img })).w, a.w, 'shift 2 twice');
    expect(a.h.loss.every(Number.isFinite)).toBe(true);
    expect(Array.from(a.w[0])).not.toEqual(Array.from(plain.w[0]));
  });

  it('each image is translated by at most ±shift with zero fill', async () => {
    // an all-ones 6×6 image through a sum (kernel of ones): the output counts the pixels
    // that stay inside, (6 − |dy|)·(6 − |dx|); mse against 0 with learning rate 0 reports it².
    const m = new Sequential({ seed: 21, dtype: 'float64' });
    m.add(layers.dense({ units: 1, inputShape: [36], useBias: false, kernelInitializer: 'ones' }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    const allowed = new Set<number>();
    for (let a = 0; a <= 2; a++) for (let b = 0; b <= 2; b++) allowed.add((6 - a) * (6 - b));
    const seen = new Set<number>();
    const onBatchEnd = (_b: number, logs: { loss: number }) => { seen.add(Math.round(Math.sqrt(logs.loss) * 1e9) / 1e9); };
    await m.fit(new Float64Array(40 * 36).fill(1), new Float64Array(40), { epochs: 1, batchSize: 1, augment: { shift: 2, imageShape: img }, callbacks: [{ onBatchEnd }] });
    for (const s of seen) expect(allowed.has(s), `pixel count ${s}`).toBe(true);
    expect(seen.size).toBeGreaterThan(2);
  });
});

describe('callbacks', () => {
  const x = randn([20, 10], 500);
  const y = randLabels(20, 3, 501);

  it('onEpochEnd receives the epoch and the logs that History records', async () => {
    const got: [number, number, number | undefined][] = [];
    const h = await mlp(30).fit(x, y, { epochs: 3, batchSize: 5, callbacks: [{ onEpochEnd: (e, logs) => { got.push([e, logs.loss, logs.accuracy]); } }] });
    expect(got.map((g) => g[0])).toEqual([0, 1, 2]);
    expect(got.map((g) => g[1])).toEqual(h.loss);
    expect(got.map((g) => g[2])).toEqual(h.accuracy);
  });

  it('model.stopTraining = true in a callback stops fit after the current batch', async () => {
    const m = mlp(31);
    let batches = 0;
    const h = await m.fit(x, y, { epochs: 10, batchSize: 5, callbacks: [{ onBatchEnd: () => { if (++batches === 6) m.stopTraining = true; } }] });
    expect(batches).toBe(6); // 4 batches per epoch: stopped in the second epoch
    expect(h.loss.length).toBeLessThanOrEqual(2);
    let epochs = 0;
    const h2 = await m.fit(x, y, { epochs: 10, batchSize: 5, callbacks: [{ onEpochEnd: () => { if (++epochs === 3) m.stopTraining = true; } }] });
    expect(h2.loss.length).toBe(3);
  });
});

