// TF.js Layers interchange of the recurrent layers, embedding and reshape against the real
// peer (@tensorflow/tfjs-layers, cpu backend), both ways: simdnet models trained a few Adam
// steps, exported, loaded with tf.loadLayersModel, must predict the same (max |Δ| ≤ 1e-4 ·
// max |out|) with the same weights bit for bit; TF.js models with random weights, saved and
// imported, the same; and what one side cannot express is an Error naming the layer and
// why: tfjs-layers' default hardSigmoid gates, and a GRU with resetAfter true on export
// (tfjs-layers has only resetAfter: false; a Keras file's reset_after true GRU imports).
// NOTE: TF.js-side models are built with recurrentInitializer 'glorotUniform': tfjs-layers
// 4.22's Orthogonal initializer throws (rMat.flatten is not a function) under this
// tfjs-core; loading artifacts that name Orthogonal works (loaded weights skip it).

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { runtime } from '../../bindings/index.js';
import { Sequential, io, layers, optimizers, tensor, type Tensor } from '../../src/index.js';
import { normalRng, randn, uniformRng } from '../model/helpers.js';
import { expectClose, tfLoad, tfPredict, tfSave } from '../io/tfjs-helpers.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

type L = ReturnType<(typeof layers)[keyof typeof layers]>;

function trained(inputShape: number[], ls: L[], x: Tensor, seed = 7): Sequential {
  const m = new Sequential({ seed });
  ls.forEach((l) => m.add(l));
  m.build(inputShape);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
  const y = randn([x.shape[0], m.outputShape!.reduce((a, b) => a * b, 1)], seed + 2);
  for (let i = 0; i < 4; i++) m.trainOnBatch(tensor(Float32Array.from(x.data), x.shape as number[]), tensor(Float32Array.from(y.data), y.shape as number[]));
  return m;
}

function expectSameWeights(tm: tfl.LayersModel, m: Sequential, label: string): void {
  const tw = new Map(tm.weights.map((v) => [v.originalName, v.read().dataSync() as Float32Array]));
  const sw = new Map(m.params().map((p) => [p.name, Float32Array.from(p.value.read())]));
  expect([...tw.keys()].sort(), `${label}: weight names`).toEqual([...sw.keys()].sort());
  for (const [name, w] of sw) {
    const g = tw.get(name)!;
    for (let i = 0; i < w.length; i++) if (!Object.is(g[i], w[i])) expect.fail(`${label}: ${name}[${i}] is ${g[i]} in TF.js, ${w[i]} in simdnet`);
  }
}

async function expectError(fn: () => unknown, needles: string[]): Promise<void> {
  const used = runtime().arena.used;
  let err: unknown = null;
  try { await fn(); } catch (e) { err = e; }
  expect(err, `expected an Error mentioning ${needles.join(', ')}`).toBeInstanceOf(Error);
  for (const n of needles) expect((err as Error).message).toContain(n);
  expect(runtime().arena.used, 'nothing left allocated').toBe(used);
}

const tokens = (n: number, T: number, V: number, seed: number) => {
  const u = uniformRng(seed);
  return tensor(Float32Array.from({ length: n * T }, () => Math.floor(u() * V)), [n, T]);
};

describe('simdnet → TF.js: tf.loadLayersModel predicts the same', () => {
  const cases: { name: string; input: number[]; make: () => L[]; x: () => Tensor; classes: string[] }[] = [
    { name: 'LSTM (last state) → dense', input: [5, 3], make: () => [layers.lstm({ units: 6 }), layers.dense({ units: 2 })], x: () => randn([4, 5, 3], 1), classes: ['LSTM', 'Dense'] },
    {
      name: 'LSTM (sequences, no bias, no forget bias) → SimpleRNN (relu) → dense', input: [4, 2],
      make: () => [layers.lstm({ units: 5, returnSequences: true, useBias: false, unitForgetBias: false }), layers.simpleRNN({ units: 3, activation: 'relu' }), layers.dense({ units: 2 })],
      x: () => randn([3, 4, 2], 2), classes: ['LSTM', 'SimpleRNN', 'Dense'],
    },
    {
      name: 'embedding → LSTM → dense on tokens', input: [6],
      make: () => [layers.embedding({ inputDim: 9, outputDim: 4 }), layers.lstm({ units: 5 }), layers.dense({ units: 3 })],
      x: () => tokens(4, 6, 9, 3), classes: ['Embedding', 'LSTM', 'Dense'],
    },
    {
      name: 'dense → reshape → SimpleRNN (sequences) → flatten → dense', input: [6],
      make: () => [layers.dense({ units: 8 }), layers.reshape({ targetShape: [4, -1] }), layers.simpleRNN({ units: 3, returnSequences: true }), layers.flatten(), layers.dense({ units: 2 })],
      x: () => randn([3, 6], 4), classes: ['Dense', 'Reshape', 'SimpleRNN', 'Flatten', 'Dense'],
      // the −1 is exported resolved ([4, 2]): tfjs-layers' Reshape fails on a −1 at build time
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const x = c.x();
      const m = trained(c.input, c.make(), x);
      const a = io.toTfjsLayers(m);
      expect(a.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(c.classes);
      const tm = await tfLoad(a);
      expectSameWeights(tm, m, c.name);
      expectClose(tfPredict(tm, x), m.predict(x).data, c.name);
      // and back: the same weights and predictions
      const m2 = await io.fromTfjsLayers(a);
      expectClose(m2.predict(x).data, m.predict(x).data, `${c.name} (round trip)`);
      expect(m2.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
      tm.dispose(); m.dispose(); m2.dispose();
    });
  }

  it('the recurrent initializer is exported as TF.js Orthogonal (and the LSTM gates as sigmoid)', () => {
    const m = trained([3, 2], [layers.lstm({ units: 4 })], randn([2, 3, 2], 5));
    const cfg = io.toTfjsLayers(m).modelTopology.config.layers[0].config;
    expect(cfg).toMatchObject({ recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1 } }, recurrent_activation: 'sigmoid', unit_forget_bias: true });
    m.dispose();
  });

  it('GRU with resetAfter true (the default) is an Error (tfjs-layers has only resetAfter: false)', async () => {
    const m = trained([3, 2], [layers.gru({ units: 4, name: 'g' })], randn([2, 3, 2], 6));
    await expectError(() => io.toTfjsLayers(m), ["GRU 'g'", 'resetAfter', 'resetAfter: false']);
    m.dispose();
  });

  it('GRU resetAfter false (sequences, relu) → GRU → dense: tfjs-layers predicts the same', async () => {
    const x = randn([3, 5, 2], 9);
    const m = trained([5, 2], [layers.gru({ units: 5, resetAfter: false, returnSequences: true, activation: 'relu' }), layers.gru({ units: 3, resetAfter: false }), layers.dense({ units: 2 })], x);
    const a = io.toTfjsLayers(m);
    expect(a.modelTopology.config.layers[0].config).toMatchObject({ reset_after: false, recurrent_activation: 'sigmoid' });
    const tm = await tfLoad(a);
    expectSameWeights(tm, m, 'GRU');
    expectClose(tfPredict(tm, x), m.predict(x).data, 'GRU resetAfter false');
    const m2 = await io.fromTfjsLayers(a);
    expect(m2.layers[0].getConfig()).toMatchObject({ resetAfter: false });
    expectClose(m2.predict(x).data, m.predict(x).data, 'GRU round trip');
    tm.dispose(); m.dispose(); m2.dispose();
  });

  it('a Keras GRU with reset_after true (bias [2, 3U]) imports as resetAfter true', async () => {
    const x = randn([2, 4, 3], 10);
    const m = trained([4, 3], [layers.gru({ units: 3, resetAfter: false, name: 'g' }), layers.dense({ units: 2 })], x);
    const a = io.toTfjsLayers(m);
    // rewrite it as Keras 2 (Python) writes a resetAfter GRU: reset_after true, the bias [2, 9] (recurrent half zero)
    a.modelTopology.config.layers[0].config.reset_after = true;
    const bias = a.weightSpecs.findIndex((s) => s.name === 'g/bias');
    a.weightSpecs[bias].shape = [2, 9];
    const data = new Float32Array(a.weightData as ArrayBuffer);
    const before = a.weightSpecs.slice(0, bias).reduce((n, s) => n + s.shape.reduce((p, d) => p * d, 1), 0);
    const grown = new Float32Array(data.length + 9);
    grown.set(data.subarray(0, before + 9));
    grown.set(data.subarray(before + 9), before + 18);
    a.weightData = grown.buffer;
    const m2 = await io.fromTfjsLayers(a);
    expect(m2.layers[0].getConfig()).toMatchObject({ resetAfter: true });
    expect(m2.getWeights()[2].shape).toEqual([2, 9]);
    m2.dispose(); m.dispose();
  });
});

function randomize(m: tfl.LayersModel, seed: number): void {
  const r = normalRng(seed);
  m.setWeights(m.weights.map((v) => tf.tensor(Float32Array.from({ length: v.shape.reduce((a, b) => a! * b!, 1)! }, () => 0.5 * r()), v.shape as number[])));
}

describe('TF.js → simdnet: io.fromTfjsLayers predicts the same', () => {
  it('LSTM with sigmoid gates (sequences) → LSTM → dense, random weights', async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.lstm({ inputShape: [5, 3], units: 4, recurrentActivation: 'sigmoid', returnSequences: true, recurrentInitializer: 'glorotUniform' }),
      tfl.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }), tfl.layers.dense({ units: 2 }),
    ] });
    randomize(tm, 11);
    const x = randn([3, 5, 3], 12);
    const m = await io.fromTfjsLayers(await tfSave(tm));
    expect(m.layers.map((l) => l.className)).toEqual(['LSTM', 'LSTM', 'Dense']);
    expectClose(m.predict(x).data, tfPredict(tm, x), 'imported LSTM');
    expectSameWeights(tm, m, 'imported LSTM');
    tm.dispose(); m.dispose();
  });

  it('embedding → SimpleRNN → dense, and a Reshape that is not a flatten', async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.embedding({ inputDim: 7, outputDim: 6, inputLength: 4, inputShape: [4] }), tfl.layers.reshape({ targetShape: [8, 3] }),
      tfl.layers.simpleRNN({ units: 3, recurrentInitializer: 'glorotUniform' }), tfl.layers.dense({ units: 2 }),
    ] });
    randomize(tm, 13);
    const x = tokens(3, 4, 7, 14);
    const m = await io.fromTfjsLayers(await tfSave(tm));
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'Reshape', 'SimpleRNN', 'Dense']);
    expectClose(m.predict(x).data, tfPredict(tm, x), 'imported embedding/reshape/rnn');
    tm.dispose(); m.dispose();
  });

  const refuse = async (ls: () => tfl.layers.Layer[], needles: string[]) => {
    const tm = tfl.sequential({ layers: ls() });
    const a = await tfSave(tm);
    await expectError(() => io.fromTfjsLayers(a), ['fromTfjsLayers', ...needles]);
    tm.dispose();
  };
  it("refuses tfjs-layers' default hardSigmoid gates", () => refuse(() => [tfl.layers.lstm({ inputShape: [3, 2], units: 3, name: 'rnn', recurrentInitializer: 'glorotUniform' })],
    ["'rnn' (LSTM)", 'recurrentActivation', 'hard_sigmoid', "recurrentActivation: 'sigmoid'"]));
  it('GRU (resetAfter false, sigmoid gates) → dense, random weights', async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.gru({ inputShape: [5, 3], units: 4, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }), tfl.layers.dense({ units: 2 }),
    ] });
    randomize(tm, 15);
    const x = randn([3, 5, 3], 16);
    const m = await io.fromTfjsLayers(await tfSave(tm));
    expect(m.layers[0].getConfig()).toMatchObject({ resetAfter: false });
    expectClose(m.predict(x).data, tfPredict(tm, x), 'imported GRU');
    expectSameWeights(tm, m, 'imported GRU');
    tm.dispose(); m.dispose();
  });
  it("refuses a GRU with tfjs-layers' default hardSigmoid gates", () => refuse(() => [tfl.layers.gru({ inputShape: [3, 2], units: 3, name: 'g', recurrentInitializer: 'glorotUniform' })],
    ["'g' (GRU)", 'hard_sigmoid']));
  it('refuses goBackwards and recurrent dropout', async () => {
    await refuse(() => [tfl.layers.simpleRNN({ inputShape: [3, 2], units: 3, goBackwards: true, name: 's', recurrentInitializer: 'glorotUniform' })], ["'s' (SimpleRNN)", 'goBackwards']);
    await refuse(() => [tfl.layers.simpleRNN({ inputShape: [3, 2], units: 3, recurrentDropout: 0.2, name: 's', recurrentInitializer: 'glorotUniform' })], ["'s' (SimpleRNN)", 'recurrentDropout']);
  });
});
