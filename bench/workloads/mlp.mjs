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
// and two contenders without a Keras-like API:
//   PyTorch       trainOnBatch: zero_grad, forward, cross_entropy, backward, Adam.step, 16
//                 steps per request to its server (lib/torch-cells.mjs)
//   jax-js        trainOnBatch: one jit(valueAndGrad + Adam) per batch, loss read back
//                 (lib/jax-cells.mjs)
// The 2-thread row repeats trainOnBatch with each library on 2 threads (simdnet
// init({threads: 2}), torch.set_num_threads(2)); tfjs-wasm and jax-js run 1 thread under
// Node and say so ('no threads').
// tfjs's loss is tf.losses.softmaxCrossEntropy on a linear last layer: the same math as
// simdnet's softmaxCrossEntropy (a softmax layer + categoricalCrossentropy measured the
// same within noise).

import { needThreads } from '../contenders.mjs';
import { loadMnist } from '../lib/mnist.mjs';
import { batches, simdnetCell } from '../lib/simdnet-cells.mjs';
import { fastestApiOf, trainingSummary, threadsSummary } from '../lib/training-summary.mjs';
import { torchTrainCell } from '../lib/torch-cells.mjs';
import { jaxTrainer, jaxTrainCell, jaxSoftmaxCrossEntropy, jaxKeys } from '../lib/jax-cells.mjs';

const BATCH = 64;
const UNITS = [784, 256, 256, 10];
/** Samples in the fit epoch; tfjs-cpu trains ~25× slower, so it gets a smaller epoch. */
const FIT_SAMPLES = { default: 8000, 'tfjs-cpu': 1024 };
const QUICK_SAMPLES = { default: 2048, 'tfjs-cpu': 512 };

/** PyTorch steps per request to its server: ~40 ms of work against a ~0.1 ms round trip. */
const TORCH_STEPS = 16;
const TARGETS = { pytorch: 1.0, 'tfjs-wasm': 5 };
const THREADS_TARGET = 1.8;

const ALL = ['simdnet', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'jax-js'];

export const cases = [
  { id: 'fit', label: (s) => { const t = s.quick ? QUICK_SAMPLES : FIT_SAMPLES; return `fit, 1 epoch (${t.default}; tfjs-cpu ${t['tfjs-cpu']})`; }, contenders: ['simdnet', 'tfjs-wasm', 'tfjs-cpu'] },
  { id: 'trainOnBatch', label: `trainOnBatch, batch ${BATCH}` },
  { id: 'minimize', label: `optimizer.minimize, batch ${BATCH}`, contenders: ['tfjs-wasm', 'tfjs-cpu'] },
  { id: 'trainOnBatch2', api: 'trainOnBatch', threads: 2, label: `trainOnBatch, batch ${BATCH}, 2 threads`, contenders: ['simdnet', 'pytorch', 'tfjs-wasm', 'jax-js'] },
];

function samplesFor(contender, settings) {
  const t = settings.quick ? QUICK_SAMPLES : FIT_SAMPLES;
  return t[contender] ?? t.default;
}


/** The model in simdnet, compiled (also used by the predict workload). */
export function simdnetMlp({ Sequential, layers, optimizers }) {
  const m = new Sequential({ seed: 1 });
  m.add(layers.dense({ units: UNITS[1], inputShape: [UNITS[0]], activation: 'relu', kernelInitializer: 'heNormal' }));
  m.add(layers.dense({ units: UNITS[2], activation: 'relu', kernelInitializer: 'heNormal' }));
  m.add(layers.dense({ units: UNITS[3], kernelInitializer: 'heNormal' }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy' });
  return m;
}

/** The model in tfjs-layers, not compiled (also used by the predict workload). */
export function tfjsMlp(tfl) {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: UNITS[1], inputShape: [UNITS[0]], activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tfl.layers.dense({ units: UNITS[2], activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tfl.layers.dense({ units: UNITS[3], kernelInitializer: 'heNormal' }));
  return model;
}

/** The model in jax-js: He-normal parameters and the logits of x [b, 784] (also used by predict). */
export function jaxMlp(jax) {
  const { numpy: np, nn, random } = jax;
  const keys = jaxKeys(jax, 1, UNITS.length - 1);
  const params = {};
  for (let l = 1; l < UNITS.length; l++) {
    params[`w${l}`] = random.normal(keys[l - 1], [UNITS[l - 1], UNITS[l]]).mul(Math.sqrt(2 / UNITS[l - 1]));
    params[`b${l}`] = np.zeros([UNITS[l]]);
  }
  const logits = (p, x) => {
    const h1 = nn.relu(np.matmul(x, p.w1).add(p.b1));
    const h2 = nn.relu(np.matmul(h1, p.w2).add(p.b2));
    return np.matmul(h2, p.w3).add(p.b3);
  };
  return { params, logits };
}

/** The sizes torch_server.py builds the model from. */
export const TORCH_MLP = { units: UNITS };

export const setup = {
  async simdnet(ctx, c, settings) {
    needThreads(ctx, c.threads ?? 1);
    const m = simdnetMlp(ctx.lib);
    const n = samplesFor('simdnet', settings);
    const { x, y } = await loadMnist(n);
    return simdnetCell(m, c, { x, y, n, batch: BATCH, width: UNITS[0] });
  },
  async pytorch(ctx, c, settings) {
    needThreads(ctx, c.threads ?? 1);
    const n = Math.min(2048, samplesFor('default', settings));
    const { x, y } = await loadMnist(n);
    return torchTrainCell(ctx, c, { workload: 'mlp', x, y, n, batch: BATCH, k: TORCH_STEPS, model: TORCH_MLP });
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
  'jax-js': async (ctx, c, settings) => {
    needThreads(ctx, c.threads ?? 1);
    const { jax } = ctx;
    const { numpy: np, nn } = jax;
    const { params, logits } = jaxMlp(jax);
    const trainer = jaxTrainer(jax, params, (p, x, y) => jaxSoftmaxCrossEntropy(jax, logits(p, x), y), { name: 'adam', lr: 1e-3 });
    const n = Math.min(2048, samplesFor('default', settings));
    const { x, y } = await loadMnist(n);
    const bs = batches(x, y, n, BATCH, UNITS[0]).map((b) => ({
      x: np.array(b.x).reshape([BATCH, UNITS[0]]),
      y: nn.oneHot(np.array(b.y, { dtype: np.int32 }), UNITS[3]),
    }));
    return jaxTrainCell(jax, trainer, bs, BATCH);
  },
};

async function tfjsSetup(ctx, c, settings) {
  needThreads(ctx, c.threads ?? 1);
  const { tf, tfl, info } = ctx;
  const model = tfjsMlp(tfl);
  const lossFn = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossFn });
  const contender = info.backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu';
  const n = (c.api ?? c.id) === 'fit' ? samplesFor(contender, settings) : Math.min(2048, samplesFor('default', settings));
  const { x, y } = await loadMnist(n);
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
  const api = c.api ?? c.id;
  if (api === 'fit') {
    return {
      work: n,
      step: async () => { loss = (await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 })).history.loss[0]; },
      check: () => ({ samples: n, lastLoss: loss }),
      dispose,
    };
  }
  if (api === 'trainOnBatch') {
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
const oneThread = trainingSummary({ id: 'mlp', name: 'MLP', peers: ['pytorch', 'tfjs-wasm', 'tfjs-cpu', 'jax-js'], targets: TARGETS, flopsPerSample: FLOPS_PER_SAMPLE, digits: 2, flopsNote: '' });
const twoThreads = threadsSummary({ id: 'mlp', name: 'MLP', oneThread: 'trainOnBatch', twoThreads: 'trainOnBatch2', peers: ['pytorch', 'tfjs-wasm', 'jax-js'], target: THREADS_TARGET });
const summary = (view) => [...oneThread(view), ...twoThreads(view)];

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
