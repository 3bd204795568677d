// npm run demo:residual — "fast forward works" (Sung Kim's lecture; He et al. 2015): on the
// embedded digits, a plain 20-layer conv net against the same depth with residual
// connections, trained on the same budget with the same seed and recipe.
//   node demo/residual.mjs [--epochs N] [--depth D] [--quick] [--seed S] [--min-gap G]
// Both nets: conv 3×3 stride 2 (28×28 → 14×14, 8 channels), then D − 2 conv 3×3 layers
// (8 channels, ReLU, Glorot uniform init, no normalization), global average pooling and a
// dense softmax: D weight layers in all. The residual net adds the input of every pair of
// convs to their output (h = relu(conv(relu(conv(x))) + x)); the plain net does not.
// --min-gap G exits non-zero unless the residual net's held-out accuracy beats the plain
// one's by at least G (CI checks the README's claim with --quick).
import { init, Model, input, layers, optimizers } from '../dist/simdnet.mjs';
import { parseArgs } from 'node:util';
import { mnistSplit } from './data.mjs';

const { values: args } = parseArgs({ options: {
  epochs: { type: 'string' }, depth: { type: 'string', default: '20' }, quick: { type: 'boolean', default: false },
  seed: { type: 'string', default: '1' }, 'min-gap': { type: 'string' },
} });
const depth = Number(args.depth);
if (!Number.isInteger(depth) || depth < 4 || depth % 2 !== 0) throw new Error(`--depth must be an even integer ≥ 4, got ${args.depth}`);
const epochs = Number(args.epochs ?? (args.quick ? 2 : 5));
const trainSize = args.quick ? 4000 : 8000;
const seed = Number(args.seed);

const { train, test } = mnistSplit();
await init();

function build(residual) {
  const inp = input({ shape: [28, 28, 1], name: 'digits' });
  let h = layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(inp);
  for (let b = 0; b < (depth - 2) / 2; b++) {
    const skip = h;
    h = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
    if (residual) {
      h = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(h);
      h = layers.relu().apply(layers.add().apply([h, skip])); // the fast-forward connection
    } else {
      h = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
    }
  }
  const out = layers.dense({ units: 10, activation: 'softmax' }).apply(layers.globalAvgPool2d().apply(h));
  const model = new Model({ inputs: inp, outputs: out, seed, name: residual ? 'residual' : 'plain' });
  model.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const x = train.x.subarray(0, trainSize * 784), y = train.y.subarray(0, trainSize);
const shape = (n) => [n, 28, 28, 1];
const { tensor } = await import('../dist/simdnet.mjs');
const results = {};
for (const residual of [false, true]) {
  const model = build(residual);
  const weightLayers = model.layers.filter((l) => l.params().length > 0).length;
  const t0 = performance.now();
  const history = await model.fit(tensor(x, shape(trainSize)), y, {
    epochs, batchSize: 64,
    callbacks: [{ onEpochEnd: (e, logs) => console.log(`${model.name.padEnd(8)} epoch ${e + 1}/${epochs}  loss ${logs.loss.toFixed(4)}  accuracy ${(100 * logs.accuracy).toFixed(2)}%`) }],
  });
  const seconds = (performance.now() - t0) / 1000;
  const acc = model.evaluate(tensor(test.x, shape(test.n)), test.y).accuracy;
  results[model.name] = { weightLayers, trainLoss: history.loss.map((v) => +v.toFixed(4)), heldOut: acc, seconds };
  console.log(`${model.name}: ${weightLayers} weight layers, held-out accuracy ${(100 * acc).toFixed(2)}% after ${epochs} epochs on ${trainSize} digits (${seconds.toFixed(1)} s)\n`);
  model.dispose();
}
const gap = results.residual.heldOut - results.plain.heldOut;
console.log(`residual − plain: ${(100 * gap).toFixed(2)} points of held-out accuracy (same depth, data, seed and budget)`);
console.log(JSON.stringify(results));
if (args['min-gap'] !== undefined && !(gap >= Number(args['min-gap']))) {
  console.error(`the residual net should beat the plain one by ≥ ${args['min-gap']}, got ${gap.toFixed(4)}`);
  process.exit(1);
}
