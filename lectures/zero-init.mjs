// 13. zero-init — W = 0 (or any constant): every unit of a layer computes the same thing, gets
// the same gradient and stays identical, so the layer never learns more than one feature.
import { Sequential, layers, initializers, optimizers, tensor } from 'simdnet';
import { ready, digits, pct, standalone } from './lib/common.mjs';

const SEED = 1;
const UNITS = 64;

const VARIANTS = [
  { key: 'zeros', label: `W = 0, ${UNITS} units`, init: () => 'zeros', units: UNITS },
  { key: 'constant', label: `W = 0.01, ${UNITS} units`, init: () => initializers.constant({ value: 0.01 }), units: UNITS },
  { key: 'random', label: `Glorot random, ${UNITS} units`, init: () => 'glorotUniform', units: UNITS },
  { key: 'one', label: 'Glorot random, 1 unit', init: () => 'glorotUniform', units: 1 },
];

/** Distinct columns (units) of a kernel [in, units], compared bit for bit. */
function distinctUnits(kernel) {
  const [rows, cols] = kernel.shape, d = kernel.data, seen = new Set();
  for (let c = 0; c < cols; c++) {
    let key = '';
    for (let r = 0; r < rows; r++) key += d[r * cols + c] + ',';
    seen.add(key);
  }
  return seen.size;
}

const experiment = {
  name: 'zero-init',
  title: 'Zero (or constant) initialization never breaks symmetry',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 2000 } : {});
    const epochs = quick ? 4 : 10, batchSize = 64, lr = 0.1;
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const curves = [], runs = [];
    for (const v of VARIANTS) {
      const m = new Sequential({ seed: SEED });
      m.add(layers.dense({ units: v.units, activation: 'tanh', inputShape: [784], kernelInitializer: v.init() }));
      m.add(layers.dense({ units: v.units, activation: 'tanh', kernelInitializer: v.init() }));
      m.add(layers.dense({ units: 10, kernelInitializer: v.init() }));
      m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      const per = [];
      const record = (epoch) => {
        const w = m.getWeights();
        per.push({ epoch, accuracy: m.evaluate(xt, data.test.y).accuracy, distinct1: distinctUnits(w[0]), distinct2: distinctUnits(w[2]), kernelNorm1: Math.hypot(...w[0].data) });
      };
      record(0);
      await m.fit(x, data.train.y, { epochs, batchSize, callbacks: [{ onEpochEnd: (e) => record(e + 1) }] });
      for (const p of per) curves.push({ init: v.label, epoch: p.epoch, accuracy: p.accuracy, distinct: p.distinct1 });
      runs.push({ key: v.key, label: v.label, perEpoch: per, final: per.at(-1) });
      log(`${v.label}: test ${pct(per.at(-1).accuracy)}, distinct units in layer 1: ${per.at(-1).distinct1}/${v.units}, layer 2: ${per.at(-1).distinct2}/${v.units}`);
      m.dispose();
    }
    const R = Object.fromEntries(runs.map((r) => [r.key, r.final]));
    const figure = {
      title: `784 → ${UNITS} tanh → ${UNITS} tanh → 10, SGD lr ${lr}, ${data.train.n} digits (seed ${SEED})`,
      hconcat: [
        { width: 300, height: 260, title: 'Test accuracy', data: { values: curves }, mark: { type: 'line', point: true },
          encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
            color: { field: 'init', type: 'nominal', title: 'initialization', sort: VARIANTS.map((v) => v.label), legend: { orient: 'bottom', direction: 'vertical', labelLimit: 240 } } } },
        { width: 300, height: 260, title: { text: 'Distinct units in hidden layer 1', subtitle: 'bit-identical weight vectors count once (dashed lines may overlap)' }, data: { values: curves.filter((c) => !c.init.endsWith('1 unit')) }, mark: { type: 'line', point: true },
          encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'distinct', type: 'quantitative', scale: { type: 'log', base: 2, domain: [1, UNITS] }, title: 'distinct weight vectors (log₂)', axis: { values: [1, 2, 4, 8, 16, 32, 64] } },
            color: { field: 'init', type: 'nominal', sort: VARIANTS.map((v) => v.label), legend: null },
            strokeDash: { field: 'init', type: 'nominal', sort: VARIANTS.map((v) => v.label), legend: null }, strokeWidth: { value: 2.5 } } },
      ],
    };
    const table = ['| initialization | test accuracy | distinct units, layer 1 | distinct units, layer 2 | ‖W₁‖ after training |', '|---|---|---|---|---|',
      ...runs.map((r) => `| ${r.label} | ${pct(r.final.accuracy)} | ${r.final.distinct1} | ${r.final.distinct2} | ${r.final.kernelNorm1.toPrecision(3)} |`)].join('\n');
    const claims = [
      { claim: 'With W = 0 every unit of a layer computes the same output, gets the same gradient and updates identically', seed: '"they will all do the same thing … no symmetry breaking"', measured: `W = 0: ${R.zeros.distinct1} distinct unit(s) of ${UNITS} in layer 1 and ${R.zeros.distinct2} in layer 2 after ${epochs} epochs; ‖W₁‖ = ${R.zeros.kernelNorm1.toPrecision(3)}; test accuracy ${pct(R.zeros.accuracy)}`,
        reproduced: R.zeros.distinct1 === 1 && R.zeros.distinct2 === 1 ? 'yes' : 'no',
        why: R.zeros.kernelNorm1 === 0 ? 'with W = 0 and tanh (tanh(0) = 0) the hidden layers even get exactly zero gradient: only the output biases learn, i.e. the class frequencies' : undefined },
      { claim: 'The same for any constant: the layer never learns more than one feature', seed: '"W = 0 (or some constant) … VERY BAD IDEA"', measured: `W = 0.01: ${R.constant.distinct1} distinct unit(s) of ${UNITS} in layer 1, ${R.constant.distinct2} in layer 2; test ${pct(R.constant.accuracy)}: a one-feature model (a random net with 1 unit per layer: ${pct(R.one.accuracy)}), far from the random ${UNITS}-unit net (${pct(R.random.accuracy)})`,
        reproduced: R.constant.distinct1 === 1 && R.constant.distinct2 === 1 && R.random.accuracy > R.constant.accuracy + 0.1 ? 'yes' : R.constant.distinct1 === 1 ? 'partly' : 'no' },
      { claim: 'Small random numbers break the symmetry', seed: '"small random numbers" as the fix', measured: `random: ${R.random.distinct1} of ${UNITS} distinct units, test ${pct(R.random.accuracy)}`, reproduced: R.random.distinct1 === UNITS ? 'yes' : 'no' },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs, batch ${batchSize}, SGD lr ${lr}`,
      summary: `The same two-hidden-layer tanh net with every kernel initialized to 0, to the constant 0.01, or at random (Glorot), plus a random net with a single unit per hidden layer for comparison. After every epoch the kernels are read back (\`getWeights\`) and the number of distinct unit weight vectors counted bit for bit.`,
      numbers: { epochs, batchSize, lr, runs }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
