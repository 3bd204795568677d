// 9. search — random vs grid search in log space for the learning rate and L2 strength, then
// coarse → fine around the best random trials; the scatter of the trials (the lecture's
// "random layout finds the important parameter" figure).
import { Sequential, layers, optimizers, regularizers, search, tensor } from 'simdnet';
import { ready, digits, pct, fmt, std, standalone } from './lib/common.mjs';

const SEED = 1;
const LR = [1e-4, 1], L2 = [1e-6, 1e-1];

function logGrid([lo, hi], k) {
  return Array.from({ length: k }, (_, i) => +(lo * (hi / lo) ** ((i + 0.5) / k)).toPrecision(3));
}

const experiment = {
  name: 'search',
  title: 'Hyperparameter search: random vs grid, coarse → fine',
  async run({ quick, log }) {
    await ready();
    const side = quick ? 3 : 4, trials = side * side;
    const data = digits({ train: quick ? 2000 : 4000, test: 0 });
    // train / validation from the training split only: the test digits are not looked at
    const nVal = quick ? 500 : 1000, nTr = data.train.n - nVal;
    const x = tensor(data.train.x.subarray(0, nTr * 784), [nTr, 784]), y = data.train.y.subarray(0, nTr);
    const xv = tensor(data.train.x.subarray(nTr * 784), [nVal, 784]), yv = data.train.y.subarray(nTr);
    const epochs = quick ? 2 : 3;
    const evaluate = async ({ lr, l2 }) => {
      const m = new Sequential({ seed: SEED });
      m.add(layers.dense({ units: 64, activation: 'relu', inputShape: [784], kernelInitializer: 'heNormal', kernelRegularizer: regularizers.l2(l2) }));
      m.add(layers.dense({ units: 10, kernelRegularizer: regularizers.l2(l2) }));
      m.compile({ optimizer: optimizers.sgd({ learningRate: lr, momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
      try {
        await m.fit(x, y, { epochs, batchSize: 64 });
        return m.evaluate(xv, yv).accuracy;
      } finally { m.dispose(); }
    };
    const space = { lr: search.logUniform(...LR), l2: search.logUniform(...L2) };
    const grid = await search.gridSearch({ grid: { lr: logGrid(LR, side), l2: logGrid(L2, side) }, evaluate });
    log(`grid ${side}×${side}: best ${pct(grid.best.score)} at lr ${fmt(grid.best.params.lr)}, l2 ${fmt(grid.best.params.l2)}`);
    const coarse = await search.randomSearch({ space, trials, seed: SEED, evaluate });
    log(`random ×${trials}: best ${pct(coarse.best.score)} at lr ${fmt(coarse.best.params.lr)}, l2 ${fmt(coarse.best.params.l2)}`);
    const refined = search.refine(coarse, { top: Math.max(3, Math.floor(trials / 3)) });
    const fine = await search.randomSearch({ space: refined.space, trials, seed: SEED + 1, evaluate });
    log(`fine ×${trials}: best ${pct(fine.best.score)} at lr ${fmt(fine.best.params.lr)}, l2 ${fmt(fine.best.params.l2)}`);

    const stage = (name, res) => res.results.map((t) => ({ stage: name, lr: t.params.lr, l2: t.params.l2, accuracy: Number.isFinite(t.score) ? t.score : 0, failed: !Number.isFinite(t.score) }));
    const points = [...stage(`grid ${side}×${side}`, grid), ...stage(`random ×${trials} (coarse)`, coarse), ...stage(`random ×${trials} (fine)`, fine)];
    const stages = [`grid ${side}×${side}`, `random ×${trials} (coarse)`, `random ×${trials} (fine)`];
    const fineRange = { lr: [refined.space.lr.lo, refined.space.lr.hi], l2: [refined.space.l2.lo, refined.space.l2.hi] };
    const figure = {
      title: `Validation accuracy of a 784-64-10 net, ${epochs} epochs of SGD (momentum 0.9) on ${nTr} digits (seed ${SEED})`,
      hconcat: [
        { width: 300, height: 300, title: 'Trials in the (lr, L2) plane', data: { values: points },
          layer: [
            { data: { values: [{ x: fineRange.lr[0], x2: fineRange.lr[1], y: fineRange.l2[0], y2: fineRange.l2[1] }] }, mark: { type: 'rect', fill: '#f2f2f2', stroke: '#999', strokeDash: [3, 3] },
              encoding: { x: { field: 'x', type: 'quantitative' }, x2: { field: 'x2' }, y: { field: 'y', type: 'quantitative' }, y2: { field: 'y2' } } },
            { mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
              encoding: { x: { field: 'lr', type: 'quantitative', scale: { type: 'log', domain: LR }, title: 'learning rate (log)', axis: { format: '~g' } },
                y: { field: 'l2', type: 'quantitative', scale: { type: 'log', domain: L2 }, title: 'L2 strength λ (log)', axis: { format: '~g' } },
                shape: { field: 'stage', type: 'nominal', title: 'trials', sort: stages },
                color: { field: 'accuracy', type: 'quantitative', title: 'val. accuracy', scale: { scheme: 'viridis', domain: [0, 1] }, legend: { format: '.0%' } } } },
          ] },
        { width: 300, height: 300, title: 'Accuracy against the important parameter', data: { values: points },
          mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
          encoding: { x: { field: 'lr', type: 'quantitative', scale: { type: 'log', domain: LR }, title: 'learning rate (log)', axis: { format: '~g' } },
            y: { field: 'accuracy', type: 'quantitative', title: 'validation accuracy', axis: { format: '.0%' } },
            shape: { field: 'stage', type: 'nominal', sort: stages, legend: null }, color: { field: 'stage', type: 'nominal', title: 'trials', sort: stages, scale: { scheme: 'set1' } } } },
      ],
      resolve: { scale: { color: 'independent', shape: 'shared' } },
    };
    // how much each parameter matters, from the grid: spread of the row/column means
    const g = grid.results.filter((t) => Number.isFinite(t.score));
    const byLr = logGrid(LR, side).map((v) => g.filter((t) => t.params.lr === v).reduce((a, t) => a + t.score, 0) / side);
    const byL2 = logGrid(L2, side).map((v) => g.filter((t) => t.params.l2 === v).reduce((a, t) => a + t.score, 0) / side);
    const distinct = (res) => new Set(res.results.map((t) => t.params.lr)).size;
    const table = ['| search | trials | distinct learning rates | best validation accuracy | best lr | best λ |', '|---|---|---|---|---|---|',
      ...[[`grid ${side}×${side}`, grid], [`random (coarse, lr ∈ [1e-4, 1], λ ∈ [1e-6, 0.1])`, coarse], [`random (fine, lr ∈ [${fmt(fineRange.lr[0])}, ${fmt(fineRange.lr[1])}], λ ∈ [${fmt(fineRange.l2[0])}, ${fmt(fineRange.l2[1])}])`, fine]]
        .map(([n, r]) => `| ${n} | ${r.results.length} | ${distinct(r)} | ${pct(r.best.score)} | ${fmt(r.best.params.lr)} | ${fmt(r.best.params.l2)} |`)].join('\n');
    const noise = 2 * Math.sqrt(2 * 0.1 * 0.9 / nVal);
    const claims = [
      { claim: 'The learning rate matters far more than the L2 strength (one important parameter)', seed: 'the lecture\'s figure: one important, one unimportant parameter', measured: `grid: spread (std) of the per-lr mean accuracies ${pct(std(byLr))}, of the per-λ means ${pct(std(byL2))}`,
        reproduced: std(byLr) > 2 * std(byL2) ? 'yes' : std(byLr) > std(byL2) ? 'partly' : 'no' },
      { claim: 'Random layout tries many more values of the important parameter than a grid of the same size', seed: `${side * side} trials: a grid tries ${side} values of each, random ${side * side}`, measured: `grid ${distinct(grid)} distinct learning rates, random ${distinct(coarse)}`, reproduced: distinct(coarse) > distinct(grid) ? 'yes' : 'no' },
      { claim: 'So random search finds a better setting than grid search for the same budget', seed: '"random search rather than grid search"', measured: `best of ${trials}: random ${pct(coarse.best.score)} (lr ${fmt(coarse.best.params.lr)}) vs grid ${pct(grid.best.score)} (lr ${fmt(grid.best.params.lr)})`,
        reproduced: coarse.best.score - grid.best.score > noise ? 'yes' : coarse.best.score >= grid.best.score ? 'partly' : 'no',
        why: coarse.best.score - grid.best.score <= noise ? `the difference is within the validation noise (±${pct(noise)} on ${nVal} digits); with two parameters and a wide optimum a ${side}×${side} grid can land well too` : undefined },
      { claim: 'Coarse → fine: a narrower second search around the best trials does at least as well', seed: 'qualitative (coarse, then fine)', measured: `fine best ${pct(fine.best.score)} vs coarse best ${pct(coarse.best.score)}; ${refined.warnings.length ? `refine warned: ${refined.warnings.map((w) => w.message).join('; ')}` : 'no edge warnings'}`,
        reproduced: fine.best.score >= coarse.best.score - noise / 2 ? 'yes' : 'no' },
    ];
    return {
      seed: `${SEED} (models and search)`, budget: `${trials} trials per stage (${3 * trials} in all), each ${epochs} epochs on ${nTr} digits, validated on ${nVal} other training digits`,
      summary: `\`search.gridSearch\` over a ${side}×${side} log-spaced grid and \`search.randomSearch\` with \`logUniform\` samplers over the same ranges, the same number of trials each; \`search.refine\` narrows the space around the best third of the random trials (the dashed box) for a fine random search. The test digits are never used.`,
      numbers: { epochs, trials, grid: grid.results, coarse: coarse.results, fine: fine.results, fineSpace: fineRange, refineWarnings: refined.warnings, meanByLr: byLr, meanByL2: byL2 }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
