// 4. babysitting — CS231n lecture 6's "babysitting the learning process" on a 2-layer net:
// initial loss vs ln 10, the loss goes up with regularization, 20 samples overfit, learning
// rate too small (loss flat), too large (explodes / NaN), about right, and the update/weight
// ratio (~1e-3) over training.
import { Sequential, layers, initializers, optimizers, regularizers, diagnostics, callbacks, preprocess, tensor } from 'simdnet';
import { ready, digits, fmt, pct, standalone } from './lib/common.mjs';

const SEED = 1;
const LRS = [1e-6, 1e-3, 0.1, 1, 1e6];
const HIDDEN = 50;
const lrName = (lr) => ({ 1e-6: '1e-6', 1e-3: '1e-3', 0.1: '0.1', 1: '1', 1e6: '1e6' })[lr] ?? String(lr);

function net({ l2 = 0, lr = 0.1 } = {}) {
  const m = new Sequential({ seed: SEED });
  const reg = l2 ? { kernelRegularizer: regularizers.l2(l2) } : {};
  m.add(layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [784], kernelInitializer: initializers.randomNormal({ stddev: 0.01 }), ...reg }));
  m.add(layers.dense({ units: 10, kernelInitializer: initializers.randomNormal({ stddev: 0.01 }), ...reg }));
  m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  return m;
}

const experiment = {
  name: 'babysitting',
  title: 'Babysitting the learning process',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 2000 } : {});
    const epochs = quick ? 5 : 10, batchSize = 64;
    // zero-centred as the lecture does (the mean image of the training set)
    const zc = preprocess.zeroCenter().fit(tensor(data.train.x, [data.train.n, 784]));
    const x = zc.transform(tensor(data.train.x, [data.train.n, 784]));
    const y = data.train.y;

    // sanity checks: loss at init without and with L2, overfitting 20 samples
    const l2 = 0.1;
    const plain = net();
    const regNet = net({ l2 });
    const sanity = await diagnostics.sanityCheck(regNet, x, y, { samples: 20, epochs: 200, optimizer: optimizers.sgd({ learningRate: 0.5 }) });
    const plainSanity = await diagnostics.sanityCheck(plain, x, y, { samples: 20, epochs: 1 });
    plain.dispose(); regNet.dispose();
    log(`initial loss ${fmt(sanity.initialLoss, 4)} (ln 10 = ${fmt(Math.LN10, 4)}), with L2 ${fmt(sanity.lossWithRegularization, 4)}, 20 samples → ${pct(sanity.overfitTrainAccuracy)} in ${sanity.overfitEpochs} epochs`);

    // learning-rate sweep, per-batch losses and per-epoch train accuracy
    const sweep = [];
    const curves = [];
    let ratios = null;
    for (const lr of LRS) {
      const model = net({ lr });
      const batch = [];
      const sitter = callbacks.babysitter({ warn: () => {} });
      let error = null, history = null;
      const acc0 = model.evaluate(x, y).accuracy;
      try {
        const h = await model.fit(x, y, { epochs, batchSize, callbacks: [{ onBatchEnd: (_b, l) => batch.push(l.loss) }, sitter], monitor: true });
        history = h.history;
        if (lr === 0.1) ratios = h.monitors.map((m, e) => ({ epoch: e + 1, ...m.updateRatio }));
      } catch (err) {
        error = err.message;
      }
      const end = model.evaluate(x, y);
      const step = Math.max(1, Math.floor(batch.length / 150));
      batch.forEach((l, i) => { if (i % step === 0 && Number.isFinite(l)) curves.push({ lr: lrName(lr), step: i + 1, loss: l }); });
      sweep.push({ lr, firstLoss: batch[0], lastLoss: batch.at(-1), steps: batch.length, accuracyBefore: acc0, accuracyAfter: end.accuracy, finalLoss: end.loss, error, warnings: sitter.warnings,
        maxLoss: Math.max(...batch.filter(Number.isFinite)) });
      log(`lr ${lr}: ${error ? `stopped: ${error.slice(0, 80)}` : `loss ${fmt(batch[0])} → ${fmt(batch.at(-1))}, train acc ${pct(acc0)} → ${pct(end.accuracy)}`}`);
      model.dispose();
    }
    const at = (lr) => sweep.find((s) => s.lr === lr);
    const ratioRows = [];
    for (const r of ratios ?? []) for (const [param, v] of Object.entries(r)) if (param !== 'epoch' && /kernel/.test(param)) ratioRows.push({ epoch: r.epoch, param, ratio: v });
    const figure = {
      title: `2-layer net (784-${HIDDEN}-10, ReLU), SGD batch ${batchSize}, ${data.train.n} zero-centred digits (seed ${SEED})`,
      hconcat: [
        { width: 380, height: 260, title: { text: 'Training loss per step, five learning rates', subtitle: 'lr 1e6 leaves the top, then turns NaN' }, data: { values: curves }, mark: { type: 'line', strokeWidth: 1.4, clip: true },
          encoding: { x: { field: 'step', type: 'quantitative', title: 'SGD step' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log', domain: [0.001, 100] }, title: 'batch loss (log scale)', axis: { format: '~g' } },
            color: { field: 'lr', type: 'nominal', title: 'learning rate', sort: LRS.map(lrName), legend: { orient: 'bottom', direction: 'horizontal' } } } },
        { width: 260, height: 260, title: 'Update / weight ratio, lr 0.1', data: { values: ratioRows },
          layer: [
            { mark: { type: 'line', point: true }, encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 1e-1] }, title: '‖Δw‖ / ‖w‖ per step (log)', axis: { format: '~g' } }, color: { field: 'param', type: 'nominal', title: 'kernel', scale: { scheme: 'dark2' }, legend: { orient: 'bottom' } } } },
            { data: { values: [{ y: 1e-3 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          ] },
      ],
      resolve: { scale: { color: 'independent' } },
    };
    const table = ['| learning rate | first batch loss | last batch loss | train accuracy before → after | what happened |', '|---|---|---|---|---|',
      ...sweep.map((s) => `| ${fmt(s.lr)} | ${fmt(s.firstLoss, 4)} | ${fmt(s.lastLoss, 4)} | ${pct(s.accuracyBefore)} → ${pct(s.accuracyAfter)} | ${s.error ? `stopped after ${s.steps} steps: ${s.error.split(';')[0]}` : `${s.steps} steps`}${s.warnings.length ? `; babysitter warned: ${s.warnings.map((w) => w.replace(/^babysitter: /, '').split(/[;:(]/)[0].slice(0, 70)).join(' / ')}` : ''} |`)].join('\n');
    const tiny = at(1e-6), small = at(1e-3), good = at(0.1), big = at(1e6);
    const flatRising = [tiny, small].filter((s) => Math.abs(s.lastLoss - s.firstLoss) < 0.01 && s.accuracyAfter > s.accuracyBefore + 0.02);
    const median = (a) => (a.length ? [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] : NaN);
    const medRatio = median(ratioRows.map((r) => r.ratio));
    const lastRatios = ratioRows.filter((r) => r.epoch === epochs).map((r) => `${r.param} ${fmt(r.ratio)}`).join(', ');
    const claims = [
      { claim: 'Softmax with small weights: the first loss is ln(#classes)', seed: 'ln 10 ≈ 2.30', measured: fmt(plainSanity.initialLoss, 4), reproduced: Math.abs(plainSanity.initialLoss - Math.LN10) < 0.05 ? 'yes' : 'no' },
      { claim: 'Turning regularization on raises the loss', seed: '2.30 → 3.06 (their λ)', measured: `${fmt(sanity.initialLoss, 4)} → ${fmt(sanity.lossWithRegularization, 4)} with L2 λ = ${l2}`, reproduced: sanity.regIncreasesLoss ? 'yes' : 'no' },
      { claim: 'A small subset (20 samples), no regularization, SGD: the net overfits (train accuracy 1.0, loss ≈ 0)', seed: 'train acc 1.00, loss near 0', measured: `accuracy ${pct(sanity.overfitTrainAccuracy)} after ${sanity.overfitEpochs} full-batch epochs, loss ${fmt(sanity.overfitLoss, 3)}`, reproduced: sanity.overfitTrainAccuracy === 1 ? 'yes' : 'no' },
      { claim: 'Learning rate too small: the loss barely changes, yet training accuracy rises', seed: 'lr 1e-6: loss 2.302 → 2.302, accuracy up to ~20%', measured: [tiny, small].map((s) => `lr ${fmt(s.lr)}: loss ${fmt(s.firstLoss, 4)} → ${fmt(s.lastLoss, 4)}, accuracy ${pct(s.accuracyBefore)} → ${pct(s.accuracyAfter)}`).join('; '),
        reproduced: flatRising.length ? 'yes' : [tiny, small].some((s) => Math.abs(s.lastLoss - s.firstLoss) < 0.01) ? 'partly' : 'no',
        why: flatRising.length ? (flatRising[0] === small ? 'at lr 1e-3; their 1e-6 was on raw 0–255 CIFAR pixels, whose gradients are far larger than on our 0–1 digits, and at 1e-6 here nothing moves at all' : undefined) : `the loss is flat but the accuracy did not rise within ${tiny.steps} steps` },
      { claim: 'Learning rate too large: the loss explodes to NaN', seed: 'lr 1e6: cost NaN', measured: big.error ? `loss ${fmt(big.firstLoss)} → ${fmt(big.maxLoss)}, then fit stopped: ${big.error.split(';')[0]}` : `loss ${fmt(big.firstLoss)} → ${fmt(big.lastLoss)}`,
        reproduced: big.error || !Number.isFinite(big.lastLoss) || big.lastLoss > 3 * big.firstLoss ? 'yes' : 'no' },
      { claim: 'About right: the loss falls steadily', seed: 'lr between the two (theirs 1e-3 with their scaling)', measured: `lr 0.1: loss ${fmt(good.firstLoss, 3)} → ${fmt(good.lastLoss, 3)}, train accuracy ${pct(good.accuracyAfter)}`, reproduced: good.lastLoss < 0.5 * good.firstLoss ? 'yes' : 'partly' },
      { claim: 'The update/weight ratio should be around 1e-3', seed: '~1e-3', measured: `lr 0.1 (which learns well): median over epochs and kernels ${fmt(medRatio)}; last epoch ${lastRatios}`, reproduced: medRatio > 3e-4 && medRatio < 3e-3 ? 'yes' : medRatio > 1e-4 && medRatio < 1e-2 ? 'partly' : 'no',
        why: medRatio >= 3e-3 ? `a rule of thumb, not a law: here the learning rate that trains well runs at ratios ${fmt(medRatio / 1e-3, 2)}× larger (largest in the first epoch, while the weights are still tiny), and lr 1e-3 barely learns in ${epochs} epochs` : undefined },
    ];
    return {
      seed: SEED, budget: `${data.train.n} training digits, ${epochs} epochs per learning rate, batch ${batchSize}`,
      summary: `A 784-${HIDDEN}-10 ReLU net, weights N(0, 0.01²), plain SGD on zero-centred digits. \`diagnostics.sanityCheck\` measures the initial loss, the loss with L2 and a 20-sample overfit; five learning rates then train the same net, with \`fit({ monitor: true })\` recording update/weight ratios and \`callbacks.babysitter()\` listening for trouble.`,
      numbers: { l2, epochs, batchSize, sanity, plainInitialLoss: plainSanity.initialLoss, sweep, updateRatios: ratios }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
