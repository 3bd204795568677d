// 3. mnist-ladder — Sung Kim's "MNIST 98%" progression (lecture 10) on the embedded digits:
// softmax → 3-layer ReLU NN → + Xavier → deeper/wider → + dropout → (Adam vs SGD) →
// + batchNorm → CNN, each rung's held-out accuracy next to his full-MNIST number.
import { Sequential, layers, initializers, optimizers } from 'simdnet';
import { ready, digits, trainEval, pct, standalone } from './lib/common.mjs';

const SEED = 1;
const normal = () => initializers.randomNormal({ mean: 0, stddev: 1 }); // tf.random_normal

// rung → [label, his full-MNIST accuracy or null, builder(quick)]
function mlp({ hidden, units, init, dropout = 0, batchNorm = false }) {
  return () => {
    const m = new Sequential({ seed: SEED });
    for (let l = 0; l < hidden; l++) {
      const first = l === 0 ? { inputShape: [784] } : {};
      const ki = init === 'normal' ? { kernelInitializer: normal(), biasInitializer: normal() } : { kernelInitializer: 'glorotUniform' };
      if (batchNorm) {
        m.add(layers.dense({ units, useBias: false, ...ki, biasInitializer: undefined, ...first }));
        m.add(layers.batchNorm());
        m.add(layers.relu());
      } else {
        m.add(layers.dense({ units, activation: 'relu', ...ki, ...first }));
      }
      if (dropout) m.add(layers.dropout({ rate: dropout }));
    }
    m.add(layers.dense({ units: 10, ...(init === 'normal' ? { kernelInitializer: normal(), biasInitializer: normal() } : { kernelInitializer: 'glorotUniform' }), ...(hidden === 0 ? { inputShape: [784] } : {}) }));
    return m;
  };
}

function cnn(quick) {
  return () => {
    const m = new Sequential({ seed: SEED });
    m.add(layers.conv2d({ filters: quick ? 8 : 16, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', inputShape: [28, 28, 1] }));
    m.add(layers.maxPool2d({ poolSize: 2 }));
    m.add(layers.conv2d({ filters: quick ? 16 : 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' }));
    m.add(layers.maxPool2d({ poolSize: 2 }));
    m.add(layers.flatten());
    m.add(layers.dropout({ rate: 0.3 }));
    m.add(layers.dense({ units: 10 }));
    return m;
  };
}

const adam = () => optimizers.adam({ learningRate: 1e-3 });

const experiment = {
  name: 'mnist-ladder',
  title: 'Sung Kim\'s MNIST ladder',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 4000, test: 2000 } : {});
    const epochs = quick ? 4 : 15, cnnEpochs = quick ? 3 : 8, batchSize = quick ? 50 : 32;
    const steps = epochs * Math.ceil(data.train.n / batchSize);
    const rungs = [
      { key: 'softmax', label: '1 softmax regression', his: 0.90, build: mlp({ hidden: 0, init: 'normal' }), opt: adam, what: '784 → 10, N(0, 1) init, Adam 1e-3' },
      { key: 'nn', label: '2 NN 3 layers, ReLU', his: 0.94, build: mlp({ hidden: 2, units: 256, init: 'normal' }), opt: adam, what: '784-256-256-10 ReLU, N(0, 1) init, Adam' },
      { key: 'xavier', label: '3 + Xavier init', his: 0.978, build: mlp({ hidden: 2, units: 256, init: 'xavier' }), opt: adam, what: 'the same with Glorot (Xavier) uniform init' },
      { key: 'deep', label: '4 deeper & wider', his: 0.974, build: mlp({ hidden: 4, units: 512, init: 'xavier' }), opt: adam, what: '784-512×4-10, Xavier' },
      { key: 'dropout', label: '5 + dropout 0.3', his: 0.98, build: mlp({ hidden: 4, units: 512, init: 'xavier', dropout: 0.3 }), opt: adam, what: 'dropout after each hidden layer (keep_prob 0.7)' },
      { key: 'sgd', label: '6 same, SGD not Adam', his: null, build: mlp({ hidden: 4, units: 512, init: 'xavier', dropout: 0.3 }), opt: () => optimizers.sgd({ learningRate: 0.1 }), what: 'rung 5 with plain SGD 0.1 (control for "Adam is best")' },
      { key: 'batchnorm', label: '7 + batchNorm', his: null, build: mlp({ hidden: 4, units: 512, init: 'xavier', dropout: 0.3, batchNorm: true }), opt: adam, what: 'rung 5 with BN before each ReLU' },
      { key: 'cnn', label: '8 CNN', his: null, build: cnn(quick), opt: adam, what: `conv5×5×${quick ? 8 : 16}-ReLU-pool, conv5×5×${quick ? 16 : 32}-ReLU-pool, dropout 0.3, dense 10; ${cnnEpochs} epochs`, image: true },
    ];
    const results = [];
    for (const r of rungs) {
      const model = r.build();
      model.compile({ optimizer: r.opt(), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      const out = await trainEval(model, data, { epochs: r.image ? cnnEpochs : epochs, batchSize, validation: false, shape: r.image ? [28, 28, 1] : [784] });
      results.push({ key: r.key, label: r.label, what: r.what, params: model.countParams(), testAccuracy: out.test.accuracy, trainAccuracy: out.history.accuracy.at(-1), his: r.his, seconds: +out.seconds.toFixed(1) });
      log(`${r.label}: ${pct(out.test.accuracy, 2)} in ${out.seconds.toFixed(1)} s`);
      model.dispose();
    }
    const acc = Object.fromEntries(results.map((r) => [r.key, r.testAccuracy]));
    const bars = results.flatMap((r) => [{ rung: r.label, source: `measured (${data.train.n} training digits)`, accuracy: r.testAccuracy },
      ...(r.his ? [{ rung: r.label, source: 'Sung Kim (full MNIST, 55,000)', accuracy: r.his }] : [])]);
    const figure = {
      title: `Held-out accuracy per rung (${data.test.n} test digits; seed ${SEED})`, width: 600, height: 320, data: { values: bars },
      layer: [
        { mark: { type: 'point', filled: true, size: 120 },
          encoding: { x: { field: 'rung', type: 'nominal', title: null, sort: null, axis: { labelAngle: -30, labelLimit: 200 } },
            y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy', axis: { format: '.0%' } },
            color: { field: 'source', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 300 } },
            shape: { field: 'source', type: 'nominal' } } },
        { mark: { type: 'text', dx: 22, fontSize: 10 },
          encoding: { x: { field: 'rung', type: 'nominal', sort: null }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'accuracy', format: '.1%' },
            color: { field: 'source', type: 'nominal' } } },
      ],
    };
    const table = ['| rung | model | parameters | train acc. (last epoch) | test accuracy | Sung Kim | time |', '|---|---|---|---|---|---|---|',
      ...results.map((r) => `| ${r.label} | ${r.what} | ${r.params.toLocaleString('en-US')} | ${pct(r.trainAccuracy, 2)} | **${pct(r.testAccuracy, 2)}** | ${r.his ? pct(r.his, 1) : '—'} | ${r.seconds} s |`)].join('\n');
    const small = `${data.train.n.toLocaleString('en-US')} training digits instead of 55,000, ${steps.toLocaleString('en-US')} Adam steps instead of his 8,250`;
    const near = (a, b, tol) => Math.abs(a - b) <= tol;
    // two standard errors of the difference of two accuracies on the same test set size
    const noise = (p) => 2 * Math.sqrt(2 * p * (1 - p) / data.test.n);
    const beats = (a, b) => a - b > noise(b);
    const bestMlp = Math.max(...results.filter((r) => r.key !== 'cnn').map((r) => r.testAccuracy));
    const claims = [
      { claim: 'Softmax regression reaches about 90%', seed: '90%', measured: pct(acc.softmax, 2), reproduced: near(acc.softmax, 0.90, 0.02) ? 'yes' : acc.softmax > 0.90 ? 'yes' : 'partly', why: acc.softmax < 0.88 ? small : undefined },
      { claim: 'A 3-layer ReLU net (N(0, 1) init) improves on it, to about 94%', seed: '94%', measured: pct(acc.nn, 2), reproduced: acc.nn > acc.softmax ? (near(acc.nn, 0.94, 0.02) ? 'yes' : 'partly') : 'no', why: near(acc.nn, 0.94, 0.02) ? undefined : small },
      { claim: 'Xavier initialization alone lifts it sharply, 94% → 97.8%', seed: '97.8%', measured: `${pct(acc.nn, 2)} → ${pct(acc.xavier, 2)} (+${((acc.xavier - acc.nn) * 100).toFixed(1)} points; his +3.8)`, reproduced: acc.xavier - acc.nn > 0.015 ? (acc.xavier >= 0.97 ? 'yes' : 'partly') : 'no', why: acc.xavier < 0.97 ? `the jump reproduces, the level does not: ${small}` : undefined },
      { claim: 'Deeper & wider (5 layers × 512) is no better: 97.4%, "probably overfitting"', seed: '97.4% (< 97.8%)', measured: `${pct(acc.deep, 2)} vs ${pct(acc.xavier, 2)} for rung 3`, reproduced: !beats(acc.deep, acc.xavier) ? 'yes' : 'no', why: beats(acc.deep, acc.xavier) ? 'here the deeper net did better' : `no better within the test set's noise (±${pct(noise(acc.xavier))}); training accuracy ${pct(results[3].trainAccuracy, 2)} vs test ${pct(acc.deep, 2)} shows the overfitting he suspected` },
      { claim: 'Dropout (keep 0.7) on the deep net gives 98%', seed: '98%', measured: `${pct(acc.dropout, 2)} (rung 4: ${pct(acc.deep, 2)})`, reproduced: acc.dropout > acc.deep ? (acc.dropout >= 0.975 && beats(acc.dropout, acc.deep) ? 'yes' : 'partly') : 'no', why: !(acc.dropout >= 0.975 && beats(acc.dropout, acc.deep)) ? `${acc.dropout > acc.deep ? 'better than' : 'no better than'} rung 4${beats(acc.dropout, acc.deep) ? '' : ` (within the test set's noise, ±${pct(noise(acc.deep))})`}${acc.dropout < 0.975 ? `; below 98%: ${small}` : ''}` : undefined },
      { claim: 'Adam is the best optimizer to start with', seed: '"try Adam first" (no number)', measured: `Adam ${pct(acc.dropout, 2)} vs SGD 0.1 ${pct(acc.sgd, 2)} on rung 5`, reproduced: beats(acc.dropout, acc.sgd) ? 'yes' : acc.dropout >= acc.sgd ? 'partly' : 'no', why: !beats(acc.dropout, acc.sgd) ? `within the test set's noise (±${pct(noise(acc.sgd))}): with a good SGD learning rate the two are close at this budget` : undefined },
      { claim: 'Batch normalization helps further', seed: '"people use it a lot lately" (no number)', measured: `${pct(acc.batchnorm, 2)} vs ${pct(acc.dropout, 2)} without`, reproduced: beats(acc.batchnorm, acc.dropout) ? 'yes' : beats(acc.dropout, acc.batchnorm) ? 'no' : 'partly', why: beats(acc.batchnorm, acc.dropout) ? undefined : `no gain beyond the test set's noise (±${pct(noise(acc.dropout))}) on top of dropout and Adam at this size` },
      { claim: 'A CNN is the top of the ladder', seed: '"98% and more" (title)', measured: `${pct(acc.cnn, 2)} vs the best MLP rung ${pct(bestMlp, 2)}`, reproduced: beats(acc.cnn, bestMlp) ? 'yes' : acc.cnn >= bestMlp ? 'partly' : 'no',
        why: beats(acc.cnn, bestMlp) ? undefined : `best MLP rung ${pct(bestMlp, 2)}; ${acc.cnn >= bestMlp ? 'ahead, but within the test set\'s noise' : 'the small CNN had fewer epochs than the MLPs'}` },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, MLPs ${epochs} epochs (${steps} steps), CNN ${cnnEpochs} epochs, batch ${batchSize}`,
      summary: 'Each rung is Sung Kim\'s TensorFlow code (lab 10, batch 100, Adam 1e-3, 15 epochs) rebuilt with simdnet and trained on the embedded 8,000 digits, evaluated on the 2,000 held out. His numbers are on full MNIST (55,000 training images, 10,000 test), so they are a reference, not a target.',
      numbers: { epochs, cnnEpochs, batchSize, steps, train: data.train.n, test: data.test.n, rungs: results }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
