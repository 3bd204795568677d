// CNN training throughput in samples/s, on real MNIST digits (lib/mnist.mjs), the same
// samples in the same order for every contender:
//   conv 5×5×16 'same' ReLU → maxpool 2 → conv 5×5×32 'same' ReLU → maxpool 2 → dense 10
//   Adam (lr 1e-3, β 0.9/0.999), batch 64, softmax cross-entropy on logits
// Each library's default initializers (glorotUniform in simdnet and tfjs; ConvNetJS its own).
//
//   fit           simdnet, tfjs-wasm: one epoch of model.fit over FIT_SAMPLES
//   trainOnBatch  one batch of 64 per step. simdnet: typed-array views, validated and copied
//                 per call; tfjs: batch tensors made beforehand, loss awaited; ConvNetJS:
//                 64 calls of trainer.train(vol, label), its only training API (one sample
//                 per call; the update runs on every 64th), Vols made beforehand
// tfjs-cpu runs trainOnBatch only: a step takes ~35 s, so per-call API overheads (≤ a few
// ms in the MLP rows) do not matter, and fit would only repeat the same work slower.
// PyTorch (NCHW: the NHWC digits are transposed once, in its server, outside the timing)
// runs trainOnBatch-like steps, 4 per request (lib/torch-cells.mjs); jax-js one
// jit(valueAndGrad + Adam) per batch on NCHW arrays (lib/jax-cells.mjs), with lax.conv and
// a reshape-max pool, Keras's glorotUniform parameters.
// The 2-thread row repeats trainOnBatch on 2 threads (simdnet init({threads: 2}),
// torch.set_num_threads(2)); tfjs-wasm and jax-js have no threads under Node ('no threads').
//
// NOTE: the tfjs backends first run a probe: one training step on 2 samples. If it throws
// (tfjs-backend-wasm 4.x has no Conv2DBackpropFilter kernel), the cell is 'cannot train'
// with the error recorded; if it trains, it is measured like any other. The probe also
// estimates the batch's cost: a backend slower than ~10 s a batch (tfjs-cpu) is warmed up
// on the 2-sample step (same kernels, same JS) and timed over fewer repeats, which keeps
// this workload under ~2 minutes.
//
// NOTE: the convnetjs npm release (0.3.0) has no Adam (see contenders.mjs): its Trainer
// would silently run SGD with momentum for method 'adam'. ConvNetJsAdam below keeps the
// Trainer's structure and adds Adam, so ConvNetJS does the same work as the others.

import { needThreads } from '../contenders.mjs';
import { loadMnist } from '../lib/mnist.mjs';
import { batches, simdnetCell } from '../lib/simdnet-cells.mjs';
import { fastestApiOf, trainingSummary, threadsSummary } from '../lib/training-summary.mjs';
import { torchTrainCell } from '../lib/torch-cells.mjs';
import { jaxTrainer, jaxTrainCell, jaxSoftmaxCrossEntropy, jaxKeys, nhwcToNchw } from '../lib/jax-cells.mjs';

const BATCH = 64;
const IMAGE = [28, 28, 1];
const PIXELS = 784;
const CLASSES = 10;
/** Samples every contender cycles through (16 batches); the fit epoch is over all of them. */
const SAMPLES = { full: 1024, quick: 256 };
const TARGETS = { pytorch: 0.6, 'tfjs-cpu': 100, convnetjs: 5 };
const THREADS_TARGET = 1.8;
/** PyTorch steps per request to its server: ~80 ms of work against a ~0.1 ms round trip. */
const TORCH_STEPS = 4;

const ALL = ['simdnet', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'jax-js', 'convnetjs'];

const samplesFor = (settings) => (settings.quick ? SAMPLES.quick : SAMPLES.full);

export const cases = [
  { id: 'fit', label: (s) => `fit, 1 epoch (${samplesFor(s)})`, contenders: ['simdnet', 'tfjs-wasm'] },
  { id: 'trainOnBatch', label: `trainOnBatch (ConvNetJS ${BATCH}× train)` },
  { id: 'trainOnBatch2', api: 'trainOnBatch', threads: 2, label: `trainOnBatch, batch ${BATCH}, 2 threads`, contenders: ['simdnet', 'pytorch', 'tfjs-wasm', 'jax-js'] },
];


/** The model in simdnet, compiled (also used by the predict workload). */
export function simdnetCnn({ Sequential, layers, optimizers }) {
  const m = new Sequential({ seed: 1 });
  m.add(layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: IMAGE }));
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.flatten());
  m.add(layers.dense({ units: CLASSES }));
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy' });
  return m;
}

/** The model in tfjs-layers, not compiled (also used by the predict workload). */
export function tfjsCnn(tfl) {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: IMAGE }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: CLASSES }));
  return model;
}

/**
 * The model in jax-js, NCHW: glorotUniform parameters (fans as Keras counts them) and the
 * logits of x [b, 1, 28, 28] (also used by the predict workload).
 */
export function jaxCnn(jax) {
  const { numpy: np, nn, random, lax } = jax;
  const [k1, k2, k3] = jaxKeys(jax, 1, 3);
  const glorot = (key, shape, fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return random.uniform(key, shape, { minval: -limit, maxval: limit });
  };
  const params = {
    c1: glorot(k1, [16, 1, 5, 5], 25, 25 * 16), cb1: np.zeros([16, 1, 1]),
    c2: glorot(k2, [32, 16, 5, 5], 25 * 16, 25 * 32), cb2: np.zeros([32, 1, 1]),
    w: glorot(k3, [32 * 7 * 7, CLASSES], 32 * 7 * 7, CLASSES), b: np.zeros([CLASSES]),
  };
  const pool = (x) => { const [n, c, h, w] = x.shape; return x.reshape([n, c, h / 2, 2, w / 2, 2]).max([3, 5]); };
  const logits = (p, x) => {
    const b = x.shape[0];
    const h1 = pool(nn.relu(lax.conv(x, p.c1, [1, 1], 'SAME').add(p.cb1)));
    const h2 = pool(nn.relu(lax.conv(h1, p.c2, [1, 1], 'SAME').add(p.cb2)));
    return np.matmul(h2.reshape([b, 32 * 7 * 7]), p.w).add(p.b);
  };
  return { params, logits };
}

export const setup = {
  async simdnet(ctx, c, settings) {
    const m = simdnetCnn(ctx.lib);
    const n = samplesFor(settings);
    const { x, y } = await loadMnist(n);
    return simdnetCell(m, c, { x, y, n, batch: BATCH, width: PIXELS }, {
      // ~1 s a step: as many repeats as the fast cells, not the slow-cell count.
      repeats: settings.repeats,
    });
  },
  async pytorch(ctx, c, settings) {
    needThreads(ctx, c.threads ?? 1);
    const n = samplesFor(settings);
    const { x, y } = await loadMnist(n);
    return torchTrainCell(ctx, c, { workload: 'cnn', x, y, n, batch: BATCH, k: TORCH_STEPS, model: { classes: CLASSES } });
  },
  'tfjs-wasm': tfjsSetup,
  'tfjs-cpu': tfjsSetup,
  'jax-js': async (ctx, c, settings) => {
    needThreads(ctx, c.threads ?? 1);
    const { jax } = ctx;
    const { numpy: np, nn } = jax;
    const { params, logits } = jaxCnn(jax);
    const trainer = jaxTrainer(jax, params, (p, x, y) => jaxSoftmaxCrossEntropy(jax, logits(p, x), y), { name: 'adam', lr: 1e-3 });
    const n = samplesFor(settings);
    const { x, y } = await loadMnist(n);
    const bs = batches(nhwcToNchw(x, n, ...IMAGE), y, n, BATCH, PIXELS).map((b) => ({
      x: np.array(b.x).reshape([BATCH, IMAGE[2], IMAGE[0], IMAGE[1]]),
      y: nn.oneHot(np.array(b.y, { dtype: np.int32 }), CLASSES),
    }));
    return jaxTrainCell(jax, trainer, bs, BATCH);
  },
  convnetjs: convnetjsSetup,
};

async function tfjsSetup(ctx, c, settings) {
  needThreads(ctx, c.threads ?? 1);
  const { tf, tfl } = ctx;
  const model = tfjsCnn(tfl);
  const lossFn = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossFn });
  const n = samplesFor(settings);
  const { x, y } = await loadMnist(n);
  const xs = tf.tensor4d(x, [n, ...IMAGE]);
  const labels = tf.tensor1d(y, 'int32');
  const ys = tf.cast(tf.oneHot(labels, CLASSES), 'float32');
  labels.dispose();
  const bs = batches(x, y, n, BATCH, PIXELS).map((_, b) => ({
    x: tf.slice(xs, [b * BATCH, 0, 0, 0], [BATCH, ...IMAGE]),
    y: tf.slice(ys, [b * BATCH, 0], [BATCH, CLASSES]),
  }));
  const tiny = { x: tf.slice(xs, [0, 0, 0, 0], [2, ...IMAGE]), y: tf.slice(ys, [0, 0], [2, CLASSES]) };
  const dispose = () => { model.dispose(); tf.dispose([xs, ys, tiny.x, tiny.y, ...bs.flatMap((b) => [b.x, b.y])]); };

  // The probe: can this backend train the model at all, and how long would a batch take?
  const tinyStep = () => model.trainOnBatch(tiny.x, tiny.y);
  let tinySeconds;
  try {
    await tinyStep(); // cold: kernel setup, first-call JIT
    const t0 = performance.now();
    await tinyStep();
    tinySeconds = (performance.now() - t0) / 1000;
  } catch (e) {
    dispose();
    throw Object.assign(new Error(String(e?.message ?? e)), { status: 'cannot train' });
  }
  const slow = tinySeconds * (BATCH / 2) >= 10;
  const slowCell = slow ? { warmup: { step: tinyStep }, repeats: settings.quick ? 1 : 2 } : {};

  let loss = NaN, i = 0;
  if ((c.api ?? c.id) === 'fit') {
    return {
      work: n,
      step: async () => { loss = (await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 })).history.loss[0]; },
      check: () => ({ samples: n, lastLoss: loss, probeSeconds: tinySeconds }),
      ...slowCell,
      dispose,
    };
  }
  return {
    work: BATCH,
    step: async () => { const b = bs[i++ % bs.length]; loss = await model.trainOnBatch(b.x, b.y); },
    check: () => ({ lastLoss: loss, probeSeconds: tinySeconds, warmedOnProbeStep: slow }),
    ...slowCell,
    dispose,
  };
}

/**
 * Adam for ConvNetJS releases whose Trainer has none. Same structure as ConvNetJS's
 * Trainer.train: forward and backward per sample (gradients add up in the layers), and on
 * every batch_size-th sample one pass over net.getParamsAndGrads() that averages the
 * summed gradients, updates and zeroes them. The update is Kingma & Ba's: bias
 * corrections divide, t counts updates.
 */
class ConvNetJsAdam {
  constructor(net, { learning_rate: lr, batch_size: batchSize, beta1, beta2, eps }) {
    Object.assign(this, { net, lr, batchSize, beta1, beta2, eps });
    this.k = 0; // samples seen
    this.t = 0; // updates made
    this.m = null;
    this.v = null;
  }

  train(x, y) {
    this.net.forward(x, true);
    const loss = this.net.backward(y);
    if (++this.k % this.batchSize === 0) this.update();
    return { loss };
  }

  update() {
    const pgs = this.net.getParamsAndGrads();
    this.m ??= pgs.map((pg) => new Float64Array(pg.params.length));
    this.v ??= pgs.map((pg) => new Float64Array(pg.params.length));
    const { lr, beta1, beta2, eps, batchSize } = this;
    const t = ++this.t;
    const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
    for (let i = 0; i < pgs.length; i++) {
      const p = pgs[i].params, g = pgs[i].grads, m = this.m[i], v = this.v[i];
      for (let j = 0; j < p.length; j++) {
        const gj = g[j] / batchSize;
        m[j] = beta1 * m[j] + (1 - beta1) * gj;
        v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
        p[j] -= (lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
        g[j] = 0;
      }
    }
  }
}

async function convnetjsSetup({ convnetjs, info }, c, settings) {
  const net = new convnetjs.Net();
  // 'conv' with activation 'relu' adds a relu layer; 'softmax' adds the fc layer to 10 classes.
  net.makeLayers([
    { type: 'input', out_sx: IMAGE[0], out_sy: IMAGE[1], out_depth: IMAGE[2] },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 32, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: CLASSES },
  ]);
  const shapes = net.layers.map((l) => `${l.layer_type} ${l.out_sx}×${l.out_sy}×${l.out_depth}`).join(', ');
  const options = { method: 'adam', learning_rate: 1e-3, batch_size: BATCH, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const trainer = info.trainerHasAdam ? new convnetjs.Trainer(net, options) : new ConvNetJsAdam(net, options);
  const n = samplesFor(settings);
  const { x, y } = await loadMnist(n);
  // Vol(28, 28, 1): w[(y·28 + x)·1 + 0], the row-major order of the MNIST pixels.
  const vols = Array.from({ length: n }, (_, s) => {
    const v = new convnetjs.Vol(IMAGE[0], IMAGE[1], IMAGE[2], 0.0);
    v.w.set(x.subarray(s * PIXELS, (s + 1) * PIXELS));
    return v;
  });
  const labels = Array.from(y);
  let i = 0, loss = NaN;
  return {
    work: BATCH,
    step: () => {
      let sum = 0;
      for (let k = 0; k < BATCH; k++) { const s = i++ % n; sum += trainer.train(vols[s], labels[s]).loss; }
      loss = sum / BATCH;
    },
    check: () => ({ lastLoss: loss, layers: shapes, optimizer: info.trainerHasAdam ? 'convnetjs.Trainer adam' : 'ConvNetJsAdam (bench/workloads/cnn.mjs)' }),
    // Its plain JS needs ~4 s of training (the first batch takes ~2.5 s, the third ~1.5 s)
    // before its speed settles, more than one step; and at 1.5 s a step it can afford the
    // fast cells' repeat count.
    warmup: { minSeconds: settings.quick ? 1.5 : 5 },
    repeats: settings.repeats,
  };
}

/** Nominal training FLOPs per sample: forward 2·MACs, dW the same again, dx for all but the first layer. */
const FLOPS_PER_SAMPLE = (() => {
  const conv = (hw, k, cin, cout) => 2 * hw * hw * k * k * cin * cout;
  const c1 = conv(28, 5, 1, 16), c2 = conv(14, 5, 16, 32), d = 2 * 7 * 7 * 32 * CLASSES;
  return 2 * c1 + 3 * c2 + 3 * d;
})();

const derived = fastestApiOf(cases, ALL);
const oneThread = trainingSummary({ id: 'cnn', name: 'CNN', peers: ['pytorch', 'tfjs-wasm', 'tfjs-cpu', 'jax-js', 'convnetjs'], targets: TARGETS, flopsPerSample: FLOPS_PER_SAMPLE, digits: 2, flopsNote: ', nominal' });
const twoThreads = threadsSummary({ id: 'cnn', name: 'CNN', oneThread: 'trainOnBatch', twoThreads: 'trainOnBatch2', peers: ['pytorch', 'tfjs-wasm', 'jax-js'], target: THREADS_TARGET });
const summary = (view) => [...oneThread(view), ...twoThreads(view)];

export default {
  id: 'cnn',
  title: 'CNN conv5×5×16-pool-conv5×5×32-pool-dense10 training (MNIST, Adam, batch 64)',
  unit: 'samples/s',
  contenders: ALL,
  cases,
  setup,
  derived,
  summary,
};
