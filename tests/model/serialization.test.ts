// {className, config} round trips (src/serialization.ts and the registries), tested by
// behaviour: an object rebuilt with `registry.fromConfig(serialize(x))` — through JSON, as
// a saved file holds it — must initialise, predict and train exactly like the original.
// A config is never compared with itself. To show the comparisons can fail, every
// optional argument of every layer, optimizer and schedule is given a non-default value
// somewhere below, and dropping that one key from the config (so the factory's default
// applies, as a lossy getConfig would) must change the behaviour; a coverage check makes
// sure no optional argument was left at its default.

import { describe, expect, it } from 'vitest';
import {
  Sequential, initializerRegistry, initializers, layerRegistry, layers, optimizerRegistry, optimizers,
  regularizerRegistry, regularizers, scheduleRegistry, schedules, serialize,
  preprocess, tensor,
  type Initializer, type Layer, type LearningRateSchedule, type Optimizer, type Serialized, type Tensor,
} from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf, differs } from './helpers.js';

/** Through JSON, as a saved topology carries it. */
const viaJson = (s: Serialized): Serialized => JSON.parse(JSON.stringify(s)) as Serialized;

const without = (s: Serialized, key: string): Serialized => {
  const config = { ...s.config };
  delete config[key];
  return { className: s.className, config };
};


/** What an object does, or the Error it raised. */
type Outcome = { arrays: ArrayLike<number>[]; names: string[] } | { error: string };

const outcomeDiffers = (a: Outcome, b: Outcome): boolean =>
  'error' in a || 'error' in b ? !('error' in a && 'error' in b && a.error === b.error) : differs(a.arrays, b.arrays) || a.names.join() !== b.names.join();

function expectSameOutcome(got: Outcome, want: Outcome, label: string): void {
  if ('error' in want) throw new Error(`${label}: the reference failed: ${want.error}`);
  if ('error' in got) throw new Error(`${label}: the round-tripped object failed: ${got.error}`);
  expect(got.names, `${label}: layer and weight names`).toEqual(want.names);
  expectSameBits(got.arrays, want.arrays, label);
}

function attempt(f: () => Outcome): Outcome {
  try {
    return f();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * For every key of `spec.config` except `skip`: drops it; when the factory then rebuilds
 * something with another value for that key (the default differs from the value given),
 * `run` on the rebuilt object must behave differently from `reference`. Returns the keys
 * that were checked that way. Keys whose omission the factory refuses are required ones.
 */
function droppedKeysChangeBehaviour<T>(
  spec: Serialized, rebuild: (s: Serialized) => T, run: (x: T) => Outcome, reference: Outcome, label: string, skip: string[] = [],
  valueOf: (x: T, key: string) => unknown = (x, key) => (x as { getConfig(): Record<string, unknown> }).getConfig()[key],
): string[] {
  const checked: string[] = [];
  for (const key of Object.keys(spec.config)) {
    if (skip.includes(key)) continue;
    let obj: T;
    try {
      obj = rebuild(without(spec, key));
    } catch {
      continue; // a required argument
    }
    const now = valueOf(obj, key);
    if (JSON.stringify(now) === JSON.stringify(spec.config[key])) continue; // the value given is the default
    expect(outcomeDiffers(attempt(() => run(obj)), reference), `${label}: dropping '${key}' (→ ${JSON.stringify(now)}) changes nothing`).toBe(true);
    checked.push(key);
  }
  return checked;
}

// ---- initializers ----

const INITIALIZERS: [string, () => Initializer][] = [
  ['zeros', () => initializers.zeros()],
  ['ones', () => initializers.ones()],
  ['constant', () => initializers.constant({ value: 0.7 })],
  ['randomNormal', () => initializers.randomNormal({ mean: 0.1, stddev: 0.3 })],
  ['randomUniform', () => initializers.randomUniform({ minval: -2, maxval: 3 })],
  ['smallRandom', () => initializers.smallRandom()],
  ['xavier', () => initializers.xavier()],
  ['glorotNormal', () => initializers.glorotNormal()],
  ['glorotUniform', () => initializers.glorotUniform()],
  ['heNormal', () => initializers.heNormal()],
  ['heUniform', () => initializers.heUniform()],
  ['lecunNormal', () => initializers.lecunNormal()],
  ['lecunUniform', () => initializers.lecunUniform()],
];

const FAN_IN = 120, UNITS = 100;

/** Kernel and bias of a float64 dense layer whose two initializers are `init`. */
function initialWeights(init: Initializer): Float64Array[] {
  const m = new Sequential({ seed: 5, dtype: 'float64' });
  m.add(layers.dense({ units: UNITS, inputShape: [FAN_IN], kernelInitializer: init, biasInitializer: init }));
  const w = weightsOf(m);
  m.dispose();
  return w;
}

function stats(w: Float64Array) {
  const n = w.length;
  const mean = w.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return { n, mean, std, min: Math.min(...w), max: Math.max(...w) };
}

describe('initializers: fromConfig(serialize(init)) initialises the same weights', () => {
  const reference = new Map<string, Float64Array[]>();
  for (const [name, make] of INITIALIZERS) {
    it(name, () => {
      const init = make();
      const rebuilt = initializerRegistry.fromConfig(viaJson(serialize(init)));
      const want = initialWeights(init);
      reference.set(name, want);
      expectSameBits(initialWeights(rebuilt), want, name);
      // as the nested config of a layer, too
      const layer = layers.dense({ units: UNITS, inputShape: [FAN_IN], kernelInitializer: init, biasInitializer: init });
      const m = new Sequential({ seed: 5, dtype: 'float64' });
      m.add(layerRegistry.fromConfig(viaJson(serialize(layer))));
      expectSameBits(weightsOf(m), want, `${name} inside a dense config`);
      m.dispose();
    });
  }

  it('the configured values survive: constant 0.7, N(0.1, 0.3²), U(−2, 3) — not the defaults', () => {
    const rebuilt = (i: number) => initialWeights(initializerRegistry.fromConfig(viaJson(serialize(INITIALIZERS[i][1]()))));
    for (const w of rebuilt(2)) expect(w.find((v) => v !== 0.7)).toBeUndefined();
    const normal = stats(Float64Array.from([...rebuilt(3)[0], ...rebuilt(3)[1]]));
    expect(Math.abs(normal.mean - 0.1)).toBeLessThan((5 * 0.3) / Math.sqrt(normal.n));
    expect(Math.abs(normal.std / 0.3 - 1)).toBeLessThan(0.03);
    const uniform = stats(Float64Array.from([...rebuilt(4)[0], ...rebuilt(4)[1]]));
    expect(uniform.min).toBeGreaterThanOrEqual(-2);
    expect(uniform.max).toBeLessThanOrEqual(3);
    expect(uniform.min).toBeLessThan(-1.99);
    expect(uniform.max).toBeGreaterThan(2.99);
    expect(Math.abs(uniform.mean - 0.5)).toBeLessThan((5 * 5) / Math.sqrt(12 * uniform.n));
    for (const w of rebuilt(0)) expect(w.find((v) => !Object.is(v, 0))).toBeUndefined();
    for (const w of rebuilt(1)) expect(w.find((v) => v !== 1)).toBeUndefined();
  });

  it('the thirteen initializers fill thirteen different kernels (so equal weights identify the initializer)', () => {
    const kernels = INITIALIZERS.map(([, make]) => initialWeights(make())[0]);
    for (let i = 0; i < kernels.length; i++) {
      for (let j = i + 1; j < kernels.length; j++) {
        expect(differs([kernels[i]], [kernels[j]]), `${INITIALIZERS[i][0]} vs ${INITIALIZERS[j][0]}`).toBe(true);
      }
    }
  });

  it('dropping a configured argument changes the weights (randomNormal mean/stddev, randomUniform minval/maxval, constant value)', () => {
    const run = (init: Initializer): Outcome => ({ arrays: initialWeights(init), names: [] });
    const checked: string[] = [];
    for (const i of [2, 3, 4]) {
      const spec = viaJson(serialize(INITIALIZERS[i][1]()));
      const reference = run(initializerRegistry.fromConfig(spec));
      checked.push(...droppedKeysChangeBehaviour(spec, (s) => initializerRegistry.fromConfig(s), run, reference, spec.className).map((k) => `${spec.className}.${k}`));
    }
    expect(checked.sort()).toEqual(['constant.value', 'randomNormal.mean', 'randomNormal.stddev', 'randomUniform.maxval', 'randomUniform.minval']);
  });
});

// ---- layers ----

describe('prelu', () => {
  it("the default alpha 0.25 survives a round trip: rebuilt alpha is 0.25 and negative inputs are scaled by it", () => {
    const original = layers.prelu({ inputShape: [6] });
    const a = new Sequential({ seed: 1 });
    a.add(original);
    const b = new Sequential({ seed: 2 }); // another seed: alpha must come from the config, not the stream
    b.add(layerRegistry.fromConfig(viaJson(serialize(original))));
    expect(Array.from(b.getWeights()[0].data)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    const x = randn([5, 6], 7);
    const y = b.predict(x).data;
    const xf = Float32Array.from(x.data);
    xf.forEach((v, i) => expect(y[i]).toBe(v > 0 ? v : v * 0.25));
    expectSameBits([y], [a.predict(x).data], 'predictions');
    a.dispose();
    b.dispose();
  });
});

const CUSTOM_NAMES = ['conv_a', 'first', 'squash'];

/** `vocab`: the inputs are integer tokens in [0, vocab) (an embedding first), else normal draws. */
interface ModelSpec { name: string; inputShape: number[]; layers: () => Layer[]; vocab?: number }

const MODELS: ModelSpec[] = [
  {
    name: 'conv2d, batchNorm, maxPool2d, instanceNorm, groupNorm, prelu, avgPool2d, flatten, dense',
    inputShape: [6, 5, 2],
    layers: () => [
      layers.conv2d({
        filters: 4, kernelSize: [3, 2], strides: [1, 2], padding: 'same', activation: 'relu', name: 'conv_a', inputShape: [6, 5, 2],
        kernelInitializer: 'lecunUniform', biasInitializer: initializers.constant({ value: 0.05 }), kernelRegularizer: regularizers.l2(0.02),
      }),
      layers.batchNorm({ momentum: 0.5, epsilon: 0.1, center: false }),
      layers.maxPool2d({ poolSize: [2, 1], strides: [1, 1], padding: 'same' }),
      layers.instanceNorm({ epsilon: 0.2, scale: false }),
      layers.groupNorm({ groups: 2, epsilon: 0.05, center: false }),
      layers.prelu({ alphaInitializer: initializers.constant({ value: -0.1 }) }),
      layers.avgPool2d({ poolSize: [3, 2], strides: 1, padding: 'same' }),
      layers.flatten(),
      layers.dense({ units: 3, useBias: false, kernelInitializer: 'heUniform' }),
    ],
  },
  {
    name: 'conv2d, batchNorm, layerNorm, maxPool2d, groupNorm, instanceNorm, avgPool2d, globalAvgPool2d, dense',
    inputShape: [6, 6, 3],
    layers: () => [
      layers.conv2d({ filters: 4, kernelSize: 2, useBias: false, activation: 'tanh', inputShape: [6, 6, 3] }),
      layers.batchNorm({ scale: false, epsilon: 0.01 }),
      layers.layerNorm({ epsilon: 0.3, scale: false }),
      layers.maxPool2d({ poolSize: 2, strides: 1 }),
      layers.groupNorm({ groups: 4, scale: false }),
      layers.instanceNorm({ center: false }),
      layers.avgPool2d(),
      layers.globalAvgPool2d(),
      layers.dense({ units: 3, activation: 'sigmoid', biasInitializer: 'ones' }),
    ],
  },
  {
    name: 'dense, layerNorm, elu, dropout, maxout, sigmoid, frozen dense, leakyRelu, tanh, activation elu, softmax, maxout, relu, dense',
    inputShape: [8],
    layers: () => [
      layers.dense({
        units: 7, activation: 'elu', name: 'first', inputShape: [8], useBias: true,
        kernelInitializer: initializers.randomNormal({ mean: 0.05, stddev: 0.4 }), biasInitializer: initializers.randomUniform({ minval: -0.3, maxval: 0.1 }),
        kernelRegularizer: regularizers.l2(0.01),
      }),
      layers.layerNorm({ epsilon: 0.5, center: false }),
      layers.elu({ alpha: 0.5 }),
      layers.dropout({ rate: 0.4 }),
      layers.maxout({
        units: 5, pieces: 3, kernelInitializer: 'lecunNormal', biasInitializer: initializers.constant({ value: 0.2 }), kernelRegularizer: regularizers.l2(0.05),
      }),
      layers.sigmoid({ name: 'squash' }),
      layers.dense({ units: 6, activation: 'leakyRelu', trainable: false }),
      layers.leakyRelu({ alpha: 0.3 }),
      layers.tanh(),
      layers.activation({ activation: 'elu', alpha: 0.7 }),
      layers.softmax(),
      layers.maxout({ units: 4, useBias: false }),
      layers.relu(),
      layers.dense({ units: 3 }),
    ],
  },
  {
    // the statistics layers of src/toolkit/preprocess.ts: Normalization's mean/variance options, Preprocess's fitted preprocessor
    name: 'normalization, preprocess (whitened pca), dense',
    inputShape: [4],
    layers: () => [
      layers.normalization({ mean: [0.5, -0.2, 0.1, 0], variance: [2, 0.5, 1, 3], inputShape: [4] }),
      layers.preprocess(preprocess.pca({ components: 3, whiten: true, epsilon: 0.01 }).fit(randn([20, 4], 71))),
      layers.dense({ units: 3 }),
    ],
  },
  {
    // each recurrent class twice: a bias-free one, and one with every other option set
    name: 'embedding, reshape, lstm ×2, gru ×2, simpleRNN ×2, dense (integer tokens)',
    inputShape: [6],
    vocab: 5,
    layers: () => [
      layers.embedding({ inputDim: 5, outputDim: 4, inputShape: [6], embeddingsInitializer: initializers.randomNormal({ mean: 0, stddev: 0.3 }), embeddingsRegularizer: regularizers.l2(0.01) }),
      layers.reshape({ targetShape: [3, 8] }),
      layers.lstm({
        units: 4, returnSequences: true, activation: 'relu', recurrentActivation: 'tanh', unitForgetBias: false, biasInitializer: initializers.constant({ value: 0.1 }),
        kernelInitializer: 'heUniform', recurrentInitializer: 'glorotNormal', kernelRegularizer: regularizers.l2(0.01), recurrentRegularizer: regularizers.l2(0.02),
      }),
      layers.lstm({ units: 3, returnSequences: true, useBias: false }),
      layers.gru({
        units: 3, returnSequences: true, activation: 'sigmoid', recurrentActivation: 'tanh', biasInitializer: initializers.constant({ value: -0.1 }),
        kernelInitializer: 'lecunUniform', recurrentInitializer: 'heNormal', kernelRegularizer: regularizers.l2(0.01), recurrentRegularizer: regularizers.l2(0.02),
      }),
      layers.gru({ units: 3, returnSequences: true, useBias: false, resetAfter: false }),
      layers.simpleRNN({
        units: 3, returnSequences: true, activation: 'sigmoid', biasInitializer: initializers.constant({ value: 0.05 }),
        kernelInitializer: 'heNormal', recurrentInitializer: 'glorotUniform', kernelRegularizer: regularizers.l2(0.01), recurrentRegularizer: regularizers.l2(0.02),
      }),
      layers.simpleRNN({ units: 3, useBias: false }),
      layers.dense({ units: 3 }),
    ],
  },
];

const layerData = new Map<string, { x: Tensor; y: Int32Array; probe: Tensor }>();
function dataFor(shape: number[], vocab = 0) {
  const key = `${shape.join('x')}/${vocab}`;
  const tokens = (n: number, seed: number) => {
    const l = randLabels(n * shape.reduce((a, b) => a * b, 1), vocab, seed);
    return tensor(Float64Array.from(l), [n, ...shape], 'float64');
  };
  if (!layerData.has(key)) {
    layerData.set(key, vocab
      ? { x: tokens(10, 64), y: randLabels(10, 3, 62), probe: tokens(4, 65) }
      : { x: randn([10, ...shape], 61), y: randLabels(10, 3, 62), probe: randn([4, ...shape], 63) });
  }
  return layerData.get(key)!;
}

/** A model of these layers (seed 41): initial weights, predictions, three training losses, weights and predictions after. */
function layerOutcome(inputShape: number[], ls: Layer[], vocab = 0): Outcome & { specs: Serialized[] } {
  const { x, y, probe } = dataFor(inputShape, vocab);
  const m = new Sequential({ seed: 41 });
  try {
    for (const l of ls) m.add(l);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy' });
    const specs = m.layers.map((l) => viaJson(serialize(l)));
    const w0 = weightsOf(m);
    const p0 = m.predict(probe).data;
    const losses = [m.trainOnBatch(x, y), m.trainOnBatch(x, y), m.trainOnBatch(x, y)];
    const w1 = weightsOf(m);
    const p1 = m.predict(probe).data;
    const names = [...m.layers.map((l) => `${l.className} ${l.name}`), ...m.params().map((p) => p.name)];
    return { arrays: [...w0, p0, losses, ...w1, p1], names, specs };
  } finally {
    m.dispose();
  }
}

describe('layers: a model of fromConfig(serialize(layer)) layers initialises, predicts and trains like the original', () => {
  for (const spec of MODELS) {
    it(spec.name, () => {
      const want = layerOutcome(spec.inputShape, spec.layers(), spec.vocab);
      if ('error' in want) throw new Error(want.error);
      // the run is not trivial: training moved the weights and changed the predictions
      const n = (want.arrays.length - 3) / 2;
      expect(differs(want.arrays.slice(0, n + 1), want.arrays.slice(n + 2))).toBe(true);
      (want.arrays[n + 1] as number[]).forEach((l) => expect(Number.isFinite(l)).toBe(true));
      const rebuilt = want.specs.map((s) => layerRegistry.fromConfig(s));
      expectSameOutcome(layerOutcome(spec.inputShape, rebuilt, spec.vocab), want, spec.name);
      // serialized before being added to a model (no name yet): rebuilt, they get the same default names
      const early = spec.layers().map((l) => layerRegistry.fromConfig(viaJson(serialize(l))));
      expectSameOutcome(layerOutcome(spec.inputShape, early, spec.vocab), want, `${spec.name} (serialized before add)`);
    });
  }

  it('dropping any configured argument of any layer changes the behaviour; every argument of every class is covered', () => {
    const covered = new Set<string>();
    for (const spec of MODELS) {
      const reference = layerOutcome(spec.inputShape, spec.layers(), spec.vocab);
      reference.specs.forEach((s, i) => {
        const run = (l: Layer) => {
          const ls = reference.specs.map((t, j) => (j === i ? l : layerRegistry.fromConfig(t)));
          return layerOutcome(spec.inputShape, ls, spec.vocab);
        };
        // a default name is given again when the layer is added: only custom names are an argument
        const skip = CUSTOM_NAMES.includes(s.config.name as string) ? ['inputShape'] : ['inputShape', 'name'];
        const keys = droppedKeysChangeBehaviour(s, (t) => layerRegistry.fromConfig(t), run, reference, `${spec.name}: layer ${i} ${s.className}`, skip);
        for (const k of keys) covered.add(`${s.className}.${k}`);
      });
    }
    // every optional argument of every registered layer class was set (non-default) above
    const required: Record<string, Record<string, unknown>> = { Dense: { units: 1 }, Maxout: { units: 1 }, Conv2D: { filters: 1, kernelSize: 1 }, Dropout: { rate: 0.5 }, GroupNorm: { groups: 1 }, Activation: { activation: 'relu' }, Preprocess: { preprocessor: preprocess.zeroCenter().fit([[1, 2]]).toJSON() }, SimpleRNN: { units: 1 }, LSTM: { units: 1 }, GRU: { units: 1 }, Embedding: { inputDim: 2, outputDim: 1 }, Reshape: { targetShape: [1] } };
    const missing: string[] = [];
    // NOTE: merge layers take several inputs, so no Sequential holds them: tests/graph/graph-io.test.ts covers them
    const merges = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Concatenate']);
    const stacked = layerRegistry.classNames.filter((c) => !merges.has(c));
    for (const className of stacked) {
      const config = serialize(layerRegistry.fromConfig({ className, config: required[className] ?? {} })).config;
      for (const key of Object.keys(config)) {
        if (key === 'name' || key === 'trainable' || key === 'inputShape' || key in (required[className] ?? {})) continue;
        if (!covered.has(`${className}.${key}`)) missing.push(`${className}.${key}`);
      }
    }
    expect(missing).toEqual([]);
    expect([...covered].some((k) => k.endsWith('.name')), 'a custom layer name').toBe(true);
    expect([...covered].some((k) => k.endsWith('.trainable')), 'a frozen layer').toBe(true);
    // and every class appears in the models
    const used = new Set(MODELS.flatMap((m) => m.layers().map((l) => l.className)));
    expect([...used].sort()).toEqual([...stacked].sort());
  });
});

// ---- optimizers and schedules ----

const OPTIMIZERS: [string, () => Optimizer][] = [
  ['sgd with momentum, dampening, weight decay and stepDecay', () => optimizers.sgd({
    learningRate: schedules.stepDecay({ initialLearningRate: 0.2, stepSize: 2, gamma: 0.3 }), momentum: 0.8, dampening: 0.1, weightDecay: 0.01,
  })],
  ['sgd nesterov with staircase exponentialDecay', () => optimizers.sgd({
    learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5, staircase: true }), momentum: 0.7, nesterov: true,
  })],
  ['rmsprop centered with momentum and cosineDecay with warm-up', () => optimizers.rmsprop({
    learningRate: schedules.cosineDecay({ initialLearningRate: 0.02, decaySteps: 4, alpha: 0.2, warmupSteps: 2 }),
    rho: 0.8, epsilon: 1e-4, momentum: 0.3, centered: true, weightDecay: 0.02,
  })],
  ['adagrad', () => optimizers.adagrad({ learningRate: 0.3, epsilon: 1e-3, lrDecay: 0.1, weightDecay: 0.02 })],
  ['adam with exponentialDecay', () => optimizers.adam({
    learningRate: schedules.exponentialDecay({ initialLearningRate: 0.03, decaySteps: 3, decayRate: 0.5 }), beta1: 0.7, beta2: 0.9, epsilon: 1e-3, weightDecay: 0.01,
  })],
  ['adamw', () => optimizers.adamw({ learningRate: 0.02, beta1: 0.6, beta2: 0.95, epsilon: 1e-4, weightDecay: 0.1 })],
];

const optX = randn([12, 6], 71), optY = randLabels(12, 3, 72);
const STEPS = 8;

/** A fresh model (seed 42) trained STEPS steps with this optimizer: the losses and the final weights. */
function optimizerOutcome(opt: Optimizer): Outcome {
  const m = new Sequential({ seed: 42 });
  try {
    m.add(layers.dense({ units: 8, inputShape: [6], activation: 'tanh' }));
    m.add(layers.dense({ units: 3 }));
    m.compile({ optimizer: opt, loss: 'softmaxCrossEntropy' });
    const losses = Array.from({ length: STEPS }, () => m.trainOnBatch(optX, optY));
    return { arrays: [losses, ...weightsOf(m), [m.optimizer!.currentLearningRate]], names: [] };
  } finally {
    m.dispose();
  }
}

describe('optimizers: fromConfig(serialize(optimizer)) trains a fresh model identically', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(name, () => {
      const original = make();
      const rebuilt = optimizerRegistry.fromConfig(viaJson(serialize(original)));
      expect(rebuilt).not.toBe(original);
      const want = optimizerOutcome(original);
      expectSameOutcome(optimizerOutcome(rebuilt), want, name);
      // a model compiled with the serialized spec itself (as load does)
      const m = new Sequential({ seed: 42 });
      m.add(layers.dense({ units: 8, inputShape: [6], activation: 'tanh' }));
      m.add(layers.dense({ units: 3 }));
      m.compile({ optimizer: viaJson(serialize(make())) as never, loss: 'softmaxCrossEntropy' });
      const losses = Array.from({ length: STEPS }, () => m.trainOnBatch(optX, optY));
      if ('error' in want) throw new Error(want.error);
      expectSameBits([losses, ...weightsOf(m)], want.arrays.slice(0, -1), `${name}: compile({optimizer: spec})`);
      m.dispose();
    });
  }

  it('dropping any configured argument of any optimizer or schedule changes training; every argument is covered', () => {
    const covered = new Set<string>();
    for (const [name, make] of OPTIMIZERS) {
      const spec = viaJson(serialize(make()));
      const reference = optimizerOutcome(optimizerRegistry.fromConfig(spec));
      for (const k of droppedKeysChangeBehaviour(spec, (s) => optimizerRegistry.fromConfig(s), optimizerOutcome, reference, name)) covered.add(`${spec.className}.${k}`);
      const lr = spec.config.learningRate;
      if (typeof lr === 'object' && lr !== null) {
        // the schedule's own arguments, inside the optimizer's config
        const sched = lr as Serialized;
        const withSchedule = (s: Serialized) => optimizerRegistry.fromConfig({ className: spec.className, config: { ...spec.config, learningRate: s } });
        const run = (o: Optimizer) => optimizerOutcome(o);
        const rebuild = (s: Serialized) => {
          scheduleRegistry.fromConfig(s); // refuses a missing required argument
          return withSchedule(s);
        };
        const scheduleValue = (o: Optimizer, key: string) => (o.getConfig().learningRate as Serialized).config[key];
        const keys = droppedKeysChangeBehaviour(sched, rebuild, run, reference, `${name}: ${sched.className}`, [], scheduleValue);
        for (const k of keys) covered.add(`${sched.className}.${k}`);
      }
    }
    const missing: string[] = [];
    for (const className of optimizerRegistry.classNames) {
      for (const key of Object.keys(serialize(optimizerRegistry.fromConfig({ className, config: {} })).config)) {
        if (!covered.has(`${className}.${key}`)) missing.push(`${className}.${key}`);
      }
    }
    const required: Record<string, Record<string, unknown>> = {
      stepDecay: { initialLearningRate: 1, stepSize: 1 },
      exponentialDecay: { initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 },
      cosineDecay: { initialLearningRate: 1, decaySteps: 1 },
    };
    for (const className of scheduleRegistry.classNames) {
      for (const key of Object.keys(serialize(scheduleRegistry.fromConfig({ className, config: required[className] })).config)) {
        if (!(key in required[className]) && !covered.has(`${className}.${key}`)) missing.push(`${className}.${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('schedules: the rebuilt schedule gives the same learning rate at every step', () => {
    const all: LearningRateSchedule[] = [
      schedules.stepDecay({ initialLearningRate: 0.2, stepSize: 3, gamma: 0.3 }),
      schedules.stepDecay({ initialLearningRate: 0.2, stepSize: 3 }),
      schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.7 }),
      schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.7, staircase: true }),
      schedules.cosineDecay({ initialLearningRate: 0.05, decaySteps: 10, alpha: 0.1, warmupSteps: 3 }),
      schedules.cosineDecay({ initialLearningRate: 0.05, decaySteps: 10 }),
    ];
    const curves = all.map((s) => Array.from({ length: 30 }, (_, t) => s.at(t)));
    all.forEach((s, i) => {
      const rebuilt = scheduleRegistry.fromConfig(viaJson(serialize(s)));
      expectSameBits([Array.from({ length: 30 }, (_, t) => rebuilt.at(t))], [curves[i]], `${s.className} ${i}`);
      expect(new Set(curves[i]).size, `${s.className} ${i} is not constant`).toBeGreaterThan(2);
    });
    // the two variants of each schedule differ, so an argument that got lost would show
    for (let i = 0; i < all.length; i += 2) expect(differs([curves[i]], [curves[i + 1]])).toBe(true);
  });
});

// ---- regularizers ----

describe('regularizers', () => {
  it('l2(0.003) rebuilt from its config adds the same 0.003·Σw² to the loss and trains identically', () => {
    const x = randn([10, 5], 81), y = randLabels(10, 3, 82);
    const run = (reg: unknown) => {
      const m = new Sequential({ seed: 43, dtype: 'float64' });
      m.add(layers.dense({ units: 4, inputShape: [5], activation: 'tanh', kernelRegularizer: reg as never }));
      m.add(layers.dense({ units: 3 }));
      m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'softmaxCrossEntropy' });
      const kernel = Float64Array.from(m.getWeights()[0].data);
      const evaluated = m.evaluate(x, y).loss;
      const losses = Array.from({ length: 4 }, () => m.trainOnBatch(x, y));
      const out = { kernel, evaluated, losses, weights: weightsOf(m) };
      m.dispose();
      return out;
    };
    const original = regularizers.l2(0.003);
    const spec = viaJson(serialize(original));
    const plain = run(null);
    const want = run(original);
    for (const [label, reg] of [['regularizerRegistry.fromConfig', regularizerRegistry.fromConfig(spec)], ['the serialized spec as kernelRegularizer', spec]] as const) {
      const got = run(reg);
      expectSameBits([got.losses, [got.evaluated], ...got.weights], [want.losses, [want.evaluated], ...want.weights], label);
    }
    // the penalty added is 0.003·Σw² of the kernel (computed here), not the default 0.01
    const penalty = 0.003 * plain.kernel.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(want.losses[0] - plain.losses[0] - penalty)).toBeLessThan(1e-12);
    expect(Math.abs(want.evaluated - plain.evaluated - penalty)).toBeLessThan(1e-12);
    expect(penalty).toBeGreaterThan(1e-3);
  });
});

// ---- errors ----

describe('malformed specs are Errors that name the problem', () => {
  const expectError = (f: () => unknown, needles: string[]) => {
    let message = '';
    try {
      f();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message, 'an Error was raised').not.toBe('');
    for (const n of needles) expect(message).toContain(n);
  };

  it('an unknown className is named, with the closest known one', () => {
    expectError(() => layerRegistry.fromConfig({ className: 'Dens', config: { units: 3 } }), ["'Dens'", "did you mean 'Dense'"]);
    expectError(() => layerRegistry.fromConfig({ className: 'conv2d', config: { filters: 3, kernelSize: 3 } }), ["'conv2d'", "did you mean 'Conv2D'"]);
    expectError(() => initializerRegistry.fromConfig({ className: 'glorotUnifrom', config: {} }), ["'glorotUnifrom'", "did you mean 'glorotUniform'"]);
    expectError(() => optimizerRegistry.fromConfig({ className: 'Adamw', config: {} }), ["'Adamw'", "did you mean 'adamw'"]);
    expectError(() => scheduleRegistry.fromConfig({ className: 'cosineDecy', config: {} }), ["'cosineDecy'", "did you mean 'cosineDecay'"]);
    expectError(() => regularizerRegistry.fromConfig({ className: 'L2', config: { lambda: 0.1 } }), ["'L2'", "did you mean 'l2'"]);
    // nothing close: no suggestion, the known classes are listed
    expectError(() => layerRegistry.fromConfig({ className: 'Transformer', config: {} }), ["'Transformer'", 'Dense', 'GroupNorm']);
    // nested inside a layer's config
    expectError(() => layerRegistry.fromConfig({ className: 'Dense', config: { units: 3, kernelInitializer: { className: 'heNormall', config: {} } } }), ["'heNormall'", "'heNormal'"]);
  });

  it('an unknown config key is named, with the right spelling', () => {
    expectError(() => layerRegistry.fromConfig({ className: 'Dense', config: { units: 3, kernel_initializer: 'zeros' } }), ["'kernel_initializer'", 'kernelInitializer']);
    expectError(() => layerRegistry.fromConfig({ className: 'Conv2D', config: { filters: 3, kernelSize: 3, stride: 2 } }), ["'stride'", 'strides']);
    expectError(() => layerRegistry.fromConfig({ className: 'BatchNorm', config: { momentun: 0.9 } }), ["'momentun'", 'momentum']);
    expectError(() => initializerRegistry.fromConfig({ className: 'randomNormal', config: { std: 0.3 } }), ["'std'", 'stddev']);
    expectError(() => optimizerRegistry.fromConfig({ className: 'adam', config: { learning_rate: 0.1 } }), ["'learning_rate'", 'learningRate']);
    expectError(() => scheduleRegistry.fromConfig({ className: 'cosineDecay', config: { initialLearningRate: 0.1, decaySteps: 5, warmup: 2 } }), ["'warmup'", 'warmupSteps']);
    expectError(() => regularizerRegistry.fromConfig({ className: 'l2', config: { lamda: 0.1 } }), ["'lamda'", 'lambda']);
    expectError(() => layerRegistry.fromConfig({ className: 'Dense', config: { units: 3 }, extra: 1 }), ["'extra'"]);
  });

  it('Sequential.load reports an unknown layer class or key in a topology', async () => {
    const m = new Sequential({ seed: 44 });
    m.add(layers.dense({ units: 3, inputShape: [4] }));
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const art = m.save();
    m.dispose();
    const renamed = structuredClone(art.topology);
    renamed.model.config.layers[0].className = 'Dens';
    await expect(Sequential.load({ topology: renamed, weights: art.weights })).rejects.toThrow(/'Dens'.*did you mean 'Dense'/);
    const misspelt = structuredClone(art.topology);
    misspelt.model.config.layers[0].config.kernel_initializer = 'zeros';
    await expect(Sequential.load({ topology: misspelt, weights: art.weights })).rejects.toThrow(/'kernel_initializer'.*kernelInitializer/);
    const badOptimizer = structuredClone(art.topology);
    badOptimizer.training!.optimizer.className = 'adamm';
    await expect(Sequential.load({ topology: badOptimizer, weights: art.weights })).rejects.toThrow(/'adamm'.*did you mean 'adam'/);
  });
});
