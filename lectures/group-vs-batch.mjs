// 6. group-vs-batch — Wu & He's figure at small scale: the same small CNN with BatchNorm,
// GroupNorm or LayerNorm after each convolution, trained at batch sizes 2 … 64 (learning
// rate scaled linearly with the batch, as they do), test error per batch size.
import { Sequential, layers, optimizers, tensor } from 'simdnet';
import { ready, digits, pct, standalone } from './lib/common.mjs';

const SEED = 1;
const NORMS = [
  { key: 'batchNorm', label: 'BatchNorm', make: () => layers.batchNorm({ momentum: 0.9 }) },
  { key: 'groupNorm', label: 'GroupNorm (4 groups)', make: () => layers.groupNorm({ groups: 4 }) },
  { key: 'layerNorm', label: 'LayerNorm', make: () => layers.layerNorm() },
];

function cnn(norm, f1, f2) {
  const m = new Sequential({ seed: SEED });
  m.add(layers.conv2d({ filters: f1, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal', inputShape: [28, 28, 1] }));
  m.add(norm.make());
  m.add(layers.relu());
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.conv2d({ filters: f2, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }));
  m.add(norm.make());
  m.add(layers.relu());
  m.add(layers.maxPool2d({ poolSize: 2 }));
  m.add(layers.flatten());
  m.add(layers.dense({ units: 10 }));
  return m;
}

const experiment = {
  name: 'group-vs-batch',
  title: 'GroupNorm vs BatchNorm vs LayerNorm across batch sizes',
  async run({ quick, log }) {
    await ready();
    const data = digits(quick ? { train: 1000, test: 1000 } : { train: 4000 });
    const epochs = quick ? 2 : 3;
    const [f1, f2] = [8, 16];
    const sizes = [2, 4, 8, 16, 32, 64];
    const baseLr = 0.02; // at batch 32, SGD momentum 0.9; lr = 0.02 · N / 32
    const x = tensor(data.train.x, [data.train.n, 28, 28, 1]), xt = tensor(data.test.x, [data.test.n, 28, 28, 1]);
    const points = [];
    for (const norm of NORMS) {
      for (const n of sizes) {
        const model = cnn(norm, f1, f2);
        const lr = baseLr * n / 32;
        model.compile({ optimizer: optimizers.sgd({ learningRate: lr, momentum: 0.9 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
        let error = null, acc = NaN;
        try {
          await model.fit(x, data.train.y, { epochs, batchSize: n });
          acc = model.evaluate(xt, data.test.y).accuracy;
        } catch (err) { error = err.message.split(';')[0]; }
        points.push({ norm: norm.label, key: norm.key, batchSize: n, lr, testAccuracy: acc, testError: 1 - acc, error });
        log(`${norm.label} batch ${n}: ${error ?? pct(1 - acc)} error`);
        model.dispose();
      }
    }
    const err = (k, n) => points.find((p) => p.key === k && p.batchSize === n)?.testError ?? NaN;
    const figure = {
      title: `Small CNN (conv3×3×${f1}-norm-ReLU-pool, conv3×3×${f2}-norm-ReLU-pool, dense 10), ${epochs} epochs on ${data.train.n} digits (seed ${SEED})`,
      width: 480, height: 300, data: { values: points.filter((p) => Number.isFinite(p.testError)) },
      mark: { type: 'line', point: { size: 50 } },
      encoding: { x: { field: 'batchSize', type: 'quantitative', scale: { type: 'log', base: 2, reverse: true }, title: 'batch size (images per worker, log₂; as Wu & He, largest on the left)', axis: { values: sizes } },
        y: { field: 'testError', type: 'quantitative', title: `test error (${data.test.n} held-out digits)`, scale: { zero: false }, axis: { format: '.1%' } },
        color: { field: 'norm', type: 'nominal', title: 'normalization', sort: NORMS.map((n) => n.label), legend: { orient: 'right', labelLimit: 220 } } },
    };
    const table = ['| batch size | lr | ' + NORMS.map((n) => n.label).join(' | ') + ' |', '|---|---|' + NORMS.map(() => '---').join('|') + '|',
      ...sizes.map((n) => `| ${n} | ${+(baseLr * n / 32).toPrecision(3)} | ${NORMS.map((m) => pct(err(m.key, n))).join(' | ')} |`)].join('\n');
    // one standard error of a test error measured on data.test.n digits, for the difference of two
    const se = (p) => Math.sqrt(2 * p * (1 - p) / data.test.n);
    const clear = (d, p) => d > 2 * se(p);
    const meanErr = (k) => sizes.reduce((a, n) => a + err(k, n), 0) / sizes.length;
    const small = [2, 4];
    const gnBetterSmall = small.every((n) => err('groupNorm', n) < err('batchNorm', n));
    const gap32 = err('groupNorm', 32) - err('batchNorm', 32);
    const bnDegrades = err('batchNorm', 2) - Math.min(err('batchNorm', 32), err('batchNorm', 64));
    const gnSpread = Math.max(...sizes.map((n) => err('groupNorm', n))) - Math.min(...sizes.map((n) => err('groupNorm', n)));
    const claims = [
      { claim: 'BN\'s error grows as the batch shrinks (its batch statistics get noisy)', seed: 'qualitative; Wu & He (ImageNet): 23.6% at 32 → 34.7% at 2', measured: `BN error ${pct(err('batchNorm', 64))} (64), ${pct(err('batchNorm', 32))} (32) → ${pct(err('batchNorm', 4))} (4), ${pct(err('batchNorm', 2))} (2)`,
        reproduced: clear(bnDegrades, err('batchNorm', 2)) ? 'yes' : bnDegrades > 0 ? 'partly' : 'no',
        why: !clear(bnDegrades, err('batchNorm', 2)) && bnDegrades > 0 ? `the rise is within two standard errors (${pct(2 * se(err('batchNorm', 2)))}) of ${data.test.n} test digits: small data, a shallow net` : undefined },
      { claim: 'GroupNorm comes close to BN at batch 32', seed: 'GN ≈ BN at batch 32 (Wu & He: 24.1% vs 23.6%)', measured: `GN ${pct(err('groupNorm', 32))} vs BN ${pct(err('batchNorm', 32))} at batch 32 (difference ${(gap32 * 100).toFixed(1)} points)`,
        reproduced: Math.abs(gap32) <= 0.01 ? 'yes' : gap32 < 0 ? 'yes' : gap32 <= 0.03 ? 'partly' : 'no' },
      { claim: 'GroupNorm beats BN at small batches and is stable across batch sizes', seed: 'better for smaller batches (Wu & He at 2: GN 24.1% vs BN 34.7%)', measured: `batch 2: GN ${pct(err('groupNorm', 2))} vs BN ${pct(err('batchNorm', 2))}; batch 4: GN ${pct(err('groupNorm', 4))} vs BN ${pct(err('batchNorm', 4))}; GN spread over all sizes ${(gnSpread * 100).toFixed(1)} points`,
        reproduced: gnBetterSmall && small.some((n) => clear(err('batchNorm', n) - err('groupNorm', n), err('batchNorm', n))) ? 'yes' : small.some((n) => err('groupNorm', n) < err('batchNorm', n)) ? 'partly' : 'no',
        why: gnBetterSmall && !small.some((n) => clear(err('batchNorm', n) - err('groupNorm', n), err('batchNorm', n))) ? `GN is ahead at batch 2 and 4, but by less than two standard errors (${pct(2 * se(err('batchNorm', 2)))})` : undefined },
      { claim: 'GroupNorm is more flexible than LayerNorm on images (channel groups normalized apart)', seed: 'qualitative (Wu & He: LN 25.3% vs GN 24.1% at batch 32)', measured: `mean error over the six batch sizes: GN ${pct(meanErr('groupNorm'))}, LN ${pct(meanErr('layerNorm'))}`,
        reproduced: meanErr('layerNorm') - meanErr('groupNorm') > se(meanErr('groupNorm')) ? 'yes' : meanErr('groupNorm') < meanErr('layerNorm') ? 'partly' : 'no',
        why: meanErr('groupNorm') < meanErr('layerNorm') && meanErr('layerNorm') - meanErr('groupNorm') <= se(meanErr('groupNorm')) ? 'ahead, but within the noise of the test set' : undefined },
    ];
    return {
      seed: SEED, budget: `${data.train.n} train / ${data.test.n} test digits, ${epochs} epochs per run, 18 runs, SGD momentum 0.9, lr 0.02·N/32`,
      summary: 'Wu & He (2018), figure 1 at toy scale: one small CNN, three normalizations after each convolution, six batch sizes with the learning rate scaled linearly, the same number of epochs for all (so small batches take more steps). BN uses momentum 0.9 for its moving statistics (as PyTorch\'s 0.1) so that the test-time statistics settle even for short runs.',
      numbers: { epochs, sizes, points }, table, figure, claims,
    };
  },
};

export default experiment;
await standalone(import.meta.url, experiment);
