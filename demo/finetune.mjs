// npm run demo:finetune — transfer learning with frozen layers (CS231n, "Transfer Learning").
//   node demo/finetune.mjs [--quick] [--seed S] [--pretrain-epochs N]
//
// The lecture's two workflows, on the embedded digits:
//   1. Pretrain the CNN of demo/mnist.mjs (conv5×5×16-BN-ReLU-pool, conv5×5×32-BN-ReLU-pool,
//      flatten, dropout, dense) on the training digits 0–4 only, and save it.
//   2. A new task: digits 5–9 from only 100 labelled samples (20 per class), tested on every
//      held-out 5–9 digit. Each workflow loads the saved model (Sequential.load), removes the
//      old 10-way head (pop) and adds a new 5-way one (labels 5–9 become 0–4):
//      (a) fixed feature extractor: every pretrained layer frozen (trainable = false), only the
//          new linear classifier trains ("small dataset, similar to the pretraining data");
//      (b) finetune the top: as (a), but the last conv block (conv2 and its batch norm) trains
//          too ("more data: finetune the top layers as well");
//      (c) from scratch: the same architecture freshly initialised, all of it trainable;
//      (r) control for (a): the network of (c) with its random weights frozen, only the head
//          trains, which tells how much of (a) the pretraining is worth.
//   A frozen batch norm normalises with its moving statistics and leaves them unchanged.
//   Each workflow compiles a fresh optimizer: a loaded model keeps the optimizer it was saved
//   with, here a cosine schedule that has decayed to a learning rate of 0.
//
// All get the same budget: 40 epochs of batch 10 on the 100 samples, random shifts of ±2 px,
// Adam at a constant rate. Each workflow has its own learning rate, the best of
// {3e-4, 1e-3, 3e-3, 1e-2} ((r): of {3e-3, 1e-2}) in a sweep over three other seeds, scored
// on training digits 5–9 outside the demo's samples (never on the test digits). One draw of
// 100 samples is noisy (±1–2 points), so the demo runs three disjoint draws (samples 1–20,
// 21–40, 41–60 of each class) and compares means.
//
// What it shows (seed 1): the pretrained features are worth about 3.6 points over random
// ones ((a) vs (r)), and a linear classifier on them does as well as the whole CNN trained
// from scratch ((a) vs (c), +0.6) in a third of the training time; finetuning conv2 as well
// adds about half a point. It does not show (a) clearly beating (c): with 4,000 pretraining
// digits and shift augmentation, a small CNN learns digits 5–9 from 100 samples nearly as
// well from scratch (92–94% either way on seeds 1–3).
//
// --quick pretrains for 2 epochs instead of 5 (for CI). The script exits with status 1 when
// the pretrained features (a) do not beat the random ones (r) on average: the claim is
// checked, not assumed.
import { init, Sequential, layers, optimizers, schedules, tensor } from '../dist/simdnet.mjs';
import { parseArgs } from 'node:util';
import { mnistSplit } from './data.mjs';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' }, 'pretrain-epochs': { type: 'string' } } });
const seed = Number(args.seed);
const pretrainEpochs = Number(args['pretrain-epochs'] ?? (args.quick ? 2 : 5));
const PER_CLASS = 20, DRAWS = 3, EPOCHS = 40, BATCH = 10;

await init();
const { train, test } = mnistSplit();

/** Samples of `set` with a label in [lo, hi]: the `take` after the first `skip` of each class; labels become label − lo. */
function subset(set, lo, hi, { skip = 0, take = Infinity } = {}) {
  const idx = [];
  const seen = new Array(10).fill(0);
  for (let i = 0; i < set.n; i++) {
    const d = set.y[i];
    if (d < lo || d > hi) continue;
    if (seen[d] >= skip && seen[d] < skip + take) idx.push(i);
    seen[d]++;
  }
  const x = new Float32Array(idx.length * 784);
  const y = new Int32Array(idx.length);
  idx.forEach((i, j) => { x.set(set.x.subarray(i * 784, i * 784 + 784), j * 784); y[j] = set.y[i] - lo; });
  return { x: tensor(x, [idx.length, 28, 28, 1]), y, n: idx.length };
}

/** The CNN of demo/mnist.mjs with `classes` outputs; named layers so they can be picked out later. */
function cnn(model, classes) {
  model.add(layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', inputShape: [28, 28, 1], kernelInitializer: 'heNormal', useBias: false, name: 'conv1' }));
  model.add(layers.batchNorm({ name: 'bn1' }));
  model.add(layers.relu());
  model.add(layers.maxPool2d({ poolSize: 2 }));
  model.add(layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', kernelInitializer: 'heNormal', useBias: false, name: 'conv2' }));
  model.add(layers.batchNorm({ name: 'bn2' }));
  model.add(layers.relu());
  model.add(layers.maxPool2d({ poolSize: 2 }));
  model.add(layers.flatten());
  model.add(layers.dropout({ rate: 0.25 }));
  model.add(layers.dense({ units: classes, name: 'head' }));
  return model;
}

const compile = (model, learningRate) => model.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
const seconds = (t0) => (performance.now() - t0) / 1000;
const pct = (a) => `${(a * 100).toFixed(1)}%`;
const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;

// ---- 1. pretraining on digits 0–4 ----
const pre = { train: subset(train, 0, 4), test: subset(test, 0, 4) };
const pretrained = cnn(new Sequential({ seed }), 10);
compile(pretrained, schedules.cosineDecay({ initialLearningRate: 2e-3, decaySteps: pretrainEpochs * Math.ceil(pre.train.n / 64) }));
console.log(`pretraining on the ${pre.train.n} training digits 0–4, ${pretrainEpochs} epoch(s)…`);
let t0 = performance.now();
await pretrained.fit(pre.train.x, pre.train.y, { epochs: pretrainEpochs, batchSize: 64, augment: { shift: 2 } });
const preTime = seconds(t0);
const preAccuracy = pretrained.evaluate(pre.test.x, pre.test.y).accuracy;
const preWeights = pretrained.trainableParams().reduce((n, p) => n + p.value.size, 0);
const artifacts = pretrained.save(); // every workflow starts from these bytes
pretrained.dispose();

// ---- 2. the new task: digits 5–9 from 100 labelled samples ----
const testNew = subset(test, 5, 9);
const draws = Array.from({ length: DRAWS }, (_, k) => subset(train, 5, 9, { skip: k * PER_CLASS, take: PER_CLASS }));
console.log(`new task: digits 5–9, ${DRAWS} draws of ${draws[0].n} labelled samples, ${EPOCHS} epochs of batch ${BATCH}, tested on ${testNew.n} held-out digits 5–9…`);

/** The pretrained model with a new 5-way head; only the layers named in `unfrozen` (and the head) train. */
async function transfer(unfrozen) {
  const model = await Sequential.load(artifacts);
  model.pop(); // the 10-way head of digits 0–4
  for (const layer of model.layers) layer.trainable = unfrozen.includes(layer.name);
  model.add(layers.dense({ units: 5, name: 'head' }));
  return model;
}

/** Control for (a): the network of (c) with its random initial weights frozen; only the head trains. */
function frozen(model) {
  for (const layer of model.layers) layer.trainable = layer.name === 'head';
  return model;
}

const workflows = [
  { label: '(a) fixed feature extractor', learningRate: 3e-3, make: () => transfer([]) },
  { label: '(b) finetune conv2 + bn2', learningRate: 3e-3, make: () => transfer(['conv2', 'bn2']) },
  { label: '(c) from scratch', learningRate: 1e-3, make: async () => cnn(new Sequential({ seed: seed + 1 }), 5) },
  { label: '(r) random features, frozen', learningRate: 3e-3, make: async () => frozen(cnn(new Sequential({ seed: seed + 1 }), 5)) },
];
for (const w of workflows) {
  w.accuracy = [];
  w.time = 0;
  for (const data of draws) {
    const model = await w.make();
    compile(model, w.learningRate); // a fresh optimizer: nothing carried over from pretraining
    w.weights = model.trainableParams().reduce((n, p) => n + p.value.size, 0);
    const t = performance.now();
    await model.fit(data.x, data.y, { epochs: EPOCHS, batchSize: BATCH, augment: { shift: 2 } });
    w.time += seconds(t);
    w.accuracy.push(model.evaluate(testNew.x, testNew.y).accuracy);
    model.dispose();
  }
}

const row = (cells) => console.log(cells.map(([v, width]) => (width < 0 ? String(v).padEnd(-width) : String(v).padStart(width))).join('  '));
console.log();
row([['', -28], ['trainable', 9], ['learning', 8], ['held-out accuracy', 31], ['train time', 10]]);
row([['workflow', -28], ['weights', 9], ['rate', 8], ['draw 1', 6], ['draw 2', 6], ['draw 3', 6], ['mean', 7], ['(total)', 10]]);
row([['pretrained, test digits 0–4', -28], [preWeights, 9], ['2e-3 cos', 8], ['', 6], ['', 6], ['', 6], [pct(preAccuracy), 7], [`${preTime.toFixed(1)} s`, 10]]);
for (const w of workflows) {
  row([[w.label, -28], [w.weights, 9], [w.learningRate, 8], ...w.accuracy.map((a) => [pct(a), 6]), [pct(mean(w.accuracy)), 7], [`${w.time.toFixed(1)} s`, 10]]);
}

const [a, b, c, r] = workflows.map((w) => mean(w.accuracy));
const points = (x, y) => {
  const d = Math.round((x - y) * 1000) / 10;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} points`;
};
console.log(`\npretrained vs random features (a − r): ${points(a, r)}; fixed features vs from scratch (a − c): ${points(a, c)}; finetuning conv2 (b − a): ${points(b, a)}`);
if (!(a > r)) {
  console.error(`the pretrained features (${pct(a)}) did not beat random ones (${pct(r)}) on average`);
  process.exit(1);
}
