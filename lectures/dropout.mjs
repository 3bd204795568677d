// 11. dropout — the train/validation gap of a large MLP with and without dropout.
import { Sequential, layers, optimizers, tensor } from 'simdnet';
import { ready, digits, pct, standalone } from './lib/common.mjs';

const SEED = 1;

function mlp(rate, layersN) {
  const m = new Sequential({ seed: SEED });
  for (let l = 0; l < layersN; l++) {
    m.add(layers.dense({ units: 512, activation: 'relu', kernelInitializer: 'heNormal', ...(l === 0 ? { inputShape: [784] } : {}) }));
    if (rate) m.add(layers.dropout({ rate }));
  }
  m.add(layers.dense({ units: 10 }));
  return m;
}

const experiment = {
  name: 'dropout',
  title: 'Dropout: the train/validation gap',
  async run({ quick, log }) {
    await ready();
    // a small training set makes overfitting visible
    const data = digits({ train: quick ? 1000 : 2000, test: 2000 });
    const epochs = quick ? 10 : 30, batchSize = 64, rate = 0.5;
    const hidden = quick ? 2 : 3;
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const curves = [], runs = [];
    for (const r of [0, rate]) {
      const m = mlp(r, hidden);
      m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      const per = [];
      // both accuracies in inference mode (dropout off), after every epoch
      await m.fit(x, data.train.y, { epochs, batchSize, callbacks: [{ onEpochEnd: (e) => {
        const tr = m.evaluate(x, data.train.y), te = m.evaluate(xt, data.test.y);
        per.push({ epoch: e + 1, train: tr.accuracy, test: te.accuracy, trainLoss: tr.loss, testLoss: te.loss });
      } }] });
      const name = r ? `dropout ${r}` : 'no dropout';
      for (const p of per) curves.push({ model: name, epoch: p.epoch, split: 'training', accuracy: p.train }, { model: name, epoch: p.epoch, split: 'test', accuracy: p.test });
      const last = per.at(-1);
      const bestTest = Math.max(...per.map((p) => p.test));
      runs.push({ rate: r, perEpoch: per, train: last.train, test: last.test, gap: last.train - last.test, lossGap: last.testLoss - last.trainLoss, bestTest, testLoss: last.testLoss, minTestLoss: Math.min(...per.map((p) => p.testLoss)) });
      log(`${name}: train ${pct(last.train)}, test ${pct(last.test)}, gap ${((last.train - last.test) * 100).toFixed(1)} points`);
      m.dispose();
    }
    const [no, yes] = runs;
    const figure = {
      title: `${hidden} × 512 ReLU MLP, Adam 1e-3, ${data.train.n} training digits, ${epochs} epochs (seed ${SEED})`,
      data: { values: curves },
      facet: { column: { field: 'model', type: 'nominal', title: null, sort: ['no dropout', `dropout ${rate}`] } },
      spec: { width: 260, height: 240, mark: { type: 'line', point: { size: 15 } },
        encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (inference mode)', scale: { domain: [0.8, 1], clamp: true }, axis: { format: '.0%' } },
          color: { field: 'split', type: 'nominal', title: null, sort: ['training', 'test'], legend: { orient: 'bottom' } } } },
    };
    const table = ['| model | train accuracy | test accuracy | gap (points) | best test accuracy | test loss: final / minimum |', '|---|---|---|---|---|---|',
      ...runs.map((r) => `| ${r.rate ? `dropout ${r.rate}` : 'no dropout'} | ${pct(r.train)} | ${pct(r.test)} | ${(r.gap * 100).toFixed(1)} | ${pct(r.bestTest)} | ${r.testLoss.toFixed(3)} / ${r.minTestLoss.toFixed(3)} |`)].join('\n');
    const noise = 2 * Math.sqrt(2 * no.test * (1 - no.test) / data.test.n);
    const claims = [
      { claim: 'Without regularization a big net overfits: training accuracy far above validation, the validation error turns back up', seed: 'qualitative (Sung Kim: deeper net 97.4% < 97.8%, "overfitting")',
        measured: `no dropout: train ${pct(no.train)}, test ${pct(no.test)}, gap ${(no.gap * 100).toFixed(1)} points; test loss ${no.minTestLoss.toFixed(3)} at best → ${no.testLoss.toFixed(3)} at the end`,
        reproduced: no.gap > 0.03 && no.testLoss > no.minTestLoss * 1.1 ? 'yes' : no.gap > 0.03 ? 'partly' : 'no',
        why: no.gap > 0.03 && !(no.testLoss > no.minTestLoss * 1.1) ? `a clear gap, but the test loss rose only ${((no.testLoss / no.minTestLoss - 1) * 100).toFixed(0)}% above its minimum within ${epochs} epochs` : undefined },
      { claim: 'Dropout shrinks the train/validation gap', seed: 'qualitative; keep_prob 0.5–0.7 in training, 1 at test', measured: `accuracy gap ${(no.gap * 100).toFixed(1)} → ${(yes.gap * 100).toFixed(1)} points; loss gap (test − train) ${no.lossGap.toFixed(3)} → ${yes.lossGap.toFixed(3)}`,
        reproduced: yes.gap < no.gap * 0.75 && yes.lossGap < no.lossGap ? 'yes' : yes.gap < no.gap || yes.lossGap < no.lossGap ? 'partly' : 'no',
        why: !(yes.gap < no.gap * 0.75) ? `on ${data.train.n} digits both nets end near 100% training accuracy, so the accuracy gap barely moves; the loss gap shows the effect better` : undefined },
      { claim: 'and improves validation accuracy', seed: 'Sung Kim: 97.4% → 98%', measured: `test ${pct(no.test)} → ${pct(yes.test)} (best over the epochs ${pct(no.bestTest)} → ${pct(yes.bestTest)}); final test loss ${no.testLoss.toFixed(3)} → ${yes.testLoss.toFixed(3)}`,
        reproduced: yes.test - no.test > noise ? 'yes' : yes.test > no.test ? 'partly' : 'no',
        why: yes.test - no.test <= noise ? `the accuracies differ by less than the noise of ${data.test.n} test digits (±${pct(noise)})${yes.testLoss < no.testLoss ? '; dropout does end with the lower test loss' : ''}; ${epochs} epochs of Adam on ${data.train.n} digits is a short run for dropout (Srivastava et al.: a dropout net "typically takes 2–3 times longer to train")` : undefined },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs, batch ${batchSize}, Adam 1e-3`,
      summary: `A deliberately large MLP (784 → ${hidden} × 512 ReLU → 10) trained on a small slice of the digits, with and without \`layers.dropout({ rate: 0.5 })\` after each hidden layer; after each epoch both the training and the test accuracy are measured in inference mode (no dropout), so the gap is the generalization gap.`,
      numbers: { epochs, batchSize, rate, hidden, runs }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
