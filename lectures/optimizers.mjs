// 12. optimizers — SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam on the same model from
// the same initialization: training-loss curves.
import { Sequential, layers, optimizers, tensor } from 'simdnet';
import { ready, digits, fmt, pct, blocks, standalone } from './lib/common.mjs';

const SEED = 1;
const OPTS = [
  { key: 'sgd', label: 'SGD (lr 0.01)', make: () => optimizers.sgd({ learningRate: 0.01 }) },
  { key: 'momentum', label: 'momentum 0.9 (lr 0.01)', make: () => optimizers.sgd({ learningRate: 0.01, momentum: 0.9 }) },
  { key: 'nesterov', label: 'Nesterov 0.9 (lr 0.01)', make: () => optimizers.sgd({ learningRate: 0.01, momentum: 0.9, nesterov: true }) },
  { key: 'adagrad', label: 'AdaGrad (lr 0.01)', make: () => optimizers.adagrad({ learningRate: 0.01 }) },
  { key: 'rmsprop', label: 'RMSProp (lr 1e-3)', make: () => optimizers.rmsprop({ learningRate: 1e-3 }) },
  { key: 'adam', label: 'Adam (lr 1e-3)', make: () => optimizers.adam({ learningRate: 1e-3 }) },
];

const experiment = {
  name: 'optimizers',
  title: 'Optimizers on the same model',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 4000 } : {});
    const epochs = quick ? 3 : 10, batchSize = 64;
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const steps = epochs * Math.ceil(data.train.n / batchSize);
    const k = Math.max(1, Math.round(steps / 100));
    const curves = [], runs = [];
    for (const o of OPTS) {
      const m = new Sequential({ seed: SEED });
      m.add(layers.dense({ units: 128, activation: 'relu', inputShape: [784], kernelInitializer: 'heNormal' }));
      m.add(layers.dense({ units: 128, activation: 'relu', kernelInitializer: 'heNormal' }));
      m.add(layers.dense({ units: 10 }));
      m.compile({ optimizer: o.make(), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      const losses = [];
      const h = await m.fit(x, data.train.y, { epochs, batchSize, validationData: [xt, data.test.y], callbacks: [{ onBatchEnd: (_b, l) => losses.push(l.loss) }] });
      blocks(losses, k).forEach((l, i) => curves.push({ optimizer: o.label, step: (i + 0.5) * k, loss: l }));
      const firstBelow = (t) => { const b = blocks(losses, k); const i = b.findIndex((v) => v < t); return i < 0 ? null : (i + 1) * k; };
      runs.push({ key: o.key, label: o.label, finalTrainLoss: h.history.loss.at(-1), epochLoss: h.history.loss, testAccuracy: h.history.valAccuracy.at(-1), stepsTo03: firstBelow(0.3) });
      log(`${o.label}: train loss ${fmt(h.history.loss.at(-1))}, test ${pct(h.history.valAccuracy.at(-1))}`);
      m.dispose();
    }
    const R = Object.fromEntries(runs.map((r) => [r.key, r]));
    const figure = {
      title: `784-128-128-10 ReLU, batch ${batchSize}, ${data.train.n} digits, the same initialization (seed ${SEED})`,
      width: 540, height: 320, data: { values: curves }, mark: { type: 'line', strokeWidth: 1.5 },
      encoding: { x: { field: 'step', type: 'quantitative', title: `optimizer step (loss averaged over ${k} steps)` },
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (log scale)', axis: { format: '~g' } },
        color: { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: OPTS.map((o) => o.label), scale: { scheme: 'dark2' }, legend: { labelLimit: 240 } } },
    };
    const table = [`| optimizer | training loss after ${epochs} epochs | steps to a training loss < 0.3 | test accuracy |`, '|---|---|---|---|',
      ...runs.map((r) => `| ${r.label} | ${fmt(r.finalTrainLoss)} | ${r.stepsTo03 ?? `not in ${steps}`} | ${pct(r.testAccuracy)} |`)].join('\n');
    const adaptive = ['adagrad', 'rmsprop', 'adam'];
    const bestKey = runs.reduce((a, b) => (b.finalTrainLoss < a.finalTrainLoss ? b : a)).key;
    const claims = [
      { claim: 'Momentum (and Nesterov) converge faster than plain SGD at the same learning rate', seed: '— (the seeds only list "parameter updates"; CS231n lecture 7)', measured: `final training loss: SGD ${fmt(R.sgd.finalTrainLoss)}, momentum ${fmt(R.momentum.finalTrainLoss)}, Nesterov ${fmt(R.nesterov.finalTrainLoss)}`,
        reproduced: R.momentum.finalTrainLoss < R.sgd.finalTrainLoss && R.nesterov.finalTrainLoss < R.sgd.finalTrainLoss ? 'yes' : 'no' },
      { claim: 'Adaptive methods (AdaGrad, RMSProp, Adam) make fast progress without tuning', seed: '— (CS231n lecture 7)', measured: adaptive.map((a) => `${R[a].label} ${fmt(R[a].finalTrainLoss)}`).join(', ') + ` vs SGD ${fmt(R.sgd.finalTrainLoss)}`,
        reproduced: adaptive.every((a) => R[a].finalTrainLoss < R.sgd.finalTrainLoss) ? 'yes' : adaptive.some((a) => R[a].finalTrainLoss < R.sgd.finalTrainLoss) ? 'partly' : 'no' },
      { claim: 'Adam is a good default ("try Adam first")', seed: 'Sung Kim: "Adam is the best; try it first"', measured: `lowest final training loss: ${R[bestKey].label}; Adam ${fmt(R.adam.finalTrainLoss)} (rank ${[...runs].sort((a, b) => a.finalTrainLoss - b.finalTrainLoss).findIndex((r) => r.key === 'adam') + 1} of ${runs.length}), test ${pct(R.adam.testAccuracy)}`,
        reproduced: bestKey === 'adam' ? 'yes' : [...runs].sort((a, b) => a.finalTrainLoss - b.finalTrainLoss).findIndex((r) => r.key === 'adam') < 3 ? 'partly' : 'no',
        why: bestKey !== 'adam' ? 'each optimizer runs at one textbook learning rate, untuned; the ranking depends on those choices' : undefined },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs (${steps} steps), batch ${batchSize}`,
      summary: 'Six optimizers train the same 784-128-128-10 ReLU net from the same initial weights (same seed) on the same batches, each at its usual default learning rate (SGD-family 0.01, AdaGrad 0.01, RMSProp and Adam 1e-3), no tuning.',
      numbers: { epochs, batchSize, runs }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
