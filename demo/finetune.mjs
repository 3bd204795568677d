// npm run demo:finetune — transfer learning with frozen layers (CS231n, "Transfer Learning").
//   node demo/finetune.mjs [--quick] [--seed S]
//
// The two workflows of the lecture, on the embedded digits:
//   1. Pretrain the CNN of demo/mnist.mjs (conv5×5×16-BN-ReLU-pool, conv5×5×32-BN-ReLU-pool,
//      flatten, dropout, dense) on the training digits 0–4 only, and save it.
//   2. New task: digits 5–9 with only 100 labelled samples (the first 20 of each class in the
//      training set), tested on every held-out 5–9 digit. Each workflow starts from the saved
//      model (Sequential.load), drops the old 10-way head (pop) and adds a new 5-way one:
//      (a) fixed feature extractor: every pretrained layer frozen (trainable = false), only
//          the new linear classifier trains ("small dataset, similar to the pretraining data");
//      (b) finetune the top: as (a), but the last conv block (conv2 + its batch norm) trains
//          too ("more data: finetune the top layers");
//      (c) from scratch: the same architecture freshly initialised, all of it trainable.
//   All three get the same budget (epochs, batch size, augmentation); each its own learning
//   rate (chosen by a sweep on seeds other than the default, see the table in the commit).
//   Frozen batch-norm layers normalise with their moving statistics and leave them alone.
//
// --quick pretrains for one epoch (CI). The script exits with status 1 when the fixed feature
// extractor (a) does not beat training from scratch (c): the claim is checked, not assumed.
import { init, Sequential, layers, optimizers, schedules, tensor } from '../dist/simdnet.mjs';
import { parseArgs } from 'node:util';
import { mnistSplit } from './data.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    // knobs for experiments; the defaults are the demo
    'pretrain-epochs': { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'lr-a': { type: 'string' },
    'lr-b': { type: 'string' },
    'lr-c': { type: 'string' },
    'keep-dropout': { type: 'string', default: '1' },
  },
});
const seed = Number(args.seed);
const pretrainEpochs = Number(args['pretrain-epochs'] ?? (args.quick ? 1 : 5));
const epochs = Number(args.epochs ?? 40); // on the 100 samples
const batchSize = Number(args['batch-size'] ?? 10);
const lr = { a: Number(args['lr-a'] ?? 3e-3), b: Number(args['lr-b'] ?? 1e-3), c: Number(args['lr-c'] ?? 3e-3) };
const keepDropout = args['keep-dropout'] !== '0';
const PER_CLASS = 20;

await init();
const { train, test } = mnistSplit();

/** The samples of `set` whose label is in [lo, hi], at most `perClass` per class, labels shifted by −lo. */
function subset(set, lo, hi, perClass = Infinity) {
  const idx = [];
  const count = new Array(10).fill(0);
  for (let i = 0; i < set.n; i++) {
    const d = set.y[i];
    if (d >= lo && d <= hi && count[d] < perClass) { idx.push(i); count[d]++; }
  }
  const x = new Float32Array(idx.length * 784);
  const y = new Int32Array(idx.length);
  idx.forEach((i, j) => { x.set(set.x.subarray(i * 784, i * 784 + 784), j * 784); y[j] = set.y[i] - lo; });
  return { x: tensor(x, [idx.length, 28, 28, 1]), y, n: idx.length };
}

/** The CNN of demo/mnist.mjs with `classes` outputs. */
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
  if (keepDropout) model.add(layers.dropout({ rate: 0.25 }));
  model.add(layers.dense({ units: classes, name: 'head' }));
  return model;
}

const compile = (model, learningRate) => model.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
const seconds = (t0) => (performance.now() - t0) / 1000;
const pct = (a) => `${(a * 100).toFixed(1)}%`.padStart(6);

// ---- 1. pretraining on digits 0–4 ----
const pre = { train: subset(train, 0, 4), test: subset(test, 0, 4) };
const pretrained = cnn(new Sequential({ seed }), 10);
const preSteps = pretrainEpochs * Math.ceil(pre.train.n / 64);
compile(pretrained, schedules.cosineDecay({ initialLearningRate: 2e-3, decaySteps: preSteps }));
console.log(`pretraining on ${pre.train.n} digits 0–4 for ${pretrainEpochs} epoch(s)…`);
let t0 = performance.now();
await pretrained.fit(pre.train.x, pre.train.y, { epochs: pretrainEpochs, batchSize: 64, augment: { shift: 2 } });
const preTime = seconds(t0);
const preAcc = pretrained.evaluate(pre.test.x, pre.test.y).accuracy;
const artifacts = pretrained.save();
pretrained.dispose();
console.log(`pretrained: ${pct(preAcc)} on ${pre.test.n} held-out digits 0–4 (${preTime.toFixed(1)} s)\n`);

// ---- 2. the new task: digits 5–9 from 100 labelled samples ----
const task = { train: subset(train, 5, 9, PER_CLASS), test: subset(test, 5, 9) };
console.log(`new task: digits 5–9, ${task.train.n} labelled samples, ${task.test.n} held-out; ${epochs} epochs of batch ${batchSize} each\n`);

/** The pretrained model with a new 5-way head; only the layers named in `trainable` train. */
async function transfer(trainable) {
  const model = await Sequential.load(artifacts);
  model.pop(); // the 10-way head of digits 0–4 (the dropout below it stays)
  for (const layer of model.layers) layer.trainable = trainable.includes(layer.name);
  model.add(layers.dense({ units: 5, name: 'head' }));
  return model;
}

async function run(label, model, learningRate) {
  compile(model, learningRate); // a fresh optimizer: no state carried over from pretraining
  const trainableWeights = model.trainableParams().reduce((n, p) => n + p.value.size, 0);
  const t = performance.now();
  await model.fit(task.train.x, task.train.y, { epochs, batchSize, augment: { shift: 2 } });
  const time = seconds(t);
  const { accuracy } = model.evaluate(task.test.x, task.test.y);
  model.dispose();
  return { label, accuracy, time, trainableWeights, learningRate };
}

const results = [
  await run('(a) fixed feature extractor', await transfer([]), lr.a),
  await run('(b) finetune conv2 + bn2', await transfer(['conv2', 'bn2']), lr.b),
  await run('(c) from scratch', cnn(new Sequential({ seed: seed + 1 }), 5), lr.c),
];

console.log('workflow                       trainable  lr       held-out  train time');
console.log(`pretrained on 0–4 (test 0–4)   ${String(countAll(artifacts)).padStart(9)}  2e-3 cos  ${pct(preAcc)}    ${preTime.toFixed(1).padStart(5)} s`);
for (const r of results) {
  console.log(`${r.label.padEnd(30)} ${String(r.trainableWeights).padStart(9)}  ${String(r.learningRate).padEnd(7)}  ${pct(r.accuracy)}    ${r.time.toFixed(1).padStart(5)} s`);
}

function countAll({ topology }) {
  // trainable weights of the pretrained model: every weight but the batch-norm moving statistics
  return topology.weightSpecs.filter((w) => !w.name.startsWith('optimizer/') && !w.name.startsWith('rng/') && !/moving/.test(w.name))
    .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

const [a, , c] = results;
if (!(a.accuracy > c.accuracy)) {
  console.error(`\nthe fixed feature extractor (${pct(a.accuracy)}) did not beat training from scratch (${pct(c.accuracy)})`);
  process.exit(1);
}
