// Functional models ⇄ TF.js Layers 'Model' topologies, against the real @tensorflow/tfjs-layers
// (cpu backend): a trained simdnet graph (residual block, concatenated branches, a shared
// layer, every merge layer) loads in tf.loadLayersModel and predicts the same with the same
// weights; a graph built in tfjs-layers (tf.model with add/concatenate and a layer applied
// twice) imports and predicts the same; round trips keep every weight bit.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { runtime } from '../../bindings/index.js';
import { Model, input, io, layers, optimizers, type SymbolicTensor } from '../../src/index.js';
import { normalRng, randn } from '../model/helpers.js';
import { expectClose, expectSameWeights, simdWeights, tfLoad, tfPredict, tfSave, tfWeights } from './tfjs-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A trained simdnet graph: residual conv block, branches merged every way, a shared dense. */
function simdGraph(): Model {
  const inp = input({ shape: [6, 6, 2], name: 'img' });
  const c1 = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(inp);
  let h: SymbolicTensor = layers.batchNorm().apply(layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(c1));
  h = layers.relu().apply(layers.add().apply([h, c1]));
  const f = layers.flatten().apply(layers.maxPool2d({ poolSize: 2 }).apply(h));
  const shared = layers.dense({ units: 6, activation: 'tanh' });
  const a = shared.apply(f);
  const b = shared.apply(layers.dense({ units: 27, activation: 'leakyRelu' }).apply(f));
  const merged = [layers.multiply().apply([a, b]), layers.average().apply([a, b]), layers.maximum().apply([a, b])];
  const out = layers.dense({ units: 3 }).apply(layers.concatenate().apply([layers.add().apply(merged), a]));
  const m = new Model({ inputs: inp, outputs: out, seed: 5 });
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
  const x = randn([8, 6, 6, 2], 1), y = randn([8, 3], 2);
  for (let i = 0; i < 4; i++) m.trainOnBatch(x, y);
  return m;
}

describe('functional models ⇄ TF.js Layers', () => {
  it('simdnet → TF.js: tf.loadLayersModel builds the same graph and predicts the same', async () => {
    const m = simdGraph();
    const a = io.toTfjsLayers(m);
    expect(a.modelTopology.class_name).toBe('Model');
    const tm = await tfLoad(a);
    const classes = tm.layers.map((l) => l.getClassName());
    for (const c of ['InputLayer', 'Add', 'Multiply', 'Average', 'Maximum', 'Concatenate', 'LeakyReLU']) expect(classes, c).toContain(c);
    for (const x of [randn([5, 6, 6, 2], 3), randn([1, 6, 6, 2], 4)]) expectClose(tfPredict(tm, x), m.predict(x).data, `batch ${x.shape[0]}`);
    expectSameWeights(tfWeights(tm), simdWeights(m), 'export');
    // and back: the same graph, weights and predictions
    const back = await io.fromTfjsLayers(await tfSave(tm), { seed: 1 });
    expect(back).toBeInstanceOf(Model);
    const x = randn([4, 6, 6, 2], 5);
    expectClose(back.predict(x).data, m.predict(x).data, 'round trip');
    tm.dispose(); m.dispose(); back.dispose();
  });

  it('TF.js → simdnet: a tf.model with add, concatenate and a shared layer imports and predicts the same', async () => {
    const inp = tfl.input({ shape: [5] });
    const d1 = tfl.layers.dense({ units: 8, activation: 'relu' }).apply(inp) as tfl.SymbolicTensor;
    const d2 = tfl.layers.dense({ units: 8 }).apply(d1) as tfl.SymbolicTensor;
    const res = tfl.layers.add().apply([d1, d2]) as tfl.SymbolicTensor;
    const shared = tfl.layers.dense({ units: 8, activation: 'tanh' });
    const s1 = shared.apply(res) as tfl.SymbolicTensor;
    const s2 = shared.apply(s1) as tfl.SymbolicTensor;
    const cat = tfl.layers.concatenate().apply([s1, s2, inp]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(cat) as tfl.SymbolicTensor;
    const tm = tfl.model({ inputs: inp, outputs: out });
    const r = normalRng(9);
    tm.setWeights(tm.weights.map((v) => tf.tensor(Float32Array.from({ length: v.shape.reduce((a, b) => a! * b!, 1)! }, () => 0.5 * r()), v.shape as number[])));
    const used = runtime().arena.used;
    const m = await io.fromTfjsLayers(await tfSave(tm), { seed: 1 });
    expect(m.layers.length).toBe(6);
    for (const x of [randn([6, 5], 11), randn([1, 5], 12)]) expectClose(m.predict(x).data, tfPredict(tm, x), `batch ${x.shape[0]}`);
    expectSameWeights(simdWeights(m), tfWeights(tm), 'import');
    m.dispose();
    expect(runtime().arena.used).toBe(used);
    tm.dispose();
  });

  it('a graph with a layer TF.js does not have (subtract) is an Error naming it', () => {
    const inp = input({ shape: [3] });
    const a = layers.dense({ units: 2 }).apply(inp), b = layers.dense({ units: 2 }).apply(inp);
    const m = new Model({ inputs: inp, outputs: layers.subtract({ name: 'diff' }).apply([a, b]) });
    expect(() => io.toTfjsLayers(m)).toThrow(/Subtract 'diff' cannot be expressed in TF.js Layers: TF.js Layers has no Subtract/);
    m.dispose();
  });

  it('a topology whose inputs can never be computed is an Error, with nothing left allocated', async () => {
    const m = simdGraph();
    const a = io.toTfjsLayers(m);
    const topo = JSON.parse(JSON.stringify(a.modelTopology));
    topo.config.layers[3].inbound_nodes[0][0][0] = 'nowhere';
    const used = runtime().arena.used;
    await expect(io.fromTfjsLayers({ ...a, modelTopology: topo })).rejects.toThrow(/can never be computed/);
    expect(runtime().arena.used).toBe(used);
    m.dispose();
  });
});
