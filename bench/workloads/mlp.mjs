// MLP 784-256-256-10 training throughput in samples/s: ReLU, He-normal init on every
// Dense layer, Adam (lr 1e-3), batch 64, softmax cross-entropy on logits, on real MNIST
// digits from the `mnist` package (see lib/mnist.mjs).
//
// Each contender runs every training API it has, and the headline row compares the
// fastest of each, so tfjs is not judged by a slow path:
//   fit           one epoch of model.fit over the whole set (simdnet: copies the set into
//                 wasm once per call; tfjs: tensors made once, outside the timing)
//   trainOnBatch  one call per batch of 64 (simdnet: typed-array views, validated and
//                 copied per call; tfjs: batch tensors made once, awaits the loss)
//   minimize      tfjs only: optimizer.minimize(() => loss(model.apply(x))) inside tf.tidy,
//                 no loss read back: the least per-step overhead tfjs-layers allows
// tfjs's loss is tf.losses.softmaxCrossEntropy on a linear last layer: the same math as
// simdnet's softmaxCrossEntropy (a softmax layer + categoricalCrossentropy measured the
// same within noise).

import { loadMnist } from '../lib/mnist.mjs';
import { batches, simdnetCell } from '../lib/simdnet-cells.mjs';
import { fastestApiOf, trainingSummary } from '../lib/training-summary.mjs';

const BATCH = 64;
const UNITS = [784, 256, 256, 10];
/** Samples in the fit epoch; tfjs-cpu trains ~25× slower, so it gets a smaller epoch. */
const FIT_SAMPLES = { default: 8000, 'tfjs-cpu': 1024 };
const QUICK_SAMPLES = { default: 2048, 'tfjs-cpu': 512 };

const ALL = ['simdnet', 'tfjs-wasm', 'tfjs-cpu'];

export const cases = [
  { id: 'fit', label: (s) => { const t = s.quick ? QUICK_SAMPLES : FIT_SAMPLES; return `fit, 1 epoch (${t.default}; tfjs-cpu ${t['tfjs-cpu']})`; } },
  { id: 'trainOnBatch', label: `trainOnBatch, batch ${BATCH}` },
  { id: 'minimize', label: `optimizer.minimize, batch ${BATCH}`, contenders: ['tfjs-wasm', 'tfjs-cpu'] },
];

function samplesFor(contender, settings) {
  const t = settings.quick ? QUICK_SAMPLES : FIT_SAMPLES;
  return t[contender] ?? t.default;
}


export const setup = {
  async simdnet({ lib }, c, settings) {
    const { Sequential, layers, optimizers } = lib;
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: UNITS[1], inputShape: [UNITS[0]], activation: 'relu', kernelInitializer: 'heNormal' }));
    m.add(layers.dense({ units: UNITS[2], activation: 'relu', kernelInitializer: 'heNormal' }));
    m.add(layers.dense({ units: UNITS[3], kernelInitializer: 'heNormal' }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy' });
    const n = samplesFor('simdnet', settings);
    const { x, y } = loadMnist(n);
    return simdnetCell(m, c, { x, y, n, batch: BATCH, width: UNITS[0] });
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
};

async function tfjsSetup({ tf, tfl, info }, c, settings) {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: UNITS[1], inputShape: [UNITS[0]], activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tfl.layers.dense({ units: UNITS[2], activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tfl.layers.dense({ units: UNITS[3], kernelInitializer: 'heNormal' }));
  const lossFn = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossFn });
  const contender = info.backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu';
  const n = c.id === 'fit' ? samplesFor(contender, settings) : Math.min(2048, samplesFor('default', settings));
  const { x, y } = loadMnist(n);
  const xs = tf.tensor2d(x, [n, UNITS[0]]);
  const labels = tf.tensor1d(y, 'int32');
  const ys = tf.cast(tf.oneHot(labels, UNITS[3]), 'float32');
  labels.dispose();
  const bs = batches(x, y, n, BATCH, UNITS[0]).map((_, b) => ({
    x: tf.slice(xs, [b * BATCH, 0], [BATCH, UNITS[0]]),
    y: tf.slice(ys, [b * BATCH, 0], [BATCH, UNITS[3]]),
  }));
  const dispose = () => { model.dispose(); tf.dispose([xs, ys, ...bs.flatMap((b) => [b.x, b.y])]); };
  let loss = NaN, i = 0;
  if (c.id === 'fit') {
    return {
      work: n,
      step: async () => { loss = (await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 })).history.loss[0]; },
      check: () => ({ samples: n, lastLoss: loss }),
      dispose,
    };
  }
  if (c.id === 'trainOnBatch') {
    return {
      work: BATCH,
      step: async () => { const b = bs[i++ % bs.length]; loss = await model.trainOnBatch(b.x, b.y); },
      check: () => ({ lastLoss: loss }),
      dispose,
    };
  }
  const opt = tf.train.adam(1e-3);
  return {
    work: BATCH,
    step: () => {
      const b = bs[i++ % bs.length];
      tf.tidy(() => { opt.minimize(() => lossFn(b.y, model.apply(b.x, { training: true }))); });
    },
    check: () => tf.tidy(() => {
      const b = bs[0];
      return { lossOnBatch0: lossFn(b.y, model.apply(b.x)).dataSync()[0], tensors: tf.memory().numTensors };
    }),
    dispose: () => { opt.dispose(); dispose(); },
  };
}

/** Training FLOPs per sample: forward 2·Σ in·out, dW the same again, dx for all but layer 1. */
const FLOPS_PER_SAMPLE = (() => {
  let f = 0;
  for (let l = 1; l < UNITS.length; l++) f += 2 * UNITS[l - 1] * UNITS[l] * (l > 1 ? 3 : 2);
  return f;
})();

/**
 * The headline row: per round, the fastest training API of each contender (the rounds
 * interleave all cases, so round r of every case ran within the same few seconds).
 * NOTE: a max over noisy APIs leans upward, more for tfjs (three APIs) than for simdnet
 * (two): the bias favours tfjs.
 */
const derived = fastestApiOf(cases, ALL);
const summary = trainingSummary({ id: 'mlp', name: 'MLP', peers: ['tfjs-wasm', 'tfjs-cpu'], targets: { 'tfjs-wasm': 5 }, flopsPerSample: FLOPS_PER_SAMPLE, digits: 2, flopsNote: '' });

export default {
  id: 'mlp',
  title: 'MLP 784-256-256-10 training (MNIST, Adam, batch 64)',
  unit: 'samples/s',
  contenders: ALL,
  cases,
  setup,
  derived,
  summary,
};
