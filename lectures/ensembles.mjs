// 10. ensembles — independently trained models vs their ensemble (mean of probabilities), and
// Polyak/EMA weight averaging vs the final weights of one run.
import { Sequential, layers, optimizers, callbacks, ensemble, tensor } from 'simdnet';
import { ready, digits, pct, mean, standalone } from './lib/common.mjs';

function mlp(seed) {
  const m = new Sequential({ seed });
  m.add(layers.dense({ units: 256, activation: 'relu', inputShape: [784], kernelInitializer: 'heNormal' }));
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: 10 }));
  return m;
}

const experiment = {
  name: 'ensembles',
  title: 'Model ensembles and Polyak/EMA weight averaging',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 3000 } : {});
    const members = quick ? 3 : 5, epochs = quick ? 3 : 10, batchSize = 64;
    const x = tensor(data.train.x, [data.train.n, 784]), xt = tensor(data.test.x, [data.test.n, 784]);
    const models = [], single = [];
    for (let s = 1; s <= members; s++) {
      const m = mlp(s);
      m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      await m.fit(x, data.train.y, { epochs, batchSize });
      const acc = m.evaluate(xt, data.test.y).accuracy;
      single.push({ seed: s, testAccuracy: acc });
      models.push(m);
      log(`member seed ${s}: ${pct(acc, 2)}`);
    }
    const ens = ensemble(models).evaluate(xt, data.test.y);
    const growing = [];
    for (let k = 1; k <= members; k++) growing.push({ members: k, accuracy: ensemble(models.slice(0, k)).evaluate(xt, data.test.y).accuracy });
    for (const m of models) m.dispose();
    log(`ensemble of ${members}: ${pct(ens.accuracy, 2)}`);

    // Polyak / EMA: one SGD run with a largish learning rate, its weights vs their running average
    const decay = quick ? 0.99 : 0.995;
    const m = mlp(100);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const avg = callbacks.weightAverage({ decay, warmup: true });
    const emaCurve = [];
    // a twin to evaluate the averaged weights in (swapIn is not allowed while fit runs)
    const twin = mlp(100);
    twin.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    twin.build([784]);
    await m.fit(x, data.train.y, { epochs, batchSize, callbacks: [avg, { onEpochEnd: (e) => {
      const own = m.evaluate(xt, data.test.y).accuracy;
      twin.setWeights(avg.averagedWeights());
      const averaged = twin.evaluate(xt, data.test.y).accuracy;
      emaCurve.push({ epoch: e + 1, weights: 'final (current) weights', accuracy: own }, { epoch: e + 1, weights: `EMA average (decay ${decay})`, accuracy: averaged });
    } }] });
    avg.dispose(); m.dispose(); twin.dispose();
    const lastOwn = emaCurve.at(-2).accuracy, lastAvg = emaCurve.at(-1).accuracy;
    log(`EMA: ${pct(lastAvg, 2)} vs final weights ${pct(lastOwn, 2)}`);

    const best = Math.max(...single.map((s) => s.testAccuracy)), avgSingle = mean(single.map((s) => s.testAccuracy));
    const bars = [...single.map((s) => ({ model: `seed ${s.seed}`, kind: 'single model', accuracy: s.testAccuracy })), { model: `ensemble of ${members}`, kind: 'ensemble', accuracy: ens.accuracy }];
    const figure = {
      title: `784-256-10 MLPs (dropout 0.2), ${epochs} epochs on ${data.train.n} digits; test accuracy on ${data.test.n}`,
      hconcat: [
        { width: 260, height: 260, title: 'Single models vs their ensemble (Adam)', data: { values: bars },
          layer: [
            { mark: { type: 'point', filled: true, size: 130 },
              encoding: { x: { field: 'model', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } }, y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy', axis: { format: '.1%' } },
                color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['single model', 'ensemble'], range: ['#9ecae9', '#08519c'] }, legend: { orient: 'bottom' } } } },
            { mark: { type: 'text', dy: -12, fontSize: 10 }, encoding: { x: { field: 'model', type: 'nominal', sort: null }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'accuracy', format: '.2%' } } },
          ] },
        { width: 300, height: 260, title: 'One SGD run (lr 0.1, momentum 0.9): EMA vs final weights', data: { values: emaCurve }, mark: { type: 'line', point: true },
          encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy', axis: { format: '.1%' } },
            color: { field: 'weights', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical' } } } },
      ],
      resolve: { scale: { color: 'independent' } },
    };
    const table = ['| model | test accuracy |', '|---|---|', ...single.map((s) => `| single, seed ${s.seed} | ${pct(s.testAccuracy, 2)} |`),
      `| mean of the singles | ${pct(avgSingle, 2)} |`, ...growing.slice(1).map((g) => `| ensemble of the first ${g.members} | ${pct(g.accuracy, 2)} |`),
      `| one SGD run, final weights | ${pct(lastOwn, 2)} |`, `| the same run, EMA of the weights (decay ${decay}) | ${pct(lastAvg, 2)} |`].join('\n');
    const noise = 2 * Math.sqrt(2 * (1 - avgSingle) * avgSingle / data.test.n);
    const gain = ens.accuracy - avgSingle;
    const claims = [
      { claim: 'An ensemble of independently trained models beats its members: 2–5% better', seed: '"2~4,5%" (Sung Kim); CS231n: "about 2%"', measured: `ensemble ${pct(ens.accuracy, 2)} vs mean member ${pct(avgSingle, 2)} (+${(gain * 100).toFixed(2)} points) and best member ${pct(best, 2)}`,
        reproduced: gain >= 0.02 ? 'yes' : gain > noise / 2 && ens.accuracy > best ? 'partly' : 'no',
        why: gain < 0.02 ? `${gain > 0 ? `${gain > noise / 2 ? 'a real but smaller gain' : 'a smaller gain'}: the ensemble removes ${pct(gain / (1 - avgSingle), 0)} of the mean member's errors` : 'no gain'}; ${gain > noise / 2 ? '' : `the gain is within the noise of ${data.test.n} test digits (±${pct(noise, 1)}); `}${members} members at this budget` : undefined },
      { claim: 'Averaging the weights of one run (Polyak/EMA) gives a small boost over the final weights', seed: '— (not in the seed notes; CS231n lecture 7: "a small boost")', measured: `EMA ${pct(lastAvg, 2)} vs final ${pct(lastOwn, 2)} (${lastAvg >= lastOwn ? '+' : ''}${((lastAvg - lastOwn) * 100).toFixed(2)} points); EMA ahead in ${emaCurve.filter((p, i) => i % 2 === 1 && p.accuracy >= emaCurve[i - 1].accuracy).length} of ${epochs} epochs`,
        reproduced: lastAvg - lastOwn > noise ? 'yes' : lastAvg >= lastOwn ? 'partly' : 'no',
        why: lastAvg - lastOwn <= noise ? `within the noise of ${data.test.n} test digits (±${pct(noise, 1)})` : undefined },
    ];
    return {
      seed: `members 1–${members}, EMA run 100`, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs per model, batch ${batchSize}`,
      summary: `${members} copies of one MLP trained from different seeds (Adam 1e-3); \`ensemble(models).evaluate\` averages their probabilities. Separately, one SGD run with \`callbacks.weightAverage({ decay: ${decay}, warmup: true })\`, evaluated after each epoch with its own weights and with the averaged ones (\`swapIn\`/\`swapOut\`).`,
      numbers: { members, epochs, single, ensemble: ens, growing, ema: emaCurve, decay }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
