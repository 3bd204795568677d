// LSTM training throughput in samples/s: recurrent MNIST, each digit read row by row
// (28 timesteps of 28 pixels) by one LSTM of 128 units (tanh, sigmoid gates), dense 10,
// softmax cross-entropy on logits, Adam (lr 1e-3), batch 64, on real MNIST digits
// (lib/mnist.mjs), the same samples in the same order for every contender.
//
//   trainOnBatch  one batch of 64 per step (simdnet: typed-array views, validated and copied
//                 per call; tfjs: batch tensors made beforehand, loss awaited); PyTorch
//                 (native, torch.set_num_threads(1), bench/lib/torch_server.py): 4 steps per
//                 request over a pipe, so the ~0.1 ms round trip is ≤ 1% of a step
//   fit           simdnet: one epoch of model.fit over the samples
// tfjs-layers' LSTM defaults to hardSigmoid gates: it is given recurrentActivation 'sigmoid'
// so every contender computes the same function.
//
// NOTE: as in cnn.mjs, the tfjs backends run a one-step probe on 2 samples first; one that
// throws is 'cannot train', one slower than ~10 s a batch warms up on the probe step.

import { loadMnist } from '../lib/mnist.mjs';
import { batches, simdnetCell } from '../lib/simdnet-cells.mjs';
import { fastestApiOf, trainingSummary } from '../lib/training-summary.mjs';
import { torchTrainCell } from '../lib/torch-cells.mjs';

const BATCH = 64;
const T = 28, F = 28, UNITS = 128, CLASSES = 10;
const SAMPLES = { full: 2048, quick: 256 };
const TORCH_STEPS = 4;
const TARGETS = { pytorch: 0.5 };

const ALL = ['simdnet', 'pytorch', 'tfjs-wasm', 'tfjs-cpu'];

const samplesFor = (settings) => (settings.quick ? SAMPLES.quick : SAMPLES.full);

export const cases = [
  { id: 'trainOnBatch', label: `trainOnBatch, batch ${BATCH}` },
  { id: 'fit', label: (s) => `fit, 1 epoch (${samplesFor(s)})`, contenders: ['simdnet'] },
];

export const setup = {
  async simdnet({ lib }, c, settings) {
    const { Sequential, layers, optimizers } = lib;
    const m = new Sequential({ seed: 1 });
    m.add(layers.lstm({ units: UNITS, inputShape: [T, F] }));
    m.add(layers.dense({ units: CLASSES }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy' });
    const n = samplesFor(settings);
    const { x, y } = await loadMnist(n);
    // NOTE: the cells pass typed arrays; the model's input shape [28, 28] reads each 784-pixel row as 28×28
    return simdnetCell(m, c, { x, y, n, batch: BATCH, width: T * F });
  },
  async pytorch(ctx, c, settings) {
    const n = samplesFor(settings);
    const { x, y } = await loadMnist(n);
    return torchTrainCell(ctx, c, { workload: 'lstm', x, y, n, batch: BATCH, k: TORCH_STEPS, model: { T, F, units: UNITS, classes: CLASSES } });
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
};

async function tfjsSetup({ tf, tfl }, c, settings) {
  const model = tfl.sequential();
  // NOTE: glorotUniform recurrent init: tfjs-layers 4.22's Orthogonal throws here (rMat.flatten is not a function); speed does not depend on it
  model.add(tfl.layers.lstm({ units: UNITS, inputShape: [T, F], recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }));
  model.add(tfl.layers.dense({ units: CLASSES }));
  const lossFn = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossFn });
  const n = samplesFor(settings);
  const { x, y } = await loadMnist(n);
  const xs = tf.tensor3d(x, [n, T, F]);
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES), 'float32'));
  const bs = batches(x, y, n, BATCH, T * F).map((_, b) => ({ x: tf.slice(xs, [b * BATCH, 0, 0], [BATCH, T, F]), y: tf.slice(ys, [b * BATCH, 0], [BATCH, CLASSES]) }));
  const tiny = { x: tf.slice(xs, [0, 0, 0], [2, T, F]), y: tf.slice(ys, [0, 0], [2, CLASSES]) };
  const dispose = () => { model.dispose(); tf.dispose([xs, ys, tiny.x, tiny.y, ...bs.flatMap((b) => [b.x, b.y])]); };
  const tinyStep = () => model.trainOnBatch(tiny.x, tiny.y);
  let tinySeconds;
  try {
    await tinyStep();
    const t0 = performance.now();
    await tinyStep();
    tinySeconds = (performance.now() - t0) / 1000;
  } catch (e) {
    dispose();
    throw Object.assign(new Error(String(e?.message ?? e)), { status: 'cannot train' });
  }
  const slow = tinySeconds * (BATCH / 2) >= 10;
  let loss = NaN, i = 0;
  return {
    work: BATCH,
    step: async () => { const b = bs[i++ % bs.length]; loss = await model.trainOnBatch(b.x, b.y); },
    check: () => ({ lastLoss: loss }),
    dispose,
    ...(slow ? { warmup: { step: tinyStep }, repeats: settings.quick ? 1 : 2 } : {}),
  };
}

/** Nominal training FLOPs per sample: 3 × the forward GEMMs (forward, dW/dU, dx/dh). */
const FLOPS_PER_SAMPLE = 3 * 2 * T * (F + UNITS) * 4 * UNITS + 3 * 2 * UNITS * CLASSES;

const derived = fastestApiOf(cases, ALL);
const summary = trainingSummary({ id: 'lstm', name: 'LSTM', peers: ['pytorch', 'tfjs-wasm', 'tfjs-cpu'], targets: TARGETS, flopsPerSample: FLOPS_PER_SAMPLE, digits: 2, flopsNote: ', nominal' });

export default {
  id: 'lstm',
  title: 'LSTM(128) recurrent-MNIST training (28 rows of 28 pixels, dense 10, Adam, batch 64)',
  unit: 'samples/s',
  contenders: ALL,
  cases,
  setup,
  derived,
  summary,
};
