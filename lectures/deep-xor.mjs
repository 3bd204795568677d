// 2. deep-xor — Sung Kim's 9-hidden-layer XOR net (5 units each, weights uniform(−1, 1),
// biases 0, plain SGD 0.1, full batch): sigmoid hidden units stay at the chance loss ln 2,
// ReLU hidden units learn. Over 16 seeds, with the share that learnt.
import { Sequential, layers, initializers, optimizers, tensor, diagnostics } from 'simdnet';
import { ready, fmt, pct, mean, standalone } from './lib/common.mjs';

const SEEDS = 16;
const LN2 = Math.log(2);

function xorNet(activation, seed) {
  const model = new Sequential({ seed });
  const uniform = () => initializers.randomUniform({ minval: -1, maxval: 1 });
  for (let l = 0; l < 9; l++) model.add(layers.dense({ units: 5, activation, kernelInitializer: uniform(), ...(l === 0 ? { inputShape: [2] } : {}) }));
  model.add(layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: uniform() }));
  model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['binaryAccuracy'] });
  return model;
}

const experiment = {
  name: 'deep-xor',
  title: 'Deep XOR: sigmoid vs ReLU',
  async run({ quick, log }) {
    await ready();
    const steps = quick ? 3000 : 10000;
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const runs = [];
    const curves = [];
    const every = steps / 100;
    for (const activation of ['sigmoid', 'relu']) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const model = xorNet(activation, seed);
        // a hidden layer whose 5 outputs are 0 on all 4 inputs passes no gradient at all
        const deadAtInit = activation === 'relu' && diagnostics.activationStats(model, x).slice(0, 9).some((s) => s.dead === 1);
        const h = await model.fit(x, y, { epochs: steps, batchSize: 4, shuffle: false });
        const loss = h.history.loss;
        const finalLoss = loss.at(-1), finalAcc = h.history.binaryAccuracy.at(-1);
        const learnt = finalAcc === 1 && finalLoss < 0.1;
        runs.push({ activation, seed, finalLoss, finalAccuracy: finalAcc, learnt, deadAtInit });
        for (let s = 0; s < steps; s += every) curves.push({ activation, seed, step: s + 1, loss: loss[s] });
        curves.push({ activation, seed, step: steps, loss: finalLoss });
        model.dispose();
      }
      log(`${activation}: ${runs.filter((r) => r.activation === activation && r.learnt).length}/${SEEDS} learnt`);
    }
    const of = (a) => runs.filter((r) => r.activation === a);
    const share = (a) => of(a).filter((r) => r.learnt).length / SEEDS;
    const stuck = of('sigmoid').filter((r) => Math.abs(r.finalLoss - LN2) < 0.01).length;
    const sigLoss = of('sigmoid').map((r) => r.finalLoss).sort((a, b) => a - b);
    const reluAcc = mean(of('relu').map((r) => r.finalAccuracy));
    const figure = {
      title: `XOR, 9 hidden layers × 5 units, SGD 0.1, ${SEEDS} seeds each`,
      width: 560, height: 300,
      layer: [
        { data: { values: curves }, mark: { type: 'line', strokeWidth: 1.5, opacity: 0.6 },
          encoding: { x: { field: 'step', type: 'quantitative', title: 'SGD step (full batch of 4)' },
            y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'binary cross-entropy (log scale)' },
            color: { field: 'activation', type: 'nominal', title: 'hidden activation', scale: { domain: ['sigmoid', 'relu'], range: ['#e45756', '#4c78a8'] } },
            detail: { field: 'seed', type: 'nominal' } } },
        { data: { values: [{ y: LN2, label: 'ln 2 (chance)' }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'black' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        { data: { values: [{ y: LN2, x: steps, label: 'ln 2 = chance' }] }, mark: { type: 'text', align: 'right', dy: -7, fontSize: 11 }, encoding: { y: { field: 'y', type: 'quantitative' }, x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    };
    const table = ['| hidden activation | learnt (accuracy 4/4 and loss < 0.1) | final loss: min / median / max | mean final accuracy | a layer dead at init |', '|---|---|---|---|---|',
      ...['sigmoid', 'relu'].map((a) => {
        const l = of(a).map((r) => r.finalLoss).sort((p, q) => p - q);
        return `| ${a} | ${of(a).filter((r) => r.learnt).length} / ${SEEDS} | ${fmt(l[0])} / ${fmt(l[SEEDS / 2])} / ${fmt(l.at(-1))} | ${pct(mean(of(a).map((r) => r.finalAccuracy)), 0)} | ${a === 'relu' ? `${of(a).filter((r) => r.deadAtInit).length} / ${SEEDS}` : '—'} |`;
      })].join('\n');
    const claims = [
      { claim: 'With sigmoid hidden layers the 9-layer net does not learn XOR: the cost stays put and accuracy is 0.5 (vanishing gradient)', seed: 'accuracy 0.5; cost flat',
        measured: `${SEEDS - of('sigmoid').filter((r) => r.learnt).length}/${SEEDS} seeds did not learn; ${stuck}/${SEEDS} ended within 0.01 of ln 2 = 0.693 (median final loss ${fmt(sigLoss[SEEDS / 2])}); mean accuracy ${pct(mean(of('sigmoid').map((r) => r.finalAccuracy)), 0)}`,
        reproduced: share('sigmoid') <= 0.25 ? 'yes' : share('sigmoid') < 0.75 ? 'partly' : 'no' },
      { claim: 'Replacing sigmoid by ReLU (sigmoid output kept), the same net learns at once: accuracy ≈ 1, cost ≈ 0', seed: 'accuracy 1.0, cost near 0',
        measured: `${of('relu').filter((r) => r.learnt).length}/${SEEDS} seeds learnt; mean final accuracy ${pct(reluAcc, 0)}`,
        reproduced: share('relu') >= 0.75 ? 'yes' : share('relu') >= 0.4 ? 'partly' : 'no',
        why: share('relu') < 1 ? `the seed shows one lucky run; over ${SEEDS} seeds, ${of('relu').filter((r) => !r.learnt && r.deadAtInit).length} of the ${of('relu').filter((r) => !r.learnt).length} failures had a ReLU layer dead on all 4 inputs at initialization (no gradient passes such a layer); the others stalled during training (final loss ≥ 0.1)` : undefined },
    ];
    return {
      seed: `1–${SEEDS} (model seeds)`, budget: `${steps} full-batch SGD steps per run, ${2 * SEEDS} runs`,
      summary: 'Sung Kim\'s deep XOR net (lab 10): 2 → 9 × [5 units] → 1 sigmoid output, weights uniform(−1, 1), biases 0, binary cross-entropy, SGD with learning rate 0.1 on the 4 XOR points, for 16 model seeds with sigmoid and with ReLU hidden units.',
      numbers: { steps, runs }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
