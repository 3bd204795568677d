// Bad input raises an Error that names the problem and the offending value, before any
// state changes (docs/ARCHITECTURE.md "Safe"): after each rejected call the model predicts the same
// bits, has the same weights and optimizer step count, and then trains exactly like an
// untouched twin (same RNG streams, same optimizer state). A loss that turns non-finite
// during training stops it with an Error, and the model keeps its last finite weights.

import { describe, expect, it } from 'vitest';
import { Sequential, layers, optimizers, regularizers, tensor, type Tensor } from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf } from './helpers.js';

const D = 6, C = 10, N = 4;
const x = randn([N, D], 1);
const y = randLabels(N, C, 2);
const probe = randn([5, D], 3);
const trainX = randn([12, D], 4);
const trainY = randLabels(12, C, 5);

/** dense → dropout → dense, Adam; trained one step so the optimizer has state. */
function trained(): Sequential {
  const m = new Sequential({ seed: 1, dtype: 'float64' });
  m.add(layers.dense({ units: 5, inputShape: [D], activation: 'relu' }));
  m.add(layers.dropout({ rate: 0.3 }));
  m.add(layers.dense({ units: C, kernelRegularizer: regularizers.l2(1e-3) }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  m.trainOnBatch(x, y);
  return m;
}

interface Snapshot { pred: Float64Array; weights: Float64Array[]; iterations: number }
const snapshot = (m: Sequential): Snapshot => ({ pred: Float64Array.from(m.predict(probe).data), weights: weightsOf(m), iterations: m.optimizer?.iterations ?? -1 });

function expectUnchanged(m: Sequential, s: Snapshot, label: string): void {
  const now = snapshot(m);
  expectSameBits([now.pred], [s.pred], `${label}: predictions`);
  expectSameBits(now.weights, s.weights, `${label}: weights`);
  expect(now.iterations, `${label}: optimizer steps`).toBe(s.iterations);
}

/** Runs call (sync or async), expects an Error containing every needle, and no state change. */
async function expectRejected(m: Sequential | null, call: () => unknown, needles: string[]): Promise<Error> {
  const before = m ? snapshot(m) : null;
  let err: unknown = null;
  try { await call(); } catch (e) { err = e; }
  expect(err, `expected an Error mentioning ${needles.join(', ')}`).toBeInstanceOf(Error);
  const msg = (err as Error).message;
  for (const n of needles) expect(msg, 'the message names the problem and the value').toContain(n);
  if (m && before) expectUnchanged(m, before, msg);
  return err as Error;
}

/** The model trains on exactly like a twin that never saw the bad calls. */
async function expectTrainsLikeTwin(m: Sequential): Promise<void> {
  const twin = trained();
  for (const s of [m, twin]) await s.fit(trainX, trainY, { epochs: 2, batchSize: 5 });
  expectSameBits(weightsOf(m), weightsOf(twin), 'after fit: model vs untouched twin');
}

/** Every method that takes x and y, as sync-or-async calls. */
const withXY = (m: Sequential): [string, (a: unknown, b: unknown) => unknown][] => [
  ['fit', (a, b) => m.fit(a as Tensor, b as Tensor, { epochs: 1, batchSize: 2 })],
  ['trainOnBatch', (a, b) => m.trainOnBatch(a as Tensor, b as Tensor)],
  ['evaluate', (a, b) => m.evaluate(a as Tensor, b as Tensor)],
  ['computeGradients', (a, b) => m.computeGradients(a as Tensor, b as Tensor)],
];

const withNaN = (v: number, at: number) => { const d = Float64Array.from(x.data); d[at] = v; return tensor(d, [N, D], 'float64'); };
const oneHot = (bad: number, at: number) => { const d = new Float64Array(N * C); y.forEach((l, i) => { d[i * C + l] = 1; }); d[at] = bad; return tensor(d, [N, C], 'float64'); };

describe('bad x', () => {
  const cases: [string, unknown, string[]][] = [
    ['feature size (nested rows)', Array.from({ length: N }, () => [1, 2, 3, 4, 5]), ['feature size 5', 'expects 6']],
    ['feature size (Tensor)', randn([N, 5], 6), ['[5]', '[6]']],
    ['feature size (flat)', new Float64Array(20), ['20 values', 'feature size 6']],
    ['rank 3', randn([N, 2, 3], 7), ['rank 2', '[4, 2, 3]']],
    ['rank 1', randn([D], 8), ['rank 2', 'shape [6]']],
    ['NaN', withNaN(NaN, 2 * D + 3), ['NaN', 'sample 2', 'feature 3']],
    ['Infinity', withNaN(Infinity, 5), ['Infinity', 'sample 0', 'feature 5']],
    ['-Infinity', withNaN(-Infinity, 3 * D), ['-Infinity', 'sample 3', 'feature 0']],
  ];
  for (const [name, bad, needles] of cases) {
    it(name, async () => {
      const m = trained();
      for (const [method, call] of withXY(m)) await expectRejected(m, () => call(bad, y), needles).catch((e) => { throw new Error(`${method}: ${e}`); });
      await expectRejected(m, () => m.predict(bad as Tensor), needles);
      await expectTrainsLikeTwin(m);
    });
  }
});

describe('bad y', () => {
  const cases: [string, unknown, string[]][] = [
    ['label = number of classes', Int32Array.from([0, 1, 10, 3]), ['label 10', 'index 2', '[0, 10)']],
    ['label -1', Int32Array.from([-1, 1, 2, 3]), ['label -1', 'index 0']],
    ['non-integer label', Float64Array.from([0, 1.5, 2, 3]), ['1.5', 'index 1', 'integer']],
    ['label count', Int32Array.from([0, 1, 2]), ['3 labels', '4 samples']],
    ['NaN in one-hot', oneHot(NaN, C + 2), ['NaN', 'sample 1', 'output 2']],
    ['Infinity in one-hot', oneHot(Infinity, 3 * C + 9), ['Infinity', 'sample 3', 'output 9']],
    ['one-hot width', tensor(new Float64Array(N * 3), [N, 3], 'float64'), ['12 values', '40']],
  ];
  for (const [name, bad, needles] of cases) {
    it(name, async () => {
      const m = trained();
      for (const [method, call] of withXY(m)) await expectRejected(m, () => call(x, bad), needles).catch((e) => { throw new Error(`${method}: ${e}`); });
      await expectTrainsLikeTwin(m);
    });
  }

  it('tensor(): data length not matching the shape', async () => {
    await expectRejected(null, () => tensor([1, 2, 3, 4, 5], [2, 3]), ['data length 5', '[2, 3]']);
    await expectRejected(null, () => tensor([[1, 2], [3]]), ['data length 3', '[2, 2]']);
  });
});

describe('misuse of the model', () => {
  it('training or evaluating before compile', async () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: C, inputShape: [D] }));
    for (const [method, call] of withXY(m)) await expectRejected(m, () => call(x, y), [method, 'compile']);
  });

  it('unknown activation, loss, initializer, optimizer and metric names', async () => {
    await expectRejected(null, () => layers.dense({ units: 3, activation: 'swish' as 'relu' }), ["'swish'"]);
    await expectRejected(null, () => layers.dense({ units: 3, kernelInitializer: 'glorot' as 'heNormal' }), ["'glorot'"]);
    await expectRejected(null, () => layers.maxout({ units: 3, biasInitializer: 'one' as 'ones' }), ["'one'"]);
    const m = trained();
    await expectRejected(m, () => m.compile({ optimizer: 'adam', loss: 'crossEntropy' }), ["'crossEntropy'"]);
    await expectRejected(m, () => m.compile({ optimizer: 'adamax', loss: 'mse' }), ["'adamax'"]);
    await expectRejected(m, () => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc'] }), ["'auc'"]);
    expect(m.loss!.name).toBe('softmaxCrossEntropy');
    await expectTrainsLikeTwin(m);
  });

  it('compile with an optimizer that another model already uses', async () => {
    const other = trained();
    const m = trained();
    await expectRejected(m, () => m.compile({ optimizer: other.optimizer!, loss: 'softmaxCrossEntropy' }), ['optimizer', 'already']);
    const otherWeights = weightsOf(other);
    await expectTrainsLikeTwin(m);
    expectSameBits(weightsOf(other), otherWeights, 'training m must not touch the other model');
  });

  it('invalid hyperparameters', async () => {
    const cases: [() => unknown, string[]][] = [
      [() => optimizers.sgd({ learningRate: -1 }), ['learning rate', '-1']],
      [() => optimizers.adam({ learningRate: NaN }), ['learning rate', 'NaN']],
      [() => layers.dense({ units: 3.5 }), ['units', '3.5']],
      [() => layers.dense({ units: 0 }), ['units', '0']],
      [() => layers.maxout({ units: 4, pieces: 0 }), ['pieces', '0']],
      [() => layers.dropout({ rate: 1 }), ['rate', '1']],
      [() => layers.dropout({ rate: -0.1 }), ['rate', '-0.1']],
      [() => optimizers.adam({ beta1: 1.0 }), ['beta1', '1']],
      [() => optimizers.sgd({ momentum: -0.5 }), ['momentum', '-0.5']],
      [() => optimizers.sgd({ nesterov: true }), ['Nesterov', 'momentum 0']],
      [() => regularizers.l2(-0.1), ['l2', '-0.1']],
    ];
    for (const [call, needles] of cases) await expectRejected(null, call, needles);
  });

  it('setWeights: wrong count, shape, length, NaN — checked before anything is written', async () => {
    const m = trained();
    const ws = m.getWeights();
    const changedFirst = () => { const w = weightsOf(m); w[0].fill(0.5); return w; };
    await expectRejected(m, () => m.setWeights(ws.slice(1)), ['expects 4', 'got 3']);
    await expectRejected(m, () => m.setWeights([...changedFirst().slice(0, 2), tensor(new Float64Array(50), [10, 5], 'float64'), ws[3]]), ['[10, 5]', '[5, 10]']);
    await expectRejected(m, () => m.setWeights([...changedFirst().slice(0, 3), new Float64Array(C + 1)]), ['11 values', 'weight 3']);
    const nan = changedFirst();
    nan[3][7] = NaN;
    await expectRejected(m, () => m.setWeights(nan), ['weight 3', 'NaN', 'index 7']);
    await expectTrainsLikeTwin(m);
  });

  it('fit with invalid epochs, batchSize, validationSplit, validationData, augment', async () => {
    const m = trained();
    const cases: [object, string[]][] = [
      [{ epochs: -1 }, ['epochs', '-1']], [{ epochs: 1.5 }, ['epochs', '1.5']],
      [{ batchSize: 0 }, ['batchSize', '0']], [{ batchSize: 2.5 }, ['batchSize', '2.5']],
      [{ validationSplit: 1 }, ['validationSplit', '1']], [{ validationSplit: -0.1 }, ['validationSplit', '-0.1']],
      [{ validationData: [withNaN(NaN, 1), y] }, ['validationData x', 'NaN']],
      [{ validationData: [x, Int32Array.from([0, 1, 2, 99])] }, ['validationData y', 'label 99']],
      [{ augment: { shift: 2 } }, ['augment', 'imageShape']],
    ];
    for (const [opts, needles] of cases) await expectRejected(m, () => m.fit(trainX, trainY, opts), needles);
    await expectTrainsLikeTwin(m);
  });

  it('every method after dispose()', async () => {
    const m = trained();
    const p = m.predict(probe);
    m.dispose();
    const calls: (() => unknown)[] = [
      () => m.predict(probe), () => m.evaluate(x, y), () => m.fit(x, y), () => m.trainOnBatch(x, y),
      () => m.computeGradients(x, y), () => m.getWeights(), () => m.setWeights([]), () => m.summary(null),
      () => m.compile({ optimizer: 'sgd', loss: 'mse' }), () => m.add(layers.dense({ units: 1 })), () => m.build([D]),
    ];
    for (const call of calls) await expectRejected(null, call, ['disposed']);
    expect(p.data.every(Number.isFinite)).toBe(true); // outputs are JS-owned: still readable
    expect(() => m.dispose()).not.toThrow();
  });
});

describe('non-finite loss during training', () => {
  /** Fits, recording weights after every successful batch; returns the error and the record. */
  async function fitUntilError(m: Sequential, xs: Tensor, ys: Tensor | Int32Array, batchSize: number) {
    const initial = weightsOf(m);
    const seen: Float64Array[][] = [];
    let lastPred = m.predict(probe).data;
    let err: Error | null = null;
    const onBatchEnd = () => { seen.push(weightsOf(m)); lastPred = m.predict(probe).data; };
    try {
      await m.fit(xs, ys, { epochs: 50, batchSize, shuffle: false, callbacks: [{ onBatchEnd }] });
    } catch (e) { err = e as Error; }
    expect(err, 'fit must stop with an Error').toBeInstanceOf(Error);
    const last = seen.at(-1) ?? initial;
    const weights = weightsOf(m);
    for (const w of weights) expect(w.every(Number.isFinite), 'weights stay finite').toBe(true);
    expectSameBits(weights, last, 'weights = those after the last successful step');
    expect(m.optimizer!.iterations).toBe(seen.length);
    // NOTE: not "predict is finite": the kept weights are the ones whose forward pass overflowed
    expectSameBits([m.predict(probe).data], [lastPred], 'predictions = those after the last successful step');
    const perEpoch = Math.ceil(xs.shape[0] / batchSize);
    expect(err!.message).toContain(`epoch ${Math.floor(seen.length / perEpoch) + 1}, batch ${(seen.length % perEpoch) + 1}`);
    expect(err!.message).toMatch(/NaN|Infinity|non-finite/);
    return { err: err!, steps: seen.length };
  }

  const net = (dtype: 'float32' | 'float64', lr: number, loss = 'softmaxCrossEntropy', out = C) => {
    const m = new Sequential({ seed: 2, dtype });
    m.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu' }));
    m.add(layers.dense({ units: out }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss });
    return m;
  };
  const big = randn([32, D], 9, 1e3);

  it('SGD with learning rate 1e30 on unnormalized inputs (float64)', async () => {
    const { steps } = await fitUntilError(net('float64', 1e30), big, randLabels(32, C, 10), 8);
    expect(steps).toBeGreaterThan(0);
  });

  it('mse against huge targets: the first loss is already Infinity', async () => {
    const { steps } = await fitUntilError(net('float64', 0.01, 'mse', 1), randn([16, D], 11), randn([16, 1], 12, 1e300), 4);
    expect(steps).toBe(0);
  });

  // An update lr·∇ that overflows float32 makes the weights Infinity although the loss and
  // the gradients of that step were finite: that step must be rejected as well.
  it('a step whose update overflows the weights is not applied (float32, lr 1e38)', async () => {
    const xs = tensor(Float32Array.from(big.data), big.shape, 'float32');
    await fitUntilError(net('float32', 1e38), xs, randLabels(32, C, 10), 8);
  });

  it('trainOnBatch: error, nothing applied, dropout stream and optimizer state intact', async () => {
    const m = trained();
    // the loss overflows (checked right after the dropout forward): soft targets of 1e308
    const hugeTargets = tensor(new Float64Array(N * C).fill(1e308), [N, C], 'float64');
    await expectRejected(m, () => m.trainOnBatch(x, hugeTargets), ['loss became', 'Infinity']);
    // the gradients overflow (checked after the backward pass): inputs of 1e300
    await expectRejected(m, () => m.trainOnBatch(randn([N, D], 13, 1e300), y), ['gradients', 'non-finite']);
    await expectTrainsLikeTwin(m);
  });
});
