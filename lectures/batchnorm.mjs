// 5. batchnorm — the same 6-layer MLP with and without batch normalization, at a normal
// learning rate, at a high one, and from a bad (tiny) initialization.
import { Sequential, layers, initializers, optimizers, tensor } from 'simdnet';
import { ready, digits, pct, fmt, standalone } from './lib/common.mjs';

const SEED = 1;
const DEPTH = 5, UNITS = 100;

function mlp({ bn, init }) {
  const m = new Sequential({ seed: SEED });
  for (let l = 0; l < DEPTH; l++) {
    const first = l === 0 ? { inputShape: [784] } : {};
    const kernelInitializer = init === 'tiny' ? initializers.randomNormal({ stddev: 0.01 }) : 'heNormal';
    if (bn) {
      m.add(layers.dense({ units: UNITS, useBias: false, kernelInitializer, ...first }));
      m.add(layers.batchNorm());
      m.add(layers.relu());
    } else {
      m.add(layers.dense({ units: UNITS, activation: 'relu', kernelInitializer, ...first }));
    }
  }
  m.add(layers.dense({ units: 10, kernelInitializer: init === 'tiny' ? initializers.randomNormal({ stddev: 0.01 }) : 'glorotUniform' }));
  return m;
}

const SETTINGS = [
  { key: 'normal', label: 'He init, lr 0.05', init: 'he', lr: 0.05 },
  { key: 'highLr', label: 'He init, lr 1.5 (high)', init: 'he', lr: 1.5 },
  { key: 'badInit', label: 'N(0, 0.01²) init, lr 0.05', init: 'tiny', lr: 0.05 },
];

const experiment = {
  name: 'batchnorm',
  title: 'Batch normalization: high learning rate, bad initialization',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 4000 } : {});
    const epochs = quick ? 4 : 12, batchSize = 64;
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const runs = [], curves = [];
    for (const s of SETTINGS) {
      for (const bn of [false, true]) {
        const model = mlp({ bn, init: s.init });
        model.compile({ optimizer: optimizers.sgd({ learningRate: s.lr }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
        const acc = [];
        let error = null;
        try {
          await model.fit(x, data.train.y, { epochs, batchSize, callbacks: [{ onEpochEnd: () => { acc.push(model.evaluate(xt, data.test.y).accuracy); } }] });
        } catch (err) {
          error = err.message.split(';')[0];
        }
        const variant = bn ? 'with BN' : 'without BN';
        acc.forEach((a, e) => curves.push({ setting: s.label, variant, epoch: e + 1, accuracy: a }));
        if (error) curves.push({ setting: s.label, variant, epoch: (epochs + 1) / 2, accuracy: bn ? 0.3 : 0.5, note: `${variant}: loss NaN, ${error.replace(/^Training stopped at /, '').split(':')[0]}` });
        runs.push({ setting: s.key, bn, lr: s.lr, init: s.init, testAccuracy: acc, final: acc.at(-1) ?? NaN, error });
        log(`${s.label} ${variant}: ${error ? `stopped: ${error}` : pct(acc.at(-1))}`);
        model.dispose();
      }
    }
    const get = (k, bn) => runs.find((r) => r.setting === k && r.bn === bn);
    const show = (r) => (r.error ? `diverged (${r.error.replace(/^Training stopped at /, '')})${r.testAccuracy.length ? `, last ${pct(r.final)}` : ''}` : pct(r.final));
    const figure = {
      title: `6-layer MLP (5 × ${UNITS} ReLU), SGD batch ${batchSize}, ${data.train.n} digits (seed ${SEED})`,
      data: { values: curves },
      facet: { column: { field: 'setting', type: 'nominal', title: null, sort: SETTINGS.map((s) => s.label) } },
      spec: { width: 220, height: 220,
        encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          color: { field: 'variant', type: 'nominal', title: null, scale: { domain: ['without BN', 'with BN'], range: ['#e45756', '#4c78a8'] }, legend: { orient: 'bottom' } } },
        layer: [
          { transform: [{ filter: '!datum.note' }], mark: { type: 'line', point: true } },
          { transform: [{ filter: 'datum.note' }], mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'note' } } },
        ] },
    };
    const table = ['| setting | without BN | with BN |', '|---|---|---|', ...SETTINGS.map((s) => `| ${s.label} | ${show(get(s.key, false))} | ${show(get(s.key, true))} |`)].join('\n');
    const ok = (r) => !r.error && r.final > 0.8;
    const claims = [
      { claim: 'With BN, a higher learning rate is fine', seed: 'qualitative: "a higher learning rate is fine"', measured: `lr 1.5: without BN ${show(get('highLr', false))}; with BN ${show(get('highLr', true))}`,
        reproduced: ok(get('highLr', true)) && !ok(get('highLr', false)) ? 'yes' : ok(get('highLr', true)) ? 'partly' : 'no',
        why: ok(get('highLr', true)) && ok(get('highLr', false)) ? 'both trained at this learning rate' : undefined },
      { claim: 'BN reduces the dependence on initialization', seed: 'qualitative: "less dependent on the initialization"', measured: `N(0, 0.01²) init: without BN ${show(get('badInit', false))}; with BN ${show(get('badInit', true))}`,
        reproduced: ok(get('badInit', true)) && get('badInit', true).final > get('badInit', false).final + 0.1 ? 'yes' : get('badInit', true).final > get('badInit', false).final ? 'partly' : 'no' },
      { claim: 'At a sensible setting BN does not hurt (and usually speeds up training)', seed: 'qualitative', measured: `He init, lr 0.05: without ${show(get('normal', false))}, with ${show(get('normal', true))}; after epoch 1: ${pct(get('normal', false).testAccuracy[0])} vs ${pct(get('normal', true).testAccuracy[0])}`,
        reproduced: get('normal', true).final >= get('normal', false).final - 0.005 ? (get('normal', true).testAccuracy[0] > get('normal', false).testAccuracy[0] ? 'yes' : 'partly') : 'no' },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs, batch ${batchSize}, plain SGD`,
      summary: `A 784 → 5 × ${UNITS} ReLU → 10 net, plain SGD, in three settings, each with and without \`layers.batchNorm()\` between each dense layer (no bias) and its ReLU. Test accuracy after each epoch; a run whose loss turns NaN stops (simdnet refuses non-finite updates) and is shown as diverged.`,
      numbers: { epochs, batchSize, runs }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
