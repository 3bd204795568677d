// Seeded training workloads shared verbatim by the Node side and the Chromium side of
// parity.test.ts: Node imports this file, the browser page fetches the same file from the
// test's HTTP server. `runAll(lib)` takes the simdnet module namespace (dist/simdnet.mjs in
// Node, dist/simdnet.browser.mjs in the page) and returns plain JSON: every float as the raw
// uint32 words of its typed-array buffer, so the comparison is on bits, not on printed
// numbers. Plain JS on purpose (no TS, no imports): it must run unchanged in both places.

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

async function train(lib, name, model, x, y, fitOptions) {
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

/** Runs every workload in order in one fresh module instance. */
export async function runAll(lib) {
  await lib.init();
  return [await adamDropout(lib), await nesterovCosineMix(lib), await float64(lib)];
}
