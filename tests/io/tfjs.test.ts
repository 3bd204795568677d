// io.toTfjsLayers / io.fromTfjsLayers against the real peer, @tensorflow/tfjs-layers on the
// cpu backend, both ways:
// - simdnet → TF.js: every model is trained a few Adam steps first (so kernels, biases,
//   PReLU slopes and batch-norm moving statistics are not their initial values), exported,
//   loaded with tf.loadLayersModel(tf.io.fromMemory(...)), and must predict the same
//   (max |tf − simdnet| ≤ 1e-4 · max |simdnet|) with the same weights bit for bit.
// - TF.js → simdnet: models built (with random weights, or trained with fit) in tfjs-layers,
//   saved with tf.io.withSaveHandler, imported, and compared the same way.
// - Round trips keep every weight bit for bit. Unsupported layers and options and malformed
//   artifacts are Errors naming the layer or field and why, and leave the wasm arena as it
//   was (nothing half-built).

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { runtime } from '../../bindings/index.js';
import { Sequential, io, layers, optimizers, regularizers, initializers, tensor, type Tensor } from '../../src/index.js';
import { maxAbs, normalRng, randn } from '../model/helpers.js';
import { expectClose, expectSameWeights, simdWeights, tfLoad, tfPredict, tfSave, tfWeights } from './tfjs-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type L = ReturnType<(typeof layers)[keyof typeof layers]>;
type Artifacts = ReturnType<typeof io.toTfjsLayers>;
const arena = () => runtime().arena;

/** A model of these layers trained `steps` Adam steps on random mse targets. */
function trained(inputShape: number[], ls: L[], { steps = 4, dtype = 'float32', seed = 7 }: { steps?: number; dtype?: 'float32' | 'float64'; seed?: number } = {}): Sequential {
  const m = new Sequential({ seed, dtype });
  ls.forEach((l) => m.add(l));
  m.build(inputShape);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
  const x = randn([8, ...inputShape], seed + 1);
  const y = randn([8, m.outputShape!.reduce((a, b) => a * b, 1)], seed + 2);
  for (let i = 0; i < steps; i++) m.trainOnBatch(x, y);
  return m;
}

/** Sets every TF.js weight to seeded random values (moving variances positive). */
function randomize(m: tfl.LayersModel, seed: number): void {
  const r = normalRng(seed);
  m.setWeights(m.weights.map((v) => {
    const n = v.shape.reduce((a, b) => a! * b!, 1)!;
    const variance = v.originalName.endsWith('moving_variance');
    return tf.tensor(Float32Array.from({ length: n }, () => (variance ? 0.5 + Math.abs(r()) : 0.5 * r())), v.shape as number[]);
  }));
}

function seq(ls: tfl.layers.Layer[]): tfl.Sequential {
  const m = tfl.sequential();
  ls.forEach((l) => m.add(l));
  return m;
}

/** Runs fn (sync or async), expects an Error with every needle, and the arena exactly as before. */
async function expectError(fn: () => unknown, needles: string[]): Promise<void> {
  const used = arena().used;
  let err: unknown = null;
  try { await fn(); } catch (e) { err = e; }
  expect(err, `expected an Error mentioning ${needles.join(', ')}`).toBeInstanceOf(Error);
  for (const n of needles) expect((err as Error).message).toContain(n);
  expect(arena().used, `arena after: ${(err as Error).message}`).toBe(used);
}

// ───────────────────────────── simdnet → TF.js ─────────────────────────────

interface ExportCase { name: string; input: number[]; make: () => L[]; classes: string[]; dtype?: 'float32' | 'float64' }

const exportCases: ExportCase[] = [
  {
    name: 'dense: relu + l2 + heNormal, sigmoid without bias, tanh, elu, linear', input: [6],
    make: () => [
      layers.dense({ units: 5, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: regularizers.l2(1e-3) }),
      layers.dense({ units: 5, activation: 'sigmoid', useBias: false }), layers.dense({ units: 5, activation: 'tanh' }),
      layers.dense({ units: 4, activation: 'elu' }), layers.dense({ units: 3 }),
    ],
    classes: ['Dense', 'Dense', 'Dense', 'Dense', 'Dense'],
  },
  {
    name: 'dense with a fused leakyRelu (exported as Dense + LeakyReLU)', input: [6],
    make: () => [layers.dense({ units: 5, activation: 'leakyRelu' }), layers.dense({ units: 2 })],
    classes: ['Dense', 'LeakyReLU', 'Dense'],
  },
  {
    name: "conv2d: 'same' with strides 2, 'valid' 3×2 without bias, fused leakyRelu", input: [9, 9, 2],
    make: () => [
      layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      layers.conv2d({ filters: 3, kernelSize: [3, 2], padding: 'valid', useBias: false, activation: 'tanh' }),
      layers.conv2d({ filters: 2, kernelSize: 1, activation: 'leakyRelu' }),
      layers.flatten(), layers.dense({ units: 3 }),
    ],
    classes: ['Conv2D', 'Conv2D', 'Conv2D', 'LeakyReLU', 'Flatten', 'Dense'],
  },
  {
    name: "pooling: max/avg, 'valid'/'same', rectangular windows and strides, global average", input: [9, 8, 2],
    make: () => [
      layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same' }),
      layers.maxPool2d({ poolSize: 2 }), layers.avgPool2d({ poolSize: 3, strides: 1, padding: 'same' }),
      layers.maxPool2d({ poolSize: [2, 3], strides: [1, 2], padding: 'same' }), layers.avgPool2d({ poolSize: 2, strides: [2, 1] }),
      layers.globalAvgPool2d(), layers.dense({ units: 2 }),
    ],
    classes: ['Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Dense'],
  },
  {
    name: 'flatten of images, and of flat inputs (a Reshape)', input: [4, 3, 2],
    make: () => [layers.flatten(), layers.dense({ units: 5 }), layers.flatten(), layers.dense({ units: 2 })],
    classes: ['Flatten', 'Dense', 'Reshape', 'Dense'],
  },
  {
    name: 'dropout', input: [6],
    make: () => [layers.dense({ units: 8, activation: 'relu' }), layers.dropout({ rate: 0.3 }), layers.dense({ units: 2 })],
    classes: ['Dense', 'Dropout', 'Dense'],
  },
  {
    name: 'batchNorm on images and features, center/scale off, other epsilon', input: [5, 5, 2],
    make: () => [
      layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), layers.batchNorm({ momentum: 0.5 }), layers.relu(), layers.flatten(),
      layers.dense({ units: 4 }), layers.batchNorm({ momentum: 0.5, center: false }), layers.batchNorm({ momentum: 0.6, scale: false, epsilon: 1e-2 }),
    ],
    classes: ['Conv2D', 'BatchNormalization', 'ReLU', 'Flatten', 'Dense', 'BatchNormalization', 'BatchNormalization'],
  },
  {
    name: 'layerNorm on features, center/scale off; groupNorm with 1 group', input: [6],
    make: () => [
      layers.dense({ units: 5 }), layers.layerNorm(), layers.dense({ units: 4 }), layers.layerNorm({ center: false, epsilon: 1e-2 }),
      layers.layerNorm({ scale: false }), layers.groupNorm({ groups: 1 }), layers.dense({ units: 2 }),
    ],
    classes: ['Dense', 'LayerNormalization', 'Dense', 'LayerNormalization', 'LayerNormalization', 'LayerNormalization', 'Dense'],
  },
  {
    name: 'prelu on features and on images (shared_axes [1, 2])', input: [4, 4, 2],
    make: () => [
      layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), layers.prelu(), layers.flatten(), layers.dense({ units: 5 }),
      layers.prelu({ alphaInitializer: initializers.constant({ value: 0.1 }) }), layers.dense({ units: 2 }),
    ],
    classes: ['Conv2D', 'PReLU', 'Flatten', 'Dense', 'PReLU', 'Dense'],
  },
  {
    name: 'activation layers: sigmoid, tanh, relu, leakyRelu, elu, activation({…})', input: [6],
    make: () => [
      layers.dense({ units: 5 }), layers.sigmoid(), layers.dense({ units: 5 }), layers.tanh(), layers.dense({ units: 5 }), layers.relu(),
      layers.dense({ units: 5 }), layers.leakyRelu({ alpha: 0.2 }), layers.dense({ units: 5 }), layers.elu(),
      layers.activation({ activation: 'tanh' }), layers.activation({ activation: 'leakyRelu', alpha: 0.1 }),
      layers.activation({ activation: 'linear' }), layers.dense({ units: 2 }),
    ],
    classes: ['Dense', 'Activation', 'Dense', 'Activation', 'Dense', 'ReLU', 'Dense', 'LeakyReLU', 'Dense', 'ELU', 'Activation', 'LeakyReLU', 'Activation', 'Dense'],
  },
  {
    name: 'CNN: conv same/valid + strides + batchNorm + relu + pool + flatten + dense (TF.js-spelled factories)', input: [10, 10, 3],
    make: () => [
      layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }), layers.batchNormalization({ momentum: 0.5 }), layers.reLU(),
      layers.maxPooling2d({ poolSize: 2 }), layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      layers.averagePooling2d({ poolSize: 2, padding: 'same' }), layers.flatten(), layers.dense({ units: 16, activation: 'relu' }),
      layers.dropout({ rate: 0.2 }), layers.dense({ units: 4 }),
    ],
    classes: ['Conv2D', 'BatchNormalization', 'ReLU', 'MaxPooling2D', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dense', 'Dropout', 'Dense'],
  },
  {
    name: 'MLP: dropout, prelu, elu, leakyRelu, layerNorm', input: [12],
    make: () => [
      layers.dense({ units: 16 }), layers.prelu(), layers.dropout({ rate: 0.25 }), layers.dense({ units: 12 }), layers.elu(),
      layers.dense({ units: 10 }), layers.leakyReLU({ alpha: 0.05 }), layers.layerNormalization(), layers.dense({ units: 3 }),
    ],
    classes: ['Dense', 'PReLU', 'Dropout', 'Dense', 'ELU', 'Dense', 'LeakyReLU', 'LayerNormalization', 'Dense'],
  },
  {
    name: 'a float64 model (exported in float32)', input: [6], dtype: 'float64',
    make: () => [layers.dense({ units: 5, activation: 'tanh' }), layers.batchNorm({ momentum: 0.5 }), layers.dense({ units: 2 })],
    classes: ['Dense', 'BatchNormalization', 'Dense'],
  },
  {
    name: 'softmax: fused on dense and conv2d (channels), layers.softmax(), activation({softmax})', input: [4, 4, 2],
    make: () => [
      layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'softmax' }), layers.flatten(),
      layers.dense({ units: 6 }), layers.softmax(), layers.dense({ units: 5 }), layers.activation({ activation: 'softmax' }),
      layers.dense({ units: 4, activation: 'softmax' }),
    ],
    classes: ['Conv2D', 'Flatten', 'Dense', 'Softmax', 'Dense', 'Activation', 'Dense'],
  },
];

describe('simdnet → TF.js: tf.loadLayersModel loads the artifacts and predicts the same', () => {
  for (const c of exportCases) {
    it(c.name, async () => {
      const m = trained(c.input, c.make(), { dtype: c.dtype });
      const a = io.toTfjsLayers(m);
      expect(a.format).toBe('layers-model');
      const tm = await tfLoad(a);
      expect(tm.layers.map((l) => l.getClassName())).toEqual(c.classes);
      for (const x of [randn([5, ...c.input], 11), randn([1, ...c.input], 12)]) expectClose(tfPredict(tm, x), m.predict(x).data, `${c.name} (batch ${x.shape[0]})`);
      const want = new Map([...simdWeights(m)].map(([k, v]) => [k, Float32Array.from(v)]));
      expectSameWeights(tfWeights(tm), want, c.name);
      tm.dispose();
      m.dispose();
    });
  }

  it('writes the Keras JSON tfjs-layers writes: snake_case, batch_input_shape on the first layer, weight names and shapes', () => {
    const m = trained([5, 5, 2], [
      layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelRegularizer: regularizers.l2(0.01), name: 'conv' }),
      layers.batchNorm({ name: 'bn' }), layers.prelu({ name: 'act' }), layers.flatten({ name: 'flat' }), layers.dense({ units: 2, name: 'head' }),
    ]);
    const a = io.toTfjsLayers(m);
    const topo = a.modelTopology;
    expect(topo.class_name).toBe('Sequential');
    const [conv, bn, act] = topo.config.layers;
    expect(conv.config).toMatchObject({
      name: 'conv', filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
      use_bias: true, activation: 'linear', batch_input_shape: [null, 5, 5, 2], dtype: 'float32',
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
      kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } },
    });
    expect(bn.config).toMatchObject({ axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true });
    expect(act.config).toMatchObject({ shared_axes: [1, 2], alpha_initializer: { class_name: 'Constant', config: { value: 0.25 } } });
    expect(a.weightSpecs).toEqual([
      { name: 'conv/kernel', shape: [3, 3, 2, 3], dtype: 'float32' }, { name: 'conv/bias', shape: [3], dtype: 'float32' },
      { name: 'bn/gamma', shape: [3], dtype: 'float32' }, { name: 'bn/beta', shape: [3], dtype: 'float32' },
      { name: 'bn/moving_mean', shape: [3], dtype: 'float32' }, { name: 'bn/moving_variance', shape: [3], dtype: 'float32' },
      { name: 'act/alpha', shape: [1, 1, 3], dtype: 'float32' },
      { name: 'head/kernel', shape: [75, 2], dtype: 'float32' }, { name: 'head/bias', shape: [2], dtype: 'float32' },
    ]);
    expect(a.weightData.byteLength).toBe(4 * (54 + 3 + 3 * 4 + 3 + 150 + 2));
    // JSON-able as a model.json is
    expect(JSON.parse(JSON.stringify(a.modelTopology))).toEqual(a.modelTopology);
    m.dispose();
  });

  it('TF.js can train on what it loaded (the topology is a working Keras model, not only a predictor)', async () => {
    const m = trained([6], [layers.dense({ units: 5, activation: 'relu', kernelRegularizer: regularizers.l2(1e-3) }), layers.batchNorm(), layers.dropout({ rate: 0.2 }), layers.dense({ units: 2 })]);
    const tm = await tfLoad(io.toTfjsLayers(m));
    tm.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await tm.fit(tf.randomNormal([16, 6]), tf.randomNormal([16, 2]), { epochs: 2, batchSize: 8, verbose: 0 });
    expect(h.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    tm.dispose();
    m.dispose();
  });
});

// ───────────────────────────── TF.js → simdnet ─────────────────────────────

interface ImportCase { name: string; input: number[]; make: () => tfl.layers.Layer[]; classes: string[] }

const importCases: ImportCase[] = [
  {
    name: 'Dense: relu + l2 + heNormal, sigmoid without bias, tanh, elu, linear', input: [6],
    make: () => [
      tfl.layers.dense({ inputShape: [6], units: 5, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: tfl.regularizers.l2({ l2: 1e-3 }) }),
      tfl.layers.dense({ units: 5, activation: 'sigmoid', useBias: false }), tfl.layers.dense({ units: 5, activation: 'tanh' }),
      tfl.layers.dense({ units: 4, activation: 'elu' }), tfl.layers.dense({ units: 3 }),
    ],
    classes: ['Dense', 'Dense', 'Dense', 'Dense', 'Dense'],
  },
  {
    name: "Conv2D: 'same' strides 2, 'valid' 3×2 without bias, explicit channelsLast and dilation 1", input: [9, 9, 2],
    make: () => [
      tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: [3, 2], useBias: false, activation: 'tanh', dataFormat: 'channelsLast', dilationRate: 1 }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 3 }),
    ],
    classes: ['Conv2D', 'Conv2D', 'Flatten', 'Dense'],
  },
  {
    name: 'MaxPooling2D, AveragePooling2D (same/valid, strides), GlobalAveragePooling2D', input: [9, 8, 2],
    make: () => [
      tfl.layers.conv2d({ inputShape: [9, 8, 2], filters: 3, kernelSize: 2, padding: 'same' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      tfl.layers.maxPooling2d({ poolSize: [2, 3], strides: [1, 2], padding: 'same' }), tfl.layers.averagePooling2d({ poolSize: 2, strides: [2, 1] }),
      tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 2 }),
    ],
    classes: ['Conv2D', 'MaxPool2D', 'AvgPool2D', 'MaxPool2D', 'AvgPool2D', 'GlobalAvgPool2D', 'Dense'],
  },
  {
    name: 'Flatten, Reshape to flat, Dropout', input: [4, 3, 2],
    make: () => [
      tfl.layers.flatten({ inputShape: [4, 3, 2] }), tfl.layers.dense({ units: 5 }), tfl.layers.reshape({ targetShape: [5] }),
      tfl.layers.dropout({ rate: 0.3 }), tfl.layers.dense({ units: 2 }),
    ],
    classes: ['Flatten', 'Dense', 'Flatten', 'Dropout', 'Dense'],
  },
  {
    name: 'BatchNormalization: images, features (axis 1), center/scale off', input: [5, 5, 2],
    make: () => [
      tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, padding: 'same' }), tfl.layers.batchNormalization({ axis: 3 }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 4 }), tfl.layers.batchNormalization({ center: false, axis: 1 }),
      tfl.layers.batchNormalization({ scale: false, epsilon: 1e-2, momentum: 0.9 }),
    ],
    classes: ['Conv2D', 'BatchNorm', 'Flatten', 'Dense', 'BatchNorm', 'BatchNorm'],
  },
  {
    name: 'LayerNormalization on features (axis −1, [1]), center/scale off', input: [6],
    make: () => [
      tfl.layers.dense({ inputShape: [6], units: 5 }), tfl.layers.layerNormalization({}), tfl.layers.layerNormalization({ axis: [1], center: false, epsilon: 1e-2 }),
      tfl.layers.layerNormalization({ scale: false }), tfl.layers.dense({ units: 2 }),
    ],
    classes: ['Dense', 'LayerNorm', 'LayerNorm', 'LayerNorm', 'Dense'],
  },
  {
    name: 'PReLU on features and on images with sharedAxes [1, 2]', input: [4, 4, 2],
    make: () => [
      tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 3, padding: 'same' }), tfl.layers.prelu({ sharedAxes: [1, 2] }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 5 }), tfl.layers.prelu({}), tfl.layers.dense({ units: 2 }),
    ],
    classes: ['Conv2D', 'PReLU', 'Flatten', 'Dense', 'PReLU', 'Dense'],
  },
  {
    name: 'ReLU, LeakyReLU (default alpha 0.3), ELU, Activation (sigmoid, tanh, relu, elu, linear)', input: [6],
    make: () => [
      tfl.layers.dense({ inputShape: [6], units: 5 }), tfl.layers.reLU(), tfl.layers.dense({ units: 5 }), tfl.layers.leakyReLU(),
      tfl.layers.dense({ units: 5 }), tfl.layers.leakyReLU({ alpha: 0.05 }), tfl.layers.elu(), tfl.layers.activation({ activation: 'sigmoid' }),
      tfl.layers.dense({ units: 5 }), tfl.layers.activation({ activation: 'tanh' }), tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.activation({ activation: 'elu' }), tfl.layers.activation({ activation: 'linear' }), tfl.layers.dense({ units: 2 }),
    ],
    classes: ['Dense', 'Relu', 'Dense', 'LeakyRelu', 'Dense', 'LeakyRelu', 'Elu', 'Activation', 'Dense', 'Activation', 'Activation', 'Activation', 'Activation', 'Dense'],
  },
  {
    name: 'an InputLayer first', input: [6],
    make: () => [tfl.layers.inputLayer({ inputShape: [6] }), tfl.layers.dense({ units: 4, activation: 'relu' }), tfl.layers.dense({ units: 2 })],
    classes: ['Dense', 'Dense'],
  },
  {
    name: 'softmax: fused (Dense, Conv2D), Softmax layer (default axis 1 on features, −1), Activation softmax', input: [4, 4, 2],
    make: () => [
      tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'softmax' }), tfl.layers.flatten(),
      tfl.layers.dense({ units: 6 }), tfl.layers.softmax(), tfl.layers.dense({ units: 5 }), tfl.layers.softmax({ axis: -1 }),
      tfl.layers.activation({ activation: 'softmax' }), tfl.layers.dense({ units: 4, activation: 'softmax' }),
    ],
    classes: ['Conv2D', 'Flatten', 'Dense', 'Softmax', 'Dense', 'Softmax', 'Activation', 'Dense'],
  },
];

describe('TF.js → simdnet: io.fromTfjsLayers builds a Sequential that predicts the same', () => {
  importCases.forEach((c, k) => {
    it(c.name, async () => {
      const tm = seq(c.make());
      randomize(tm, 100 + k);
      const a = await tfSave(tm);
      const used = arena().used;
      const m = await io.fromTfjsLayers(a, { seed: 1 });
      expect(m.layers.map((l) => l.className)).toEqual(c.classes);
      expect(m.inputShape).toEqual(c.input);
      for (const x of [randn([5, ...c.input], 21), randn([1, ...c.input], 22)]) expectClose(m.predict(x).data, tfPredict(tm, x), `${c.name} (batch ${x.shape[0]})`);
      expectSameWeights(simdWeights(m), tfWeights(tm), c.name);
      m.dispose();
      expect(arena().used, 'the imported model gives its memory back').toBe(used);
      tm.dispose();
    });
  });

  it('a CNN with BatchNormalization TRAINED in TF.js (fit, non-trivial moving statistics) predicts the same in simdnet, and trains on', async () => {
    const tm = seq([
      tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same' }), tfl.layers.batchNormalization({ momentum: 0.8 }),
      tfl.layers.reLU(), tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu' }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 8 }), tfl.layers.batchNormalization({ momentum: 0.8 }), tfl.layers.prelu({}),
      tfl.layers.dropout({ rate: 0.2 }), tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    tm.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.add(tf.mul(tf.randomNormal([32, 8, 8, 2], 0, 1, 'float32', 5), 2), 1); // far from N(0, 1): the moving statistics move
    const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3);
    await tm.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });
    const w = tfWeights(tm);
    const mean = w.get(tm.layers[1].name + '/moving_mean')!;
    const variance = w.get(tm.layers[1].name + '/moving_variance')!;
    expect(maxAbs(mean), 'moving mean moved').toBeGreaterThan(0.05);
    expect(Math.max(...Array.from(variance, (v) => Math.abs(v - 1))), 'moving variance moved').toBeGreaterThan(0.05);
    const a = await tfSave(tm);
    const m = await io.fromTfjsLayers(a, { seed: 3 });
    const x = tensor(Float32Array.from(tf.randomNormal([6, 8, 8, 2], 1, 2, 'float32', 9).dataSync()), [6, 8, 8, 2]);
    expectClose(m.predict(x).data, tfPredict(tm, x), 'trained CNN');
    expectSameWeights(simdWeights(m), w, 'trained CNN');
    // it is an ordinary simdnet model: it compiles and trains
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const before = m.predict(x).data.slice();
    await m.fit(tensor(Float32Array.from(xs.dataSync()), [32, 8, 8, 2]), tensor(Float32Array.from(ys.dataSync()), [32, 3]), { epochs: 1, batchSize: 8 });
    expect(Array.from(m.predict(x).data)).not.toEqual(Array.from(before));
    m.dispose();
    tm.dispose();
    tf.dispose([xs, ys]);
  });

  it('reads Keras (Python) JSON as tensorflowjs_converter writes it: model_config, InputLayer, class-name initializers, dtype policies, scoped weight names', async () => {
    const tm = seq([tfl.layers.dense({ inputShape: [4], units: 3, activation: 'relu', name: 'dense' }), tfl.layers.dense({ units: 2, name: 'dense_1' })]);
    randomize(tm, 71);
    const { weightData, weightSpecs } = await tfSave(tm);
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const dense = (name: string, units: number, activation: string) => ({
      module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, 4] },
      config: {
        name, trainable: true, dtype: policy, units, activation, use_bias: true,
        kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
        bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
        kernel_regularizer: { class_name: 'L2', config: { l2: 0.001 } }, bias_regularizer: null, activity_regularizer: null,
        kernel_constraint: null, bias_constraint: null, lora_rank: null,
      },
    });
    const modelTopology = {
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential', trainable: true, dtype: policy,
          layers: [
            { class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' } },
            dense('dense', 3, 'relu'), dense('dense_1', 2, 'linear'),
          ],
        },
      },
      keras_version: '3.4.1', backend: 'tensorflow', training_config: { loss: 'mse' },
    };
    const specs = weightSpecs!.map((w, i) => ({ ...w, name: `sequential/${w.name}${i % 2 ? ':0' : ''}` }));
    const m = await io.fromTfjsLayers({ modelTopology, weightSpecs: specs, weightData, format: 'layers-model', generatedBy: 'keras v3.4.1', convertedBy: 'TensorFlow.js Converter v4.22.0' });
    expect(m.name).toBe('sequential');
    expect(m.layers.map((l) => [l.className, l.name])).toEqual([['Dense', 'dense'], ['Dense', 'dense_1']]);
    expect(m.layers[0].getConfig()).toMatchObject({ activation: 'relu', kernelInitializer: { className: 'glorotUniform' }, kernelRegularizer: { className: 'l2', config: { lambda: 0.001 } } });
    const x = randn([5, 4], 72);
    expectClose(m.predict(x).data, tfPredict(tm, x), 'Keras JSON');
    m.dispose();
    tm.dispose();
  });

  it('reads the initializers and the regularizer back (a re-initialized layer draws from the same family)', async () => {
    const tm = seq([
      tfl.layers.dense({ inputShape: [4], units: 3, kernelInitializer: 'glorotNormal', biasInitializer: tfl.initializers.constant({ value: 0.5 }), kernelRegularizer: tfl.regularizers.l2({ l2: 0.02 }) }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.randomNormal({ mean: 0.1, stddev: 0.2 }), biasInitializer: 'ones' }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.4 }), biasInitializer: tfl.initializers.truncatedNormal({ stddev: 0.1 }) }),
      tfl.layers.dense({ units: 3, kernelInitializer: 'leCunUniform', biasInitializer: 'zeros' }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform' }) }),
      tfl.layers.prelu({ alphaInitializer: tfl.initializers.constant({ value: 0.25 }) }),
    ]);
    const m = await io.fromTfjsLayers(await tfSave(tm));
    const cfgs = m.layers.map((l) => l.getConfig());
    expect(cfgs[0]).toMatchObject({ kernelInitializer: { className: 'glorotNormal' }, biasInitializer: { className: 'constant', config: { value: 0.5 } }, kernelRegularizer: { className: 'l2', config: { lambda: 0.02 } } });
    expect(cfgs[1]).toMatchObject({ kernelInitializer: { className: 'randomNormal', config: { mean: 0.1, stddev: 0.2 } }, biasInitializer: { className: 'ones' }, kernelRegularizer: null });
    expect(cfgs[2]).toMatchObject({ kernelInitializer: { className: 'randomUniform', config: { minval: -0.3, maxval: 0.4 } }, biasInitializer: { className: 'randomNormal', config: { mean: 0, stddev: 0.1 } } });
    expect(cfgs[3]).toMatchObject({ kernelInitializer: { className: 'lecunUniform' }, biasInitializer: { className: 'zeros' } });
    expect(cfgs[4]).toMatchObject({ kernelInitializer: { className: 'glorotUniform' } }); // nearest: fan_out → glorot
    expect(cfgs[5]).toMatchObject({ alphaInitializer: { className: 'constant', config: { value: 0.25 } } });
    m.dispose();
    tm.dispose();
  });
});

// ───────────────────────────── initializers and round trips ─────────────────────────────

describe('initializers: each simdnet initializer maps to a TF.js one that tfjs-layers builds, and back', () => {
  const cases: [string, unknown, string, { class_name: string; config: Record<string, unknown> }][] = [
    ['zeros', 'zeros', 'zeros', { class_name: 'Zeros', config: {} }],
    ['ones', 'ones', 'ones', { class_name: 'Ones', config: {} }],
    ['constant', initializers.constant({ value: 0.3 }), 'constant', { class_name: 'Constant', config: { value: 0.3 } }],
    ['randomNormal', initializers.randomNormal({ mean: 0.1, stddev: 0.2 }), 'randomNormal', { class_name: 'RandomNormal', config: { mean: 0.1, stddev: 0.2, seed: null } }],
    ['randomUniform', initializers.randomUniform({ minval: -0.2, maxval: 0.1 }), 'randomUniform', { class_name: 'RandomUniform', config: { minval: -0.2, maxval: 0.1, seed: null } }],
    ['smallRandom (lossy name)', 'smallRandom', 'randomNormal', { class_name: 'RandomNormal', config: { mean: 0, stddev: 0.01, seed: null } }],
    ['xavier (lossy name; N(0, 1/fanIn) for this layer)', 'xavier', 'randomNormal', { class_name: 'RandomNormal', config: { mean: 0, stddev: 0.5, seed: null } }],
    ['glorotUniform', 'glorotUniform', 'glorotUniform', { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } }],
    ['glorotNormal', 'glorotNormal', 'glorotNormal', { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } }],
    ['heUniform', 'heUniform', 'heUniform', { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'uniform', seed: null } }],
    ['heNormal', 'heNormal', 'heNormal', { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'normal', seed: null } }],
    ['lecunUniform', 'lecunUniform', 'lecunUniform', { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'uniform', seed: null } }],
    ['lecunNormal', 'lecunNormal', 'lecunNormal', { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'normal', seed: null } }],
  ];
  for (const [name, init, back, tfJson] of cases) {
    it(name, async () => {
      const m = new Sequential({ seed: 1 });
      m.add(layers.dense({ units: 3, inputShape: [4], kernelInitializer: init as 'zeros', biasInitializer: init as 'zeros' }));
      const a = io.toTfjsLayers(m);
      const cfg = a.modelTopology.config.layers[0].config;
      expect(cfg.kernel_initializer).toEqual(tfJson);
      expect(cfg.bias_initializer).toEqual(tfJson);
      const tm = await tfLoad(a); // tfjs-layers deserializes it
      expect(tm.layers[0].getConfig().kernelInitializer).toBeTruthy();
      const m2 = await io.fromTfjsLayers(a);
      expect((m2.layers[0].getConfig().kernelInitializer as { className: string }).className).toBe(back);
      for (const x of [m, m2]) x.dispose();
      tm.dispose();
    });
  }

  it('Keras class names and odd VarianceScaling parameters map to the nearest simdnet initializer', async () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 3, inputShape: [4] }));
    const a = io.toTfjsLayers(m);
    const cfg = a.modelTopology.config.layers[0].config;
    const expectInit = async (tfInit: unknown, want: string) => {
      cfg.kernel_initializer = tfInit;
      const m2 = await io.fromTfjsLayers(a);
      expect((m2.layers[0].getConfig().kernelInitializer as { className: string }).className, JSON.stringify(tfInit)).toBe(want);
      m2.dispose();
    };
    await expectInit({ class_name: 'GlorotUniform', config: { seed: null } }, 'glorotUniform');
    await expectInit({ class_name: 'HeNormal', config: {} }, 'heNormal');
    await expectInit({ class_name: 'LecunNormal', config: {} }, 'lecunNormal');
    await expectInit({ class_name: 'LeCunUniform', config: {} }, 'lecunUniform');
    await expectInit('glorot_uniform', 'glorotUniform');
    await expectInit({ class_name: 'Orthogonal', config: { gain: 1 } }, 'orthogonal');
    await expectInit({ class_name: 'Identity', config: { gain: 1 } }, 'glorotUniform');
    await expectInit({ class_name: 'TruncatedNormal', config: { mean: 0, stddev: 0.1 } }, 'randomNormal');
    await expectInit({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'untruncated_normal' } }, 'xavier');
    await expectInit({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal' } }, 'heNormal');
    await expectInit({ class_name: 'VarianceScaling', config: { scale: 0.5, mode: 'fan_in', distribution: 'uniform' } }, 'lecunUniform');
    await expectInit({ class_name: 'VarianceScaling', config: { scale: 3, mode: 'fan_avg', distribution: 'normal' } }, 'glorotNormal');
    await expectError(() => io.fromTfjsLayers((cfg.kernel_initializer = { class_name: 'MyInit', config: {} }, a)), ["initializer 'MyInit' has no simdnet equivalent", 'kernelInitializer']);
    m.dispose();
  });
});

describe('round trips keep every weight bit for bit', () => {
  it('simdnet → TF.js → simdnet: same layers, configs, weights and predictions (CNN and MLP)', async () => {
    const models = [
      trained([8, 8, 3], [
        layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: 'heNormal', kernelRegularizer: regularizers.l2(1e-4) }),
        layers.batchNorm({ momentum: 0.5 }), layers.relu(), layers.maxPool2d({ poolSize: 2 }),
        layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, activation: 'relu' }), layers.avgPool2d({ poolSize: 1 }), layers.globalAvgPool2d(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ]),
      trained([10], [
        layers.dense({ units: 12, kernelInitializer: 'lecunUniform' }), layers.prelu(), layers.dropout({ rate: 0.3 }), layers.dense({ units: 8 }), layers.elu(),
        layers.dense({ units: 8, useBias: false }), layers.leakyRelu({ alpha: 0.2 }), layers.layerNorm({ epsilon: 1e-2 }), layers.dense({ units: 2, activation: 'sigmoid' }),
      ]),
    ];
    for (const m of models) {
      const back = await io.fromTfjsLayers(io.toTfjsLayers(m), { seed: m.seed });
      const strip = (c: Record<string, unknown>) => { const { name: _n, ...rest } = c; return rest; };
      const generic = (l: { className: string; getConfig(): Record<string, unknown> }) => l.className;
      expect(back.layers.map(generic)).toEqual(m.layers.map(generic));
      expect(back.layers.map((l) => strip(l.getConfig()))).toEqual(m.layers.map((l) => strip(l.getConfig())));
      expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      expectSameWeights(simdWeights(back), simdWeights(m), 'simdnet → TF.js → simdnet');
      const x = randn([4, ...m.inputShape!], 31);
      expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
      back.dispose();
      m.dispose();
    }
  });

  it('TF.js → simdnet → TF.js: the same topology tfjs-layers reads, weights and predictions', async () => {
    const tm = seq([
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), tfl.layers.batchNormalization({}),
      tfl.layers.prelu({ sharedAxes: [1, 2] }), tfl.layers.averagePooling2d({ poolSize: 2 }), tfl.layers.flatten(), tfl.layers.dense({ units: 6 }),
      tfl.layers.leakyReLU({ alpha: 0.1 }), tfl.layers.layerNormalization({}), tfl.layers.dropout({ rate: 0.1 }), tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    randomize(tm, 41);
    const m = await io.fromTfjsLayers(await tfSave(tm));
    const tm2 = await tfLoad(io.toTfjsLayers(m));
    expect(tm2.layers.map((l) => l.getClassName())).toEqual(tm.layers.map((l) => l.getClassName()));
    expect(tm2.layers.map((l) => l.name)).toEqual(tm.layers.map((l) => l.name));
    // NOTE: options left undefined when a layer was made read back as null: the same to tfjs-layers
    const cfg = (l: tfl.layers.Layer) => {
      const { name: _n, batchInputShape: _b, dtype: _d, ...rest } = l.getConfig() as Record<string, unknown>;
      return JSON.parse(JSON.stringify(rest, (_k, v) => (v === undefined ? null : v)));
    };
    expect(tm2.layers.map(cfg)).toEqual(tm.layers.map(cfg));
    expectSameWeights(tfWeights(tm2), tfWeights(tm), 'TF.js → simdnet → TF.js');
    const x = randn([3, 6, 6, 2], 42);
    expect(Array.from(tfPredict(tm2, x))).toEqual(Array.from(tfPredict(tm, x)));
    m.dispose();
    tm.dispose();
    tm2.dispose();
  });
});

// ───────────────────────────── bad input ─────────────────────────────

describe('what TF.js cannot express is an Error naming the layer and why', () => {
  const cases: [string, number[], () => L[], string[]][] = [
    ['maxout', [6], () => [layers.maxout({ units: 3, pieces: 2 })], ["Maxout 'maxout", 'no maxout layer']],
    ['groupNorm with 2 groups', [4, 4, 4], () => [layers.groupNorm({ groups: 2 })], ["GroupNorm 'group_norm", 'no GroupNormalization']],
    ['instanceNorm', [4, 4, 2], () => [layers.instanceNorm()], ["InstanceNorm 'instance_norm", 'no InstanceNormalization']],
    ['layerNorm on images', [4, 4, 2], () => [layers.layerNorm({ name: 'ln' })], ["LayerNorm 'ln'", 'normalizes over the last axis only', 'flat [batch, features]']],
    ['elu with alpha 0.5', [6], () => [layers.elu({ alpha: 0.5, name: 'e' })], ["Elu 'e'", 'alpha is 0.5', 'only alpha 1']],
  ];
  for (const [name, input, make, needles] of cases) {
    it(name, async () => {
      const m = trained(input, make(), { steps: 0 });
      await expectError(() => io.toTfjsLayers(m), ['toTfjsLayers', ...needles]);
      m.dispose();
    });
  }

  it('a model that is not built and has no input shape, a disposed model, not a model', async () => {
    const m = new Sequential();
    m.add(layers.dense({ units: 2 }));
    await expectError(() => io.toTfjsLayers(m), ['is not built']);
    m.dispose();
    await expectError(() => io.toTfjsLayers(m), ['has been disposed']);
    await expectError(() => io.toTfjsLayers({} as Sequential), ['expects a model (Sequential or Model)']);
  });
});

describe('fromTfjsLayers refuses what simdnet cannot reproduce, naming the layer and why, with nothing left allocated', () => {
  const refuse = async (ls: () => tfl.layers.Layer[], needles: string[]) => {
    const tm = seq(ls());
    const a = await tfSave(tm);
    await expectError(() => io.fromTfjsLayers(a), ['fromTfjsLayers', ...needles]);
    tm.dispose();
  };

  // (recurrent layers, embedding and reshape: tests/recurrent/tfjs-rnn.test.ts)
  it('a layer class simdnet does not have', () => refuse(() => [tfl.layers.dense({ inputShape: [4], units: 6 }), tfl.layers.repeatVector({ n: 2, name: 'rv' })],
    ["'rv' (RepeatVector)", "layer class 'RepeatVector' has no simdnet equivalent"]));
  it('Conv2D channelsFirst', () => refuse(() => [tfl.layers.conv2d({ inputShape: [2, 6, 6], filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', name: 'c' })],
    ["'c' (Conv2D)", "dataFormat the string 'channels_first'", 'channels-last']));
  it('Conv2D dilationRate 2', () => refuse(() => [tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, dilationRate: 2, name: 'c' })],
    ["'c' (Conv2D)", 'dilationRate [2, 2]', 'no dilation']));
  it('LayerNormalization on images', () => refuse(() => [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }), tfl.layers.layerNormalization({ name: 'ln' })],
    ["'ln' (LayerNormalization)", 'per-sample shape [4, 4, 2]', 'only on flat [batch, features] inputs']));
  it('LayerNormalization over all axes of images', () => refuse(() => [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }), tfl.layers.layerNormalization({ axis: [1, 2, 3], name: 'ln' })],
    ["'ln' (LayerNormalization)", 'one gamma/beta per channel']));
  it('PReLU on images without sharedAxes', () => refuse(() => [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }), tfl.layers.prelu({ name: 'p' })],
    ["'p' (PReLU)", 'alpha of shape [4, 4, 2]', 'one per channel', 'sharedAxes [1,2]']));
  it('BatchNormalization over axis 1 of images', () => refuse(() => [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }), tfl.layers.batchNormalization({ axis: 1, name: 'bn' })],
    ["'bn' (BatchNormalization)", 'axis 1 is not supported', 'last (channel) axis']));
  it("Softmax over TF.js's default axis 1 of images", () => refuse(() => [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }), tfl.layers.softmax({ name: 's' })],
    ["'s' (Softmax)", 'axis 1 is not supported', 'last axis']));
  it('Dense on a rank-3 input', () => refuse(() => [tfl.layers.dense({ inputShape: [3, 4], units: 2, name: 'd' })],
    ["'d' (Dense)", 'applies to the last axis', 'add a Flatten']));
  it('an activation simdnet does not have', () => refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2, activation: 'selu', name: 'd' })],
    ["'d' (Dense)", "activation the string 'selu' has no simdnet equivalent"]));
  it('an l1 regularizer', () => refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2, kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.01 }), name: 'd' })],
    ["'d' (Dense)", 'l1 0.01', 'l2 regularization only']));
  it('a bias regularizer and a constraint', async () => {
    await refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2, biasRegularizer: tfl.regularizers.l2(), name: 'd' })], ["'d' (Dense)", 'biasRegularizer', 'kernels only']);
    await refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2, kernelConstraint: tfl.constraints.maxNorm({ maxValue: 2 }), name: 'd' })], ["'d' (Dense)", 'kernelConstraint', 'no weight constraints']);
  });
  it('ReLU with maxValue (relu6)', () => refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2 }), tfl.layers.reLU({ maxValue: 6, name: 'r6' })],
    ["'r6' (ReLU)", 'maxValue 6', 'no capped relu']));
  it('Dropout with a noise shape', () => refuse(() => [tfl.layers.dense({ inputShape: [4], units: 2 }), tfl.layers.dropout({ rate: 0.5, noiseShape: [1, 2], name: 'dr' })],
    ["'dr' (Dropout)", 'noiseShape', 'each element independently']));
  it('a first layer without an input shape', async () => {
    const tm = seq([tfl.layers.dense({ inputShape: [4], units: 2 })]);
    const a = await tfSave(tm);
    delete (a.modelTopology as any).config.layers[0].config.batch_input_shape;
    await expectError(() => io.fromTfjsLayers(a), ['no batch_input_shape', 'needs the input shape']);
    tm.dispose();
  });
});

describe('malformed artifacts are Errors naming the problem, with nothing left allocated', () => {
  /** Fresh artifacts of a small model: dense 'd1' → batchNorm 'bn' → dense 'd2'. */
  async function artifacts(): Promise<tf.io.ModelArtifacts & { modelTopology: any; weightSpecs: tf.io.WeightsManifestEntry[] }> {
    const tm = seq([
      tfl.layers.dense({ inputShape: [4], units: 3, name: 'd1' }), tfl.layers.batchNormalization({ name: 'bn' }), tfl.layers.dense({ units: 2, name: 'd2' }),
    ]);
    randomize(tm, 51);
    const { weightData, ...rest } = await tfSave(tm);
    tm.dispose();
    return { ...JSON.parse(JSON.stringify(rest)), weightData: (weightData as ArrayBuffer).slice(0) };
  }
  const f32 = (a: { weightData?: unknown }) => new Float32Array(a.weightData as ArrayBuffer);

  it('the good artifacts load (the baseline of the mutations below)', async () => {
    const m = await io.fromTfjsLayers(await artifacts());
    expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNorm', 'Dense']);
    m.dispose();
  });

  const mutations: [string, (a: any) => void, string[]][] = [
    ['missing weightData', (a) => { delete a.weightData; }, ['no weightData', 'lists 8 weights']],
    ['truncated weightData', (a) => { a.weightData = a.weightData.slice(0, 40); }, ['weightData has 40 bytes', 'need 140', 'truncated']],
    ['over-long weightData', (a) => { a.weightData = new Uint8Array(144).buffer; }, ['weightData has 144 bytes', 'over-long']],
    ['a weight shape mismatch', (a) => { a.weightSpecs[0].shape = [3, 4]; }, ["weight 'd1/kernel' has shape [3,4]", "'d1' (Dense) needs [4,3]"]],
    ['an unknown layer class', (a) => { a.modelTopology.config.layers[1].class_name = 'FancyNorm'; }, ["'bn' (FancyNorm)", "layer class 'FancyNorm' has no simdnet equivalent"]],
    ['a missing weight', (a) => { a.weightSpecs.splice(1, 1); a.weightData = concat(a.weightData.slice(0, 48), a.weightData.slice(60)); }, ["'d1' (Dense) needs the weight 'd1/bias'"]],
    ['an extra weight', (a) => { a.weightSpecs.push({ name: 'ghost/kernel', shape: [2], dtype: 'float32' }); a.weightData = concat(a.weightData, new ArrayBuffer(8)); }, ["'ghost/kernel' [2], which no layer of the topology has"]],
    ['a weight listed twice', (a) => { a.weightSpecs.push({ ...a.weightSpecs[0] }); a.weightData = concat(a.weightData, a.weightData.slice(0, 48)); }, ["weight 'd1/kernel' is listed twice"]],
    ['a quantized weight', (a) => { a.weightSpecs[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }, ["weight 'd1/kernel' is quantized", 'float32 weights only']],
    ['an int32 weight', (a) => { a.weightSpecs[0].dtype = 'int32'; }, ["weight 'd1/kernel' is the string 'int32'", 'float32 weights only']],
    ['a bad weight shape', (a) => { a.weightSpecs[0].shape = [4, -3]; }, ["'d1/kernel' shape must be an array of non-negative integers"]],
    ['a NaN weight (refused before anything is built)', (a) => { f32(a)[5] = NaN; }, ['d1/kernel', 'NaN at index 5']],
    ['a graph model', (a) => { a.format = 'graph-model'; }, ["format the string 'graph-model'", "only TF.js Layers models ('layers-model')"]],
    ['a Sequential topology labelled as a functional Model (no InputLayer)', (a) => { a.modelTopology.class_name = 'Model'; }, ['the functional model has no InputLayer']],
    ['another model class', (a) => { a.modelTopology.class_name = 'Graph'; }, ["the model is a the string 'Graph'", 'Sequential and functional']],
    ['no layers', (a) => { a.modelTopology.config.layers = []; }, ['config.layers must be a non-empty array']],
    ['no modelTopology', (a) => { delete a.modelTopology; }, ['no modelTopology']],
    ['no weightSpecs', (a) => { delete a.weightSpecs; }, ['no weightSpecs array']],
    ['an unknown layer option', (a) => { a.modelTopology.config.layers[2].config.units_per_head = 4; }, ["'d2' (Dense)", "unknown option 'unitsPerHead'"]],
    ['a bad option value', (a) => { a.modelTopology.config.layers[0].config.units = 'three'; }, ["'d1' (Dense)", "units must be a finite number, got the string 'three'"]],
    ['an option simdnet refuses', (a) => { a.modelTopology.config.layers[1].config.momentum = 1.5; }, ["'bn' (BatchNormalization)", 'momentum']],
    ['a float16 model', (a) => { a.modelTopology.config.layers[0].config.dtype = 'float16'; }, ["'d1' (Dense)", "dtype the string 'float16' is not supported"]],
    ['a __proto__ key', (a) => { a.modelTopology = JSON.parse(JSON.stringify(a.modelTopology).replace('"units":3', '"units":3,"__proto__":{"x":1}')); }, ["forbidden key '__proto__'"]],
    ['a duplicate layer name', (a) => { a.modelTopology.config.layers[2].config.name = 'd1'; }, ["weight 'd1/kernel' is claimed twice"]],
    ['not artifacts at all', (a) => { for (const k of Object.keys(a)) delete a[k]; a.modelTopology = 'not json'; a.weightSpecs = []; a.weightData = new ArrayBuffer(0); }, ['modelTopology is not valid JSON']],
  ];
  for (const [name, mutate, needles] of mutations) {
    it(name, async () => {
      const a = await artifacts();
      mutate(a);
      await expectError(() => io.fromTfjsLayers(a), ['fromTfjsLayers', ...needles]);
    });
  }

  it('options are checked', async () => {
    await expectError(async () => io.fromTfjsLayers(await artifacts(), { seeds: 1 } as never), ["unknown option 'seeds'", 'did you mean']);
    await expectError(async () => io.fromTfjsLayers(await artifacts(), { dtype: 'float16' as never }), ["dtype the string 'float16'"]);
    await expectError(() => io.fromTfjsLayers(null), ['expects TF.js ModelArtifacts']);
  });

  it('weightData as ArrayBuffer[] (TF.js shards) or a Uint8Array, and a float64 model', async () => {
    const a = await artifacts();
    const buf = a.weightData as ArrayBuffer;
    const ref = await io.fromTfjsLayers(a);
    for (const data of [[buf.slice(0, 20), buf.slice(20)], new Uint8Array(buf)]) {
      const m = await io.fromTfjsLayers({ ...a, weightData: data });
      expectSameWeights(simdWeights(m), simdWeights(ref), 'sharded');
      m.dispose();
    }
    const m64 = await io.fromTfjsLayers(a, { dtype: 'float64' });
    expect(m64.dtype).toBe('float64');
    const x = randn([3, 4], 61);
    expectClose(m64.predict(x).data, ref.predict(x).data, 'float64 import');
    m64.dispose();
    ref.dispose();
  });
});

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a), 0);
  out.set(new Uint8Array(b), a.byteLength);
  return out.buffer;
}
