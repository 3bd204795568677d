// Seeded training workloads shared verbatim by the Node side and the Chromium side of
// parity.test.ts: Node imports this file, the browser page fetches the same file from the
// test's HTTP server. `runAll(lib)` takes the simdnet module namespace (dist/simdnet.mjs in
// Node, dist/simdnet.browser.mjs in the page) and returns plain JSON: every float as the raw
// uint32 words of its typed-array buffer, so the comparison is on bits, not on printed
// numbers. Plain JS on purpose (no TS, no imports): it must run unchanged in both places.
//
// Resuming from a file ("same file, same bits"): `startResumable(lib)` trains the
// RESUMABLE models for a while (Node side only), the test saves each with
// io.toBytes(model.save()) and hands the bytes to every runtime; there `resumeFromFile(lib,
// bytes)` loads them, continues training with shuffling and dropout, and returns the same
// bitwise JSON as the workloads plus the predictions right after loading and the bytes of
// the file the continued model saves (base64), so the files themselves can be compared.
// `resumableFiles(lib)` writes the first files themselves, for the same byte comparison.

/** Deterministic data from a 32-bit LCG: integer arithmetic only, then exact scalings. */
function makeData(n, d, classes, Float) {
  let s = 0x2545f491;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const x = new Float(n * d);
  // (s >>> 16) is an integer in [0, 65536); (k − 32768) / 16384 is exact in f32 and f64.
  for (let i = 0; i < n * d; i++) x[i] = ((next() >>> 16) - 32768) / 16384;
  // A learnable rule on the integer sign pattern of a few features, so the loss can fall.
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = x[i * d] > 0 ? 1 : 0;
    const b = x[i * d + 1] + x[i * d + 2] > 0 ? 1 : 0;
    labels[i] = (a + 2 * b) % classes;
  }
  const oneHot = new Float(n * classes);
  for (let i = 0; i < n; i++) oneHot[i * classes + labels[i]] = 1;
  return { x, labels, oneHot };
}

/** Raw uint32 words of a typed array's bytes (little-endian everywhere wasm runs). */
function words(a) {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4));
}

function snapshot(model) {
  return model.getWeights().map((t) => ({ shape: Array.from(t.shape), dtype: t.dtype, words: words(t.data) }));
}

async function train(lib, name, model, x, y, fitOptions, extra) {
  const initial = snapshot(model);
  const history = await model.fit(x, y, fitOptions);
  const pred = model.predict(x);
  const out = {
    name,
    dtype: model.dtype,
    initialWeights: initial,
    weights: snapshot(model),
    predictions: { shape: Array.from(pred.shape), dtype: pred.dtype, words: words(pred.data) },
    loss: Array.from(history.history.loss),
    lossWords: words(Float64Array.from(history.history.loss)),
    accuracyWords: words(Float64Array.from(history.history.accuracy)),
    ...(extra ? extra(model) : {}),
  };
  model.dispose();
  return out;
}

/** Adam, dense relu/tanh, dropout, shuffling; float32. */
async function adamDropout(lib) {
  const { Sequential, layers, optimizers } = lib;
  const { x, labels } = makeData(256, 20, 4, Float32Array);
  const m = new Sequential({ seed: 7 });
  m.add(layers.dense({ units: 32, inputShape: [20], activation: 'relu', kernelInitializer: 'heNormal' }));
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: 16, activation: 'tanh' }));
  m.add(layers.dense({ units: 4 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return train(lib, 'adam+dropout f32', m, x, labels, { epochs: 3, batchSize: 32, shuffle: true });
}

/** SGD Nesterov with a cosine schedule over sigmoid, elu, maxout, prelu, leakyRelu; one-hot targets. */
async function nesterovCosineMix(lib) {
  const { Sequential, layers, optimizers, schedules } = lib;
  const { x, oneHot } = makeData(256, 20, 4, Float32Array);
  const m = new Sequential({ seed: 11 });
  m.add(layers.dense({ units: 24, inputShape: [20], activation: 'sigmoid' }));
  m.add(layers.elu());
  m.add(layers.maxout({ units: 12, pieces: 3 }));
  m.add(layers.prelu());
  m.add(layers.dense({ units: 8 }));
  m.add(layers.leakyRelu());
  m.add(layers.dense({ units: 4 }));
  m.compile({
    optimizer: optimizers.sgd({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 20 }), momentum: 0.9, nesterov: true }),
    loss: 'softmaxCrossEntropy',
    metrics: ['accuracy'],
  });
  // 3 epochs × 8 batches = 24 steps: the schedule runs past decaySteps to its floor.
  return train(lib, 'sgd-nesterov+cosineDecay mix f32', m, x, oneHot, { epochs: 3, batchSize: 32, shuffle: true, augment: { shift: 0 } });
}

/** float64 model: adam, relu/tanh, dropout. */
async function float64(lib) {
  const { Sequential, layers, optimizers } = lib;
  const { x, labels } = makeData(256, 20, 4, Float64Array);
  const m = new Sequential({ seed: 3, dtype: 'float64' });
  m.add(layers.dense({ units: 32, inputShape: [20], activation: 'relu', kernelInitializer: 'heNormal' }));
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: 16, activation: 'tanh' }));
  m.add(layers.dense({ units: 4 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return train(lib, 'adam+dropout f64', m, x, labels, { epochs: 3, batchSize: 32, shuffle: true });
}

/** Recurrent: LSTM (sequences) → GRU → dense on 8 timesteps of 6 features, Adam, shuffling; float32 (SIMD cells with tail units). */
async function lstmGruAdam(lib) {
  const { Sequential, layers, optimizers, tensor } = lib;
  const { x, labels } = makeData(256, 48, 4, Float32Array);
  const m = new Sequential({ seed: 19 });
  m.add(layers.lstm({ units: 12, returnSequences: true, inputShape: [8, 6] }));
  m.add(layers.gru({ units: 7 }));
  m.add(layers.dense({ units: 4 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return train(lib, 'lstm+gru+adam f32', m, tensor(x, [256, 8, 6]), labels, { epochs: 3, batchSize: 32, shuffle: true });
}

/** conv + batchNorm + dropout + Adam on 8×8×1 images; float32. */
async function convBatchNormAdam(lib) {
  const { Sequential, layers, optimizers, tensor } = lib;
  const { x, labels } = makeData(256, 64, 4, Float32Array);
  const m = new Sequential({ seed: 13 });
  m.add(layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', inputShape: [8, 8, 1], kernelInitializer: 'heNormal', useBias: false }));
  m.add(layers.batchNorm({ momentum: 0.9 }));
  m.add(layers.relu());
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'tanh' }));
  m.add(layers.flatten());
  m.add(layers.dropout({ rate: 0.25 }));
  m.add(layers.dense({ units: 4 }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return train(lib, 'conv+batchNorm+dropout+adam f32', m, tensor(x, [256, 8, 8, 1]), labels, { epochs: 3, batchSize: 32, shuffle: true });
}

/** A functional residual CNN: conv + batchNorm + add (fast forward), a shared dense, concatenate, dropout; float32. */
async function residualGraph(lib) {
  const { Model, input, layers, optimizers, tensor } = lib;
  const { x, labels } = makeData(256, 64, 4, Float32Array);
  const inp = input({ shape: [8, 8, 1] });
  const c1 = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(inp);
  let h = layers.batchNorm({ momentum: 0.9 }).apply(layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(c1));
  h = layers.relu().apply(layers.add().apply([h, c1]));
  const f = layers.flatten().apply(layers.maxPool2d({ poolSize: 2 }).apply(h));
  const shared = layers.dense({ units: 8, activation: 'tanh' });
  const a = shared.apply(f);
  const b = shared.apply(layers.dense({ units: 64 }).apply(f));
  const m2 = layers.dropout({ rate: 0.25 }).apply(layers.concatenate().apply([a, b]));
  const m = new Model({ inputs: inp, outputs: layers.dense({ units: 4 }).apply(m2), seed: 17 });
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return train(lib, 'functional residual conv+batchNorm+shared dense+concatenate f32', m, tensor(x, [256, 8, 8, 1]), labels, { epochs: 3, batchSize: 32, shuffle: true });
}

// ---- resuming from a model file ----

/**
 * Models saved mid-training: batch norm (moving statistics), dropout, Adam(W) with a
 * schedule. The model name (saved in the file) names the results.
 */
const RESUMABLE = [
  (lib) => {
    const { Sequential, layers, optimizers, schedules } = lib;
    const m = new Sequential({ seed: 21, name: 'resume f32: batchNorm+dropout, adam+cosineDecay warm-up' });
    m.add(layers.dense({ units: 32, inputShape: [20], activation: 'relu', kernelInitializer: 'heNormal' }));
    m.add(layers.batchNorm());
    m.add(layers.dropout({ rate: 0.25 }));
    m.add(layers.dense({ units: 16, activation: 'tanh' }));
    m.add(layers.dropout({ rate: 0.1 }));
    m.add(layers.dense({ units: 4 }));
    // 16 steps before the save, 24 after: the schedule is mid-decay when the file is written.
    const learningRate = schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 60, warmupSteps: 4, alpha: 0.1 });
    m.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    return m;
  },
  (lib) => {
    const { Sequential, layers, optimizers, schedules } = lib;
    const m = new Sequential({ seed: 5, dtype: 'float64', name: 'resume f64: batchNorm+dropout, adamw+exponentialDecay' });
    m.add(layers.dense({ units: 24, inputShape: [20], activation: 'relu' }));
    m.add(layers.batchNorm({ momentum: 0.9 }));
    m.add(layers.dropout({ rate: 0.2 }));
    m.add(layers.dense({ units: 4 }));
    const learningRate = schedules.exponentialDecay({ initialLearningRate: 0.02, decaySteps: 10, decayRate: 0.7 });
    m.compile({ optimizer: optimizers.adamw({ learningRate }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    return m;
  },
];

const RESUME_DATA = { n: 256, d: 20, classes: 4 };
/** The continuation every runtime runs after loading (and the first phase, with 2 epochs). */
const RESUME_FIT = { epochs: 3, batchSize: 32, shuffle: true };

function resumeData(dtype) {
  return makeData(RESUME_DATA.n, RESUME_DATA.d, RESUME_DATA.classes, dtype === 'float64' ? Float64Array : Float32Array);
}

/** Base64 of bytes with the global btoa (Node ≥ 16, Bun, Deno and browsers all have it). */
function base64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  return btoa(bin);
}

/**
 * Builds and trains every RESUMABLE model for 2 epochs (shuffle, dropout) and returns the
 * live Sequential models, mid-training, for the caller to save; the caller disposes them
 * (continueTraining does).
 */
export async function startResumable(lib) {
  await lib.init();
  const out = [];
  for (const make of RESUMABLE) {
    const model = make(lib);
    const { x, labels } = resumeData(model.dtype);
    await model.fit(x, labels, { ...RESUME_FIT, epochs: 2 });
    out.push(model);
  }
  return out;
}

/** The files startResumable's models save (base64): every runtime must write Node's bytes. */
export async function resumableFiles(lib) {
  const models = await startResumable(lib);
  return models.map((m) => {
    const file = base64(lib.io.toBytes(m.save()));
    m.dispose();
    return file;
  });
}

/**
 * The continuation: predictions as the model stands, 3 more epochs with shuffling and
 * dropout, predictions, and the file the continued model saves. Disposes the model.
 */
export async function continueTraining(lib, model) {
  const { x, labels } = resumeData(model.dtype);
  const before = model.predict(x);
  const loadedPredictions = { shape: Array.from(before.shape), dtype: before.dtype, words: words(before.data) };
  const out = await train(lib, model.name, model, x, labels, RESUME_FIT, (m) => ({ file: base64(lib.io.toBytes(m.save())) }));
  return { ...out, loadedPredictions };
}

/** Loads a `.simdnet` file's bytes (from io.toBytes) and runs continueTraining on it. */
export async function resumeFromFile(lib, bytes) {
  await lib.init();
  const model = await lib.Sequential.load(lib.io.fromBytes(bytes));
  return continueTraining(lib, model);
}

/**
 * The same file with the lowest mantissa bit of the first weight flipped (optimizer state,
 * RNG streams and everything else as they were): the test's proof that one ulp in the file
 * shows up in every compared quantity.
 */
export async function flipLowestBit(lib, bytes) {
  await lib.init();
  const model = await lib.Sequential.load(lib.io.fromBytes(bytes));
  const ws = model.getWeights().map((t) => t.data.slice());
  // Little-endian: the first uint32 word holds the lowest mantissa bits of a float32 or float64.
  new Uint32Array(ws[0].buffer, ws[0].byteOffset, 1)[0] ^= 1;
  model.setWeights(ws);
  const out = lib.io.toBytes(model.save());
  model.dispose();
  return out;
}

/** Runs every workload in order in one fresh module instance. */
/** Every workload, in the order runAll runs them. */
export const WORKLOADS = [adamDropout, nesterovCosineMix, float64, convBatchNormAdam, residualGraph, lstmGruAdam];

export async function runAll(lib) {
  await lib.init();
  const out = [];
  for (const w of WORKLOADS) out.push(await w(lib));
  return out;
}
