// Recurrent layers, embedding and reshape through the public API: Keras defaults, layouts
// and initial values; save/load resumes bit for bit; bad input is an Error naming the value,
// raised before anything changes.

import { describe, expect, it } from 'vitest';
import { Sequential, io, layers, optimizers, tensor, type Tensor } from '../../src/index.js';
import { expectSameBits, randLabels, randn, uniformRng, weightsOf } from '../model/helpers.js';

const tokens = (n: number, T: number, V: number, seed: number): Tensor => {
  const u = uniformRng(seed);
  return tensor(Float32Array.from({ length: n * T }, () => Math.floor(u() * V)), [n, T]);
};

function expectThrows(fn: () => unknown, needles: string[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  expect(err, `expected an Error mentioning ${needles.join(', ')}`).toBeInstanceOf(Error);
  for (const n of needles) expect((err as Error).message).toContain(n);
}

describe('Keras defaults, layouts and initial values', () => {
  it('LSTM: tanh/sigmoid, glorotUniform/orthogonal/zeros, forget bias 1; kernel [F, 4U], recurrent [U, 4U], bias [4U]', () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.lstm({ units: 5, inputShape: [7, 3] }));
    m.build();
    expect(m.layers[0].getConfig()).toMatchObject({
      units: 5, activation: 'tanh', recurrentActivation: 'sigmoid', returnSequences: false, useBias: true, unitForgetBias: true,
      kernelInitializer: { className: 'glorotUniform' }, recurrentInitializer: { className: 'orthogonal', config: { gain: 1 } }, biasInitializer: { className: 'zeros' },
    });
    const [k, r, b] = m.getWeights();
    expect([k.shape, r.shape, b.shape]).toEqual([[3, 20], [5, 20], [20]]);
    expect(Array.from(b.data)).toEqual([...Array(5).fill(0), ...Array(5).fill(1), ...Array(10).fill(0)]);
    // orthogonal [5, 20]: orthonormal rows (Keras draws [20, 5], takes Q, transposes)
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      let d = 0;
      for (let c = 0; c < 20; c++) d += r.data[i * 20 + c] * r.data[j * 20 + c];
      expect(Math.abs(d - (i === j ? 1 : 0)), `row ${i} · row ${j}`).toBeLessThan(1e-6);
    }
    expect(m.outputShape).toEqual([5]);
    m.dispose();
  });

  it('GRU resetAfter false: one bias [3U]', () => {
    const m = new Sequential({ seed: 2 });
    m.add(layers.gru({ units: 4, inputShape: [6, 2], resetAfter: false }));
    m.build();
    expect(m.getWeights().map((w) => w.shape)).toEqual([[2, 12], [4, 12], [12]]);
    expect(m.layers[0].getConfig()).toMatchObject({ resetAfter: false });
    m.dispose();
  });

  it('GRU bias [2, 3U] (input and recurrent), SimpleRNN [U]; returnSequences gives [T, U]; orthogonal square is orthogonal', () => {
    const m = new Sequential({ seed: 2, dtype: 'float64' });
    m.add(layers.gru({ units: 4, inputShape: [6, 2], returnSequences: true }));
    m.add(layers.simpleRNN({ units: 3 }));
    m.build();
    expect(m.getWeights().map((w) => w.shape)).toEqual([[2, 12], [4, 12], [2, 12], [4, 3], [3, 3], [3]]);
    expect(m.layers[0].outputShape).toEqual([6, 4]);
    expect(m.layers[0].getConfig()).toMatchObject({ recurrentActivation: 'sigmoid', resetAfter: true });
    const q = m.getWeights()[4].data; // 3×3 recurrent kernel of the SimpleRNN
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let d = 0;
      for (let c = 0; c < 3; c++) d += q[c * 3 + i] * q[c * 3 + j];
      expect(Math.abs(d - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    }
    m.dispose();
  });
});

describe('save/load resumes bit for bit', () => {
  it('embedding → reshape → lstm (sequences) → gru (sequences) → simpleRNN → dense, after and across training', async () => {
    const build = () => {
      const m = new Sequential({ seed: 4 });
      m.add(layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [6] }));
      m.add(layers.reshape({ targetShape: [3, 8] }));
      m.add(layers.lstm({ units: 5, returnSequences: true }));
      m.add(layers.gru({ units: 4, returnSequences: true }));
      m.add(layers.simpleRNN({ units: 3 }));
      m.add(layers.dense({ units: 3, activation: 'softmax' }));
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const x = tokens(8, 6, 10, 5), y = randLabels(8, 3, 6);
    const a = build();
    a.trainOnBatch(x, y);
    a.trainOnBatch(x, y);
    const b = await Sequential.load(io.fromBytes(io.toBytes(a.save())));
    expect(b.layers.map((l) => l.getConfig())).toEqual(a.layers.map((l) => l.getConfig()));
    expectSameBits([b.predict(x).data], [a.predict(x).data], 'predictions');
    const la = [a.trainOnBatch(x, y), a.trainOnBatch(x, y)], lb = [b.trainOnBatch(x, y), b.trainOnBatch(x, y)];
    expectSameBits([lb], [la], 'losses after loading');
    expectSameBits(weightsOf(b), weightsOf(a), 'weights after loading');
    // and the same seed builds the same bits from scratch
    const c = build();
    c.trainOnBatch(x, y);
    c.trainOnBatch(x, y);
    c.trainOnBatch(x, y);
    c.trainOnBatch(x, y);
    expectSameBits(weightsOf(c), weightsOf(a), 'same seed, same training');
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('bad input is an Error naming the problem, before anything changes', () => {
  it('a rank-2 input ([batch, features]) to each recurrent layer', () => {
    for (const make of [() => layers.simpleRNN({ units: 3 }), () => layers.lstm({ units: 3 }), () => layers.gru({ units: 3 })]) {
      const m = new Sequential();
      m.add(layers.dense({ units: 4, inputShape: [5] }));
      m.add(make());
      expectThrows(() => m.build(), ['expects [batch, timesteps, features]', 'per-sample shape [4]']);
      m.dispose();
    }
  });

  it('units 0, 2.5 or missing; unknown activations; GRU resetAfter false; unknown options', () => {
    expectThrows(() => layers.lstm({ units: 0 }), ['lstm units', '0']);
    expectThrows(() => layers.gru({ units: 2.5 }), ['gru units', '2.5']);
    expectThrows(() => layers.simpleRNN({} as { units: number }), ['simpleRNN units']);
    expectThrows(() => layers.lstm({ units: 3, activation: 'softmax' as 'tanh' }), ['lstm activation', 'softmax', 'tanh, sigmoid, relu, linear']);
    expectThrows(() => layers.lstm({ units: 3, recurrentActivation: 'hardSigmoid' as 'sigmoid' }), ['lstm recurrentActivation', 'hardSigmoid']);
    expectThrows(() => layers.gru({ units: 3, resetAfter: 'no' as unknown as boolean }), ['gru resetAfter']);
    expectThrows(() => layers.simpleRNN({ units: 3, recurrentActivation: 'sigmoid' } as object as { units: number }), ['recurrentActivation']);
    expectThrows(() => layers.lstm({ units: 3, goBackwards: true } as object as { units: number }), ['goBackwards']);
  });

  it('embedding: non-integer, negative, ≥ inputDim and NaN tokens name the value, and change nothing', () => {
    const m = new Sequential({ seed: 7 });
    m.add(layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [4] }));
    m.add(layers.lstm({ units: 3 }));
    m.add(layers.dense({ units: 2, activation: 'softmax' }));
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const good = tokens(2, 4, 10, 8), y = new Int32Array([0, 1]);
    m.trainOnBatch(good, y);
    const before = weightsOf(m);
    for (const [bad, needle] of [[2.5, 'token 2.5'], [10, 'token 10'], [-1, 'token -1']] as const) {
      const data = Float32Array.from(good.data);
      data[6] = bad;
      expectThrows(() => m.trainOnBatch(tensor(data, [2, 4]), y), [needle, 'sample 1, position 2', 'inputDim 10']);
      expectThrows(() => m.predict(tensor(data, [2, 4])), [needle]);
      expectSameBits(weightsOf(m), before, `weights after the refused token ${bad}`);
    }
    expectThrows(() => layers.embedding({ inputDim: 0, outputDim: 3 }), ['embedding inputDim']);
    expectThrows(() => layers.embedding({ inputDim: 3 } as { inputDim: number; outputDim: number }), ['embedding outputDim']);
    // and it trains on afterwards exactly like a model that never saw the bad batches
    const twin = new Sequential({ seed: 7 });
    twin.add(layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [4] }));
    twin.add(layers.lstm({ units: 3 }));
    twin.add(layers.dense({ units: 2, activation: 'softmax' }));
    twin.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    twin.trainOnBatch(good, y);
    expect(m.trainOnBatch(good, y)).toBe(twin.trainOnBatch(good, y));
    expectSameBits(weightsOf(m), weightsOf(twin), 'after recovering');
    m.dispose(); twin.dispose();
  });

  it('reshape with a wrong element count or a bad targetShape', () => {
    const m = new Sequential();
    m.add(layers.reshape({ targetShape: [4, 2], inputShape: [10] }));
    expectThrows(() => m.build(), ['targetShape [4, 2]', 'per-sample input [10]', '10 elements vs 8']);
    m.dispose();
    const m2 = new Sequential();
    m2.add(layers.reshape({ targetShape: [3, -1], inputShape: [10] }));
    expectThrows(() => m2.build(), ['targetShape [3, -1]', '10 elements']);
    m2.dispose();
    expectThrows(() => layers.reshape({ targetShape: [-1, -1] }), ['at most one -1']);
    expectThrows(() => layers.reshape({ targetShape: [0, 2] }), ['reshape targetShape must be']);
  });

  it('an rnn fed the wrong timesteps at fit time names both shapes', () => {
    const m = new Sequential();
    m.add(layers.lstm({ units: 3, inputShape: [5, 2] }));
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    expectThrows(() => m.predict(randn([2, 4, 2], 1)), ['[5, 2]', '[4, 2]']);
    m.dispose();
  });
});
