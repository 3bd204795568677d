// 14. fast-forward — Sung Kim's "fast forward" (ResNet's shortcut) and recurrent networks:
// a deep plain MLP vs the same depth with residual connections, and row-by-row recurrent
// MNIST (an LSTM reading each digit as 28 rows of 28 pixels). Needs the functional API
// (input, layer.apply, layers.add, Model) and layers.lstm.
import * as simdnet from 'simdnet';
import { ready, digits, pct, standalone } from './lib/common.mjs';

const SEED = 1;
const { layers, optimizers, tensor } = simdnet;

function deepNet(depth, width, residual) {
  const { input, Model } = simdnet;
  const x = input({ shape: [784] });
  let h = layers.dense({ units: width, activation: 'relu', kernelInitializer: 'heNormal' }).apply(x);
  // depth − 1 more hidden layers: in pairs, each pair either plain or wrapped by a shortcut
  for (let b = 0; b < (depth - 1) / 2; b++) {
    const f = layers.dense({ units: width, activation: 'relu', kernelInitializer: 'heNormal' }).apply(h);
    // the branch's last layer starts at 0 in the residual net, so each block starts as the
    // identity (Goyal et al. 2017's zero-γ; with He init everywhere the variance doubles per
    // block and the sum explodes); the plain net needs He init to pass a signal at all
    const g = layers.dense({ units: width, kernelInitializer: residual ? 'zeros' : 'heNormal' }).apply(f);
    h = layers.relu().apply(residual ? layers.add().apply([h, g]) : g);
  }
  const y = layers.dense({ units: 10 }).apply(h);
  return new Model({ inputs: x, outputs: y, seed: SEED });
}

function rowLstm(units) {
  const { input, Model } = simdnet;
  const x = input({ shape: [28, 28] });
  const h = layers.lstm({ units }).apply(x);
  return new Model({ inputs: x, outputs: layers.dense({ units: 10 }).apply(h), seed: SEED });
}

const experiment = {
  name: 'fast-forward',
  title: 'Fast forward (residual) and row-by-row recurrent MNIST',
  async available() {
    const missing = ['input', 'Model'].filter((k) => typeof simdnet[k] !== 'function');
    if (typeof simdnet.layers?.add !== 'function') missing.push('layers.add');
    if (typeof simdnet.layers?.lstm !== 'function') missing.push('layers.lstm');
    return missing.length ? `needs the functional API and LSTM (${missing.join(', ')} not exported by simdnet yet)` : null;
  },
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 2000, test: 2000 } : {});
    const depth = quick ? 21 : 31, width = 64;
    const epochs = quick ? 3 : 8, batchSize = 64;
    const lrs = [0.01, 0.05];
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const curves = [], runs = [];
    for (const lr of lrs) {
      for (const residual of [false, true]) {
        const m = deepNet(depth, width, residual);
        m.compile({ optimizer: optimizers.sgd({ learningRate: lr, momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
        let error = null, h = null;
        const losses = [];
        try {
          h = await m.fit(x, data.train.y, { epochs, batchSize, validationData: [xt, data.test.y], callbacks: [{ onEpochEnd: (_e, l) => losses.push(l.loss) }] });
        } catch (err) { error = err.message.split(';')[0]; }
        const name = `${residual ? 'residual' : 'plain'}, lr ${lr}`;
        losses.forEach((l, e) => curves.push({ panel: 'deep MLP', model: name, epoch: e + 1, loss: l }));
        const test = error ? NaN : h.history.valAccuracy.at(-1);
        runs.push({ residual, lr, depth, finalTrainLoss: losses.at(-1) ?? NaN, testAccuracy: test, error, params: m.countParams() });
        log(`${name}: ${error ? `stopped: ${error}` : `train loss ${losses.at(-1).toFixed(3)}, test ${pct(test)}`}`);
        m.dispose();
      }
    }

    // row-by-row recurrent MNIST
    const units = quick ? 32 : 64, rnnEpochs = quick ? 3 : 5;
    const r = rowLstm(units);
    r.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const xs = tensor(data.train.x, [data.train.n, 28, 28]), xts = tensor(data.test.x, [data.test.n, 28, 28]);
    const t0 = performance.now();
    const hr = await r.fit(xs, data.train.y, { epochs: rnnEpochs, batchSize, validationData: [xts, data.test.y] });
    const rnnSeconds = (performance.now() - t0) / 1000;
    hr.history.loss.forEach((l, e) => curves.push({ panel: 'row-by-row LSTM', model: `LSTM(${units})`, epoch: e + 1, loss: l }));
    const rnn = { units, epochs: rnnEpochs, testAccuracy: hr.history.valAccuracy.at(-1), valAccuracy: hr.history.valAccuracy, params: r.countParams(), seconds: +rnnSeconds.toFixed(1) };
    log(`LSTM(${units}) row by row: test ${pct(rnn.testAccuracy)} in ${rnnSeconds.toFixed(1)} s`);
    r.dispose();

    const figure = {
      title: `Training loss per epoch (${data.train.n} digits, seed ${SEED})`,
      hconcat: [
        { width: 340, height: 260, title: `${depth} hidden layers × ${width} ReLU, SGD momentum 0.9`, data: { values: curves.filter((c) => c.panel === 'deep MLP') }, mark: { type: 'line', point: true },
          encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (log scale)', axis: { format: '~g' } },
            color: { field: 'model', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical' } }, strokeDash: { field: 'model', type: 'nominal', legend: null } } },
        { width: 220, height: 260, title: `LSTM(${units}) over 28 rows, Adam`, data: { values: curves.filter((c) => c.panel !== 'deep MLP') }, mark: { type: 'line', point: true, color: '#54a24b' },
          encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (log scale)', axis: { format: '~g' } } } },
      ],
    };
    const fmtRun = (x) => (x.error ? `diverged (${x.error})` : `${pct(x.testAccuracy)} (train loss ${x.finalTrainLoss.toFixed(3)})`);
    const table = ['| model | lr | test accuracy (final training loss) | parameters |', '|---|---|---|---|',
      ...runs.map((x) => `| ${depth} layers, ${x.residual ? 'residual' : 'plain'} | ${x.lr} | ${fmtRun(x)} | ${x.params.toLocaleString('en-US')} |`),
      `| LSTM(${units}), rows as time steps, ${rnnEpochs} epochs | Adam 2e-3 | ${pct(rnn.testAccuracy)} | ${rnn.params.toLocaleString('en-US')} |`].join('\n');
    const pair = (lr) => [runs.find((x) => x.lr === lr && !x.residual), runs.find((x) => x.lr === lr && x.residual)];
    const better = lrs.filter((lr) => { const [p, q] = pair(lr); return !q.error && (p.error || q.finalTrainLoss < p.finalTrainLoss); });
    const claims = [
      { claim: 'A shortcut that adds an earlier output two layers ahead ("fast forward", ResNet) lets a deep net train where the plain one struggles', seed: 'qualitative (ResNet: under 3% ImageNet top-5 error)',
        measured: lrs.map((lr) => { const [p, q] = pair(lr); return `lr ${lr}: plain ${fmtRun(p)}, residual ${fmtRun(q)}`; }).join('; '),
        reproduced: better.length === lrs.length ? 'yes' : better.length ? 'partly' : 'no' },
      { claim: 'A recurrent net reading the digit row by row classifies MNIST', seed: '— (RNNs named, no number)', measured: `LSTM(${units}): ${pct(rnn.testAccuracy)} after ${rnnEpochs} epochs (${rnn.seconds} s)`, reproduced: rnn.testAccuracy > 0.9 ? 'yes' : rnn.testAccuracy > 0.5 ? 'partly' : 'no', why: rnn.testAccuracy <= 0.9 ? 'learning, but short of 90% at this budget' : undefined },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits; deep MLPs ${epochs} epochs, LSTM ${rnnEpochs} epochs; batch ${batchSize}`,
      summary: `Functional models (\`input\`, \`layer.apply\`, \`layers.add\`, \`new Model({ inputs, outputs })\`): ${depth} hidden ReLU layers of ${width} units, plain (He init) or with an identity shortcut around every pair of layers (\`relu(h + W₂·relu(W₁·h))\`, W₂ starting at 0 so that each block starts as the identity), the same SGD at two learning rates; and \`layers.lstm\` reading each digit as a sequence of 28 rows.`,
      numbers: { depth, width, epochs, runs, rnn }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
