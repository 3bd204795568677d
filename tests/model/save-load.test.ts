// save() and load() (src/model/artifacts.ts, src/io/index.ts): a loaded model predicts the
// bits the saved one predicted and trains on to the same bits — the same losses, weights,
// predictions, optimizer slots, step counters and RNG streams — whether the artifacts are
// used as they are, passed through JSON, packed with io.toBytes or written to a file.
// Every expected value comes from the original model (or an untouched twin), never from
// numbers copied into this file; and changing any one piece of the saved state must change
// the continuation, so the bitwise comparisons cannot pass by accident.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtime } from '../../bindings/index.js';
import {
  Sequential, io, layers, optimizers, regularizers, schedules, tensor,
  type FitOptions, type ModelArtifacts, type Tensor, type Topology,
} from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf, differs } from './helpers.js';

// ---- helpers ----

/** CRC-32 (IEEE, reflected 0xEDB88320), written here independently of src/model/crc32.ts. */
function crc32hex(bytes: Uint8Array): string {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

const BYTES_OF = { float32: 4, float64: 8, int32: 4 } as const;

/** Byte range of one named tensor in the weights, from the manifest. */
function region(t: Topology, name: string): { offset: number; length: number } {
  let offset = 0;
  for (const w of t.weightSpecs) {
    const length = w.shape.reduce((a, b) => a * b, 1) * BYTES_OF[w.dtype];
    if (w.name === name) return { offset, length };
    offset += length;
  }
  throw new Error(`no '${name}' in the manifest (${t.weightSpecs.map((w) => w.name).join(', ')})`);
}

/** A copy of the artifacts with one tensor's bytes edited and the CRC-32 updated to match. */
function edited(art: ModelArtifacts, name: string, edit: (bytes: Uint8Array) => void): ModelArtifacts {
  const weights = art.weights.slice();
  const { offset, length } = region(art.topology, name);
  const before = weights.slice(offset, offset + length);
  edit(weights.subarray(offset, offset + length));
  expect(Array.from(weights.subarray(offset, offset + length)), `edit of ${name}`).not.toEqual(Array.from(before));
  const topology = structuredClone(art.topology);
  topology.weightsCrc32 = crc32hex(weights);
  return { topology, weights };
}

/** Edits the i-th float64 (or float32) value of a tensor's bytes. */
const editFloat = (dtype: 'float32' | 'float64', i: number, f: (v: number) => number) => (b: Uint8Array): void => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dtype === 'float64') dv.setFloat64(8 * i, f(dv.getFloat64(8 * i, true)), true);
  else dv.setFloat32(4 * i, f(dv.getFloat32(4 * i, true)), true);
};

const predictBits = (m: Sequential, x: Tensor): Float64Array => Float64Array.from(m.predict(x).data);

/** The JSON form: what a user gets from JSON.stringify({topology, weights: Array.from(weights)}). */
const viaJson = (art: ModelArtifacts): ModelArtifacts =>
  JSON.parse(JSON.stringify({ topology: art.topology, weights: Array.from(art.weights) })) as ModelArtifacts;


// ---- the scenarios: each trains a little, is saved, then resumes ----

interface Scenario {
  name: string;
  /** A fresh compiled model. */
  make(): Sequential;
  x: Tensor;
  y: Tensor | Int32Array;
  probe: Tensor;
  /** Training before save. */
  warmup: FitOptions;
  /** Training after save (shuffle, dropout and a validation split, at least). */
  resume: FitOptions;
}

/** Everything a continuation produces: per-epoch logs, trainOnBatch losses, weights, predictions, the whole saved state. */
interface Run { logs: number[][]; steps: number[]; weights: Float64Array[]; pred: Float64Array; iterations: number; state: Uint8Array; topology: string }

async function resume(m: Sequential, sc: Scenario): Promise<Run> {
  const h = await m.fit(sc.x, sc.y, sc.resume);
  // then a few single steps on the first samples (trainOnBatch draws dropout masks too)
  const n = 6;
  const xb = tensor(sc.x.data.slice(0, n * (sc.x.size / sc.x.shape[0])), [n, ...sc.x.shape.slice(1)], sc.x.dtype);
  const yb = sc.y instanceof Int32Array ? sc.y.slice(0, n) : tensor(sc.y.data.slice(0, n * (sc.y.size / sc.y.shape[0])), [n, ...sc.y.shape.slice(1)], sc.y.dtype);
  const steps = [m.trainOnBatch(xb, yb), m.trainOnBatch(xb, yb)];
  const art = m.save();
  return {
    logs: [h.loss, h.accuracy, h.valLoss, h.valAccuracy], steps, weights: weightsOf(m), pred: predictBits(m, sc.probe),
    iterations: m.optimizer!.iterations, state: art.weights, topology: JSON.stringify(art.topology),
  };
}

function expectSameRun(got: Run, want: Run, label: string): void {
  expectSameBits(got.logs, want.logs, `${label}: epoch logs`);
  expectSameBits([got.steps], [want.steps], `${label}: trainOnBatch losses`);
  expectSameBits(got.weights, want.weights, `${label}: weights`);
  expectSameBits([got.pred], [want.pred], `${label}: predictions`);
  expect(got.iterations, `${label}: optimizer iterations`).toBe(want.iterations);
  expectSameBits([got.state], [want.state], `${label}: saved state after training (optimizer slots, counters, RNG streams)`);
  expect(got.topology, `${label}: topology after training`).toBe(want.topology);
}

/** Whether a continuation differs from the reference in any recorded bit. */
const runDiffers = (a: Run, b: Run): boolean =>
  differs(a.logs, b.logs) || differs([a.steps], [b.steps]) || differs(a.weights, b.weights) || differs([a.pred], [b.pred]) || a.iterations !== b.iterations;

const imgX = randn([30, 6, 6, 2], 101);
const flatX = randn([40, 10], 201);

const scenarios: Scenario[] = [
  {
    name: 'conv2d+batchNorm+prelu+maxPool+flatten+dropout+dense, adam with cosineDecay, augment shift',
    make() {
      const m = new Sequential({ seed: 11, name: 'cnn' });
      m.add(layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], kernelRegularizer: regularizers.l2(1e-3) }));
      m.add(layers.batchNorm({ momentum: 0.8 }));
      m.add(layers.prelu());
      m.add(layers.maxPool2d());
      m.add(layers.flatten());
      m.add(layers.dropout({ rate: 0.3 }));
      m.add(layers.dense({ units: 3 }));
      const lr = schedules.cosineDecay({ initialLearningRate: 0.02, decaySteps: 10, alpha: 0.1, warmupSteps: 2 });
      m.compile({ optimizer: optimizers.adam({ learningRate: lr }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      return m;
    },
    x: imgX, y: randLabels(30, 3, 102), probe: randn([7, 6, 6, 2], 103),
    warmup: { epochs: 1, batchSize: 8, augment: { shift: 1 } },
    resume: { epochs: 3, batchSize: 8, shuffle: true, validationSplit: 0.2, augment: { shift: 1 } },
  },
  {
    name: 'dense MLP with dropout and l2, sgd nesterov momentum with stepDecay',
    make() {
      const m = new Sequential({ seed: 12 });
      m.add(layers.dense({ units: 16, activation: 'relu', inputShape: [10], kernelRegularizer: regularizers.l2(2e-3) }));
      m.add(layers.dropout({ rate: 0.25 }));
      m.add(layers.dense({ units: 8, activation: 'tanh' }));
      m.add(layers.dense({ units: 4 }));
      const lr = schedules.stepDecay({ initialLearningRate: 0.05, stepSize: 3, gamma: 0.5 });
      m.compile({ optimizer: optimizers.sgd({ learningRate: lr, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      return m;
    },
    x: flatX, y: randLabels(40, 4, 202), probe: randn([9, 10], 203),
    warmup: { epochs: 2, batchSize: 10 },
    resume: { epochs: 3, batchSize: 10, shuffle: true, validationSplit: 0.25 },
  },
  {
    name: 'float64 model, mse on dense targets, rmsprop centered with momentum',
    make() {
      const m = new Sequential({ seed: 13, dtype: 'float64', name: 'regressor' });
      m.add(layers.dense({ units: 12, activation: 'tanh', inputShape: [10] }));
      m.add(layers.dropout({ rate: 0.2 }));
      m.add(layers.dense({ units: 6, activation: 'sigmoid' }));
      m.add(layers.dense({ units: 3 }));
      m.compile({ optimizer: optimizers.rmsprop({ learningRate: 0.01, rho: 0.9, momentum: 0.5, centered: true, weightDecay: 1e-3 }), loss: 'mse' });
      return m;
    },
    x: flatX, y: randn([40, 3], 302), probe: randn([9, 10], 303),
    warmup: { epochs: 1, batchSize: 8 },
    resume: { epochs: 3, batchSize: 8, shuffle: true, validationSplit: 0.25 },
  },
  {
    name: 'adagrad: conv2d+instanceNorm+elu(alpha)+groupNorm+avgPool+flatten+dropout+maxout, sigmoidCrossEntropy',
    make() {
      const m = new Sequential({ seed: 14 });
      m.add(layers.conv2d({ filters: 6, kernelSize: 3, inputShape: [6, 6, 2] }));
      m.add(layers.instanceNorm({ epsilon: 0.01 }));
      m.add(layers.elu({ alpha: 0.7 }));
      m.add(layers.groupNorm({ groups: 3 }));
      m.add(layers.avgPool2d());
      m.add(layers.flatten());
      m.add(layers.dropout({ rate: 0.2 }));
      m.add(layers.maxout({ units: 5, pieces: 3 }));
      m.add(layers.dense({ units: 3 }));
      m.compile({ optimizer: optimizers.adagrad({ learningRate: 0.05, lrDecay: 0.01, weightDecay: 1e-3, epsilon: 1e-6 }), loss: 'sigmoidCrossEntropy', metrics: ['accuracy'] });
      return m;
    },
    x: imgX, y: tensor(Float64Array.from(randLabels(90, 2, 402)), [30, 3], 'float64'), probe: randn([5, 6, 6, 2], 403),
    warmup: { epochs: 1, batchSize: 6, augment: { shift: 2 } },
    resume: { epochs: 2, batchSize: 6, shuffle: true, validationSplit: 0.2, augment: { shift: 2 } },
  },
  {
    name: 'adamw with exponentialDecay: dense+layerNorm+leakyRelu(alpha)+dropout+maxout',
    make() {
      const m = new Sequential({ seed: 15 });
      m.add(layers.dense({ units: 10, inputShape: [10] }));
      m.add(layers.layerNorm({ epsilon: 0.01 }));
      m.add(layers.leakyRelu({ alpha: 0.2 }));
      m.add(layers.dropout({ rate: 0.1 }));
      m.add(layers.maxout({ units: 6, pieces: 2 }));
      m.add(layers.dense({ units: 3 }));
      const lr = schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 4, decayRate: 0.8, staircase: true });
      m.compile({ optimizer: optimizers.adamw({ learningRate: lr, weightDecay: 0.05, beta1: 0.8 }), loss: 'softmaxCrossEntropy' });
      return m;
    },
    x: flatX, y: randLabels(40, 3, 502), probe: randn([9, 10], 503),
    warmup: { epochs: 1, batchSize: 16 },
    resume: { epochs: 3, batchSize: 16, shuffle: true, validationSplit: 0.2 },
  },
];

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'simdnet-save-load-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('save and load resume training bit for bit', () => {
  scenarios.forEach((sc, idx) => {
    it(sc.name, async () => {
      const a = sc.make();
      await a.fit(sc.x, sc.y, sc.warmup);
      const savedPred = predictBits(a, sc.probe);
      const savedWeights = weightsOf(a);
      const art = a.save();
      expect(art.topology.weightsBytes).toBe(art.weights.length);
      expect(crc32hex(art.weights)).toBe(art.topology.weightsCrc32);
      const path = join(dir, `model-${idx}.simdnet`);
      await io.saveFile(a, path);
      const bytes = io.toBytes(art);
      // save is deterministic: the file holds exactly the bytes of these artifacts
      expectSameBits([readFileSync(path)], [bytes], 'file bytes');

      const want = await resume(a, sc);
      // the continuation is real training: every weight moved, the logs are finite
      const moved = weightsOf(a);
      savedWeights.forEach((w, i) => expect(differs([moved[i]], [w]), `weight ${i} moved while resuming`).toBe(true));
      for (const l of want.logs.filter((v) => v.length)) {
        expect(l.length).toBe(sc.resume.epochs);
        l.forEach((v) => expect(Number.isFinite(v)).toBe(true));
      }
      expect(want.logs[2].length, 'validation losses').toBe(sc.resume.epochs);

      const loaders: [string, () => Promise<Sequential>][] = [
        ['Sequential.load(artifacts)', () => Sequential.load(art)],
        ['Sequential.load(JSON round trip)', () => Sequential.load(viaJson(art))],
        ['io.fromBytes(io.toBytes)', () => Sequential.load(io.fromBytes(bytes))],
        ['io.fromBytes(ArrayBuffer)', () => Sequential.load(io.fromBytes(bytes.slice().buffer))],
        ['io.loadFile', () => io.loadFile(path)],
      ];
      for (const [label, load] of loaders) {
        const b = await load();
        expect(b.name, label).toBe(a.name);
        expect(b.seed, label).toBe(a.seed);
        expect(b.dtype, label).toBe(a.dtype);
        expect(b.layers.map((l) => l.name), label).toEqual(a.layers.map((l) => l.name));
        expectSameBits([predictBits(b, sc.probe)], [savedPred], `${label}: predictions right after load`);
        expectSameBits(weightsOf(b), savedWeights, `${label}: weights right after load`);
        expectSameRun(await resume(b, sc), want, label);
        b.dispose();
      }
      a.dispose();
    });
  });

  it('saveFile writes through a temporary name and leaves only the file', async () => {
    const sc = scenarios[1];
    const a = sc.make();
    const path = join(dir, 'only.simdnet');
    await io.saveFile(a, path);
    await io.saveFile(a, path); // overwriting an existing file
    expect(readdirSync(dir).filter((f) => f.startsWith('only'))).toEqual(['only.simdnet']);
    const b = await io.loadFile(path);
    expectSameBits([predictBits(b, sc.probe)], [predictBits(a, sc.probe)], 'predictions');
    a.dispose();
    b.dispose();
  });
});

describe('the bitwise comparisons are not vacuous', () => {
  it('changing any one piece of the saved state changes the continuation', async () => {
    const sc = scenarios[0];
    const a = sc.make();
    await a.fit(sc.x, sc.y, sc.warmup);
    const art = a.save();
    const want = await resume(a, sc);
    a.dispose();

    const intact = await Sequential.load(art);
    expectSameRun(await resume(intact, sc), want, 'intact artifacts');
    intact.dispose();

    const flipBit = (b: Uint8Array) => { b[0] ^= 1; };
    const perturbations: [string, ModelArtifacts][] = [
      ['one bit of the shuffle stream', edited(art, 'rng/shuffle', flipBit)],
      ['one bit of the augmentation stream', edited(art, 'rng/augment', flipBit)],
      ["one bit of the dropout layer's stream", edited(art, 'rng/dropout_1/0', flipBit)],
      ['the optimizer iteration count (+1: another learning rate)', edited(art, 'optimizer/iterations', editFloat('float64', 0, (v) => v + 1))],
      ["one parameter's step count (+1: another Adam bias correction)", edited(art, 'optimizer/steps', editFloat('float64', 0, (v) => v + 1))],
      ['one value of an Adam first moment', edited(art, 'optimizer/dense_1/kernel/expAvg', editFloat('float32', 0, (v) => v * 1.5 + 1e-3))],
      ['one value of an Adam second moment', edited(art, 'optimizer/conv2d_1/kernel/expAvgSq', editFloat('float32', 0, (v) => v * 2 + 1e-6))],
      ['one batch-norm moving variance', edited(art, 'batch_norm_1/movingVariance', editFloat('float32', 0, (v) => v * 1.01))],
      ['one weight (in the file)', edited(art, 'dense_1/kernel', editFloat('float32', 0, (v) => v + 1e-3))],
    ];
    for (const [label, changed] of perturbations) {
      const b = await Sequential.load(changed);
      expect(runDiffers(await resume(b, sc), want), label).toBe(true);
      b.dispose();
    }

    // one weight changed after load, through setWeights
    const b = await Sequential.load(art);
    const w = b.getWeights().map((t) => Float64Array.from(t.data));
    w[0][0] += 1e-3;
    b.setWeights(w);
    expect(runDiffers(await resume(b, sc), want), 'one weight set after load').toBe(true);
    b.dispose();
  });

  it('layers added after load get the RNG streams the original would give them (nextStreamId is saved)', async () => {
    const make = () => {
      const m = new Sequential({ seed: 21 });
      m.add(layers.dense({ units: 5, inputShape: [4] }));
      return m;
    };
    const a = make();
    a.build();
    // a layer added to a built model and removed again still used up stream ids
    a.add(layers.dense({ units: 3 }));
    a.pop();
    const art = a.save();
    const b = await Sequential.load(art);
    const fresh = make(); // the same layers, never saved: its next stream id is the first one
    for (const m of [a, b, fresh]) {
      m.add(layers.dense({ units: 6 }));
      m.add(layers.dropout({ rate: 0.5 }));
      m.compile({ optimizer: 'sgd', loss: 'mse' });
    }
    const x = randn([8, 4], 22), y = randn([8, 6], 23);
    const run = (m: Sequential) => ({ loss: m.trainOnBatch(x, y), weights: weightsOf(m) });
    const ra = run(a), rb = run(b), rf = run(fresh);
    expectSameBits([[rb.loss], ...rb.weights], [[ra.loss], ...ra.weights], 'loaded vs original');
    // and it matters: a model that did not skip those stream ids initialises the new layer differently
    expect(differs(rf.weights, ra.weights)).toBe(true);
    for (const m of [a, b, fresh]) m.dispose();
  });
});

describe('what a model was when saved is what it is when loaded', () => {
  const x = randn([12, 5], 31), y = randLabels(12, 3, 32);

  it('a model saved uncompiled loads uncompiled, with the same weights and streams', async () => {
    const make = () => {
      const m = new Sequential({ seed: 33 });
      m.add(layers.dense({ units: 8, inputShape: [5], activation: 'relu' }));
      m.add(layers.dropout({ rate: 0.4 }));
      m.add(layers.dense({ units: 3 }));
      return m;
    };
    const a = make();
    const art = a.save();
    expect(art.topology.training).toBeNull();
    expect(art.topology.weightSpecs.some((w) => w.name.startsWith('optimizer/'))).toBe(false);
    const b = await Sequential.load(art);
    expect(b.optimizer).toBeNull();
    expect(b.loss).toBeNull();
    expect(() => b.trainOnBatch(x, y)).toThrow(/compile/);
    await expect(b.fit(x, y)).rejects.toThrow(/compile/);
    expect(() => b.evaluate(x, y)).toThrow(/compile/);
    expectSameBits([predictBits(b, x)], [predictBits(a, x)], 'predictions');
    // once compiled, both train alike (the dropout and shuffle streams were restored)
    for (const m of [a, b]) m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.5 }), loss: 'softmaxCrossEntropy' });
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 4 });
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 4 });
    expectSameBits([hb.loss, ...weightsOf(b)], [ha.loss, ...weightsOf(a)], 'training after compile');
    a.dispose();
    b.dispose();
  });

  it('a model saved unbuilt (no inputShape, never built) loads unbuilt and builds like the original', async () => {
    const make = (compiled: boolean) => {
      const m = new Sequential({ seed: 34 });
      m.add(layers.dense({ units: 7, activation: 'tanh' }));
      m.add(layers.dropout({ rate: 0.3 }));
      m.add(layers.dense({ units: 3 }));
      if (compiled) m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      return m;
    };
    for (const compiled of [false, true]) {
      const a = make(compiled);
      const art = a.save();
      expect(a.built).toBe(false); // saving does not build
      expect(art.topology.inputShape).toBeNull();
      expect(art.topology.weightSpecs).toEqual([]);
      expect(art.weights.length).toBe(0);
      expect(art.topology.training === null).toBe(!compiled);
      const b = await Sequential.load(viaJson(art));
      expect(b.built).toBe(false);
      expect(b.inputShape).toBeNull();
      expect(b.layers.map((l) => l.built)).toEqual([false, false, false]);
      if (compiled) {
        const ha = await a.fit(x, y, { epochs: 2, batchSize: 5, validationSplit: 0.25 });
        const hb = await b.fit(x, y, { epochs: 2, batchSize: 5, validationSplit: 0.25 });
        expectSameBits([hb.loss, hb.valLoss, hb.accuracy], [ha.loss, ha.valLoss, ha.accuracy], 'fit histories');
      } else {
        expect(() => b.trainOnBatch(x, y)).toThrow(/compile/);
      }
      // built on first use from the data, with the same seed: the same weights and predictions
      expectSameBits([predictBits(b, x), ...weightsOf(b)], [predictBits(a, x), ...weightsOf(a)], `compiled ${compiled}`);
      a.dispose();
      b.dispose();
    }
  });

  it('a compiled, never-trained model loads and trains like the original trained fresh', async () => {
    const make = () => {
      const m = new Sequential({ seed: 35 });
      m.add(layers.dense({ units: 6, inputShape: [5], activation: 'elu' }));
      m.add(layers.batchNorm());
      m.add(layers.dropout({ rate: 0.2 }));
      m.add(layers.dense({ units: 3 }));
      const lr = schedules.cosineDecay({ initialLearningRate: 0.05, decaySteps: 6, warmupSteps: 1 });
      m.compile({ optimizer: optimizers.adam({ learningRate: lr, beta1: 0.8 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      return m;
    };
    const a = make();
    const twin = make(); // never saved
    const art = a.save();
    expect(art.topology.training).not.toBeNull();
    const b = await Sequential.load(art);
    const c = await Sequential.load(viaJson(art));
    expect(b.optimizer!.iterations).toBe(0);
    const results = [];
    for (const m of [twin, a, b, c]) {
      const h = await m.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.25 });
      results.push([h.loss, h.valLoss, h.accuracy, predictBits(m, x), ...weightsOf(m)]);
    }
    expectSameBits(results[1], results[0], 'the saved model vs an unsaved twin');
    expectSameBits(results[2], results[0], 'loaded vs unsaved twin');
    expectSameBits(results[3], results[0], 'loaded from JSON vs unsaved twin');
    for (const m of [twin, a, b, c]) m.dispose();
  });

  it('frozen layers stay frozen (trainable false in the config), train on identically, and unfreeze identically', async () => {
    const a = new Sequential({ seed: 36 });
    a.add(layers.dense({ units: 8, inputShape: [5], activation: 'relu' }));
    a.add(layers.batchNorm());
    a.add(layers.dense({ units: 6, activation: 'tanh' }));
    a.add(layers.dense({ units: 3 }));
    a.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'softmaxCrossEntropy' });
    await a.fit(x, y, { epochs: 1, batchSize: 4 });
    // freeze the first dense and the batch norm; the flag is saved before any step applies it
    a.layers[0].trainable = false;
    a.layers[1].trainable = false;
    const art = a.save();
    expect(art.topology.model.config.layers.map((l) => l.config.trainable)).toEqual([false, false, true, true]);
    expect(art.topology.weightSpecs.some((w) => w.name.startsWith('optimizer/dense_1/'))).toBe(false);
    expect(art.topology.weightSpecs.some((w) => w.name.startsWith('optimizer/dense_2/'))).toBe(true);
    const frozenBefore = weightsOf(a).slice(0, 6); // dense_1 kernel, bias; batch norm gamma, beta, moving mean, variance
    const othersBefore = weightsOf(a).slice(6);

    const b = await Sequential.load(viaJson(art));
    expect(b.layers.map((l) => l.trainable)).toEqual([false, false, true, true]);
    const runs = [];
    for (const m of [a, b]) {
      const h = await m.fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 0.25 });
      const frozenAfter = weightsOf(m).slice(0, 6);
      expectSameBits(frozenAfter, frozenBefore, 'frozen weights and moving statistics did not move');
      othersBefore.forEach((w, i) => expect(differs([weightsOf(m)[6 + i]], [w]), `trainable weight ${i} moved`).toBe(true));
      m.layers[0].trainable = true;
      m.layers[1].trainable = true;
      const steps = [m.trainOnBatch(x, y), m.trainOnBatch(x, y)];
      runs.push([h.loss, h.valLoss, steps, predictBits(m, x), ...weightsOf(m)]);
    }
    expectSameBits(runs[1], runs[0], 'loaded vs original');
    expect(differs(weightsOf(a).slice(0, 6), frozenBefore), 'unfrozen layers train again').toBe(true);
    a.dispose();
    b.dispose();
  });
});

describe('memory', () => {
  it('save, load (every way), train and dispose give every byte back; so does a load that fails after building', async () => {
    const arena = runtime().arena;
    const before = arena.used;
    const sc = scenarios[0];
    const a = sc.make();
    await a.fit(sc.x, sc.y, sc.warmup);
    const art = a.save();
    const path = join(dir, 'memory.simdnet');
    await io.saveFile(a, path);
    const loaded = [await Sequential.load(art), await Sequential.load(viaJson(art)), await Sequential.load(io.fromBytes(io.toBytes(art))), await io.loadFile(path)];
    expect(arena.used).toBeGreaterThan(before);
    for (const m of [a, ...loaded]) await m.fit(sc.x, sc.y, sc.resume);
    for (const m of [a, ...loaded]) m.dispose();
    expect(arena.used).toBe(before);

    // a topology whose layer no longer fits its weights: the model is built, then the load fails
    const bad = structuredClone(art.topology);
    (bad.model.config.layers[6].config as { units: number }).units = 4;
    await expect(Sequential.load({ topology: bad, weights: art.weights })).rejects.toThrow(/dense_1\/kernel/);
    expect(arena.used).toBe(before);
  });
});
