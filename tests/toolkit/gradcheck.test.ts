// gradCheck(model, x, y): the CS231n gradient check as a library call.
//
// Every real layer passes in float64 (max relative error ≤ 1e-7 with the default centred
// difference, h = 1e-5, 20 sampled entries per tensor), including dropout (the masks of
// every evaluation are the same), batch norm in training mode and both ways of ending
// with a softmax (fused with its cross-entropy, or its own backward under mse). A layer
// whose backward is wrong by 1% — a test-only Dense subclass that scales its kernel
// gradient by 1.01 — is flagged (> 1e-3) on that tensor only, in a float64 model and in a
// float32 model (checked on a float64 copy that keeps the subclass). The model is left as
// it was: save() bytes (weights, optimizer state, RNG streams) before and after are equal,
// and it trains on exactly as an untouched twin.
//
// NOTE on the tolerance: with h = 1e-5 the centred difference has truncation h²·f‴/6
// (~1e-11) and round-off ~ε·|L|/h (~1e-11) in absolute terms, so ≤ 1e-7 relative holds for
// gradients above ~1e-4. The nets below have losses ~1 and no gradient entries that small
// except exact zeros, which the floor (1e-10) reports as error 0. Kinks (ReLU, max pool,
// maxout) are at distance ≫ h from every pre-activation for these seeds.

import { describe, expect, it } from 'vitest';
import { Sequential, gradCheck, layers, optimizers, regularizers, tensor, type LossName, type Tensor } from '../../src/index.js';
import { Dense, type DenseArgs } from '../../src/layers/dense.js';
import type { WasmTensor } from '../../bindings/index.js';
import { expectSameBits, randLabels, randn } from '../model/helpers.js';

const TOL = 1e-7;

/** Test-only: a Dense whose backward reports 1.01 × the true kernel gradient. */
class WrongDense extends Dense {
  constructor(args: DenseArgs) { super(args); }
  override backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    const dx = super.backward(dy, n, needDx);
    const g = this.kernel.grad.view();
    for (let i = 0; i < g.length; i++) g[i] *= 1.01;
    return dx;
  }
}

function model(seed: number, build: (m: Sequential) => void, loss: LossName = 'softmaxCrossEntropy', dtype: 'float32' | 'float64' = 'float64'): Sequential {
  const m = new Sequential({ seed, dtype });
  build(m);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss });
  return m;
}

const N = 6, D = 7, C = 4;
const x = randn([N, D], 1);
const labels = randLabels(N, C, 2);
const img = randn([3, 6, 6, 2], 3);
const imgLabels = randLabels(3, C, 4);
const bias = { biasInitializer: { className: 'randomNormal', config: { stddev: 0.3 } } } as const;

async function expectPasses(m: Sequential, xs: Tensor, ys: Tensor | Int32Array): Promise<void> {
  const r = await gradCheck(m, xs, ys, { seed: 7 });
  const names = m.trainableParams().map((p) => p.name);
  expect(r.perParam.map((p) => p.name)).toEqual(names);
  for (const p of r.perParam) {
    expect(p.checked, p.name).toBe(Math.min(20, m.params().find((q) => q.name === p.name)!.value.size));
    expect(p.maxRelError, `${p.name}: worst ${JSON.stringify(p.worst)}`).toBeLessThanOrEqual(TOL);
    expect(Math.abs(p.worst!.analytic) + Math.abs(p.worst!.numeric), `${p.name}: a check of zeros only would be vacuous`).toBeGreaterThan(0);
  }
  expect(r.maxRelError).toBe(Math.max(...r.perParam.map((p) => p.maxRelError)));
}

describe('gradCheck: every real layer passes in float64', () => {
  for (const activation of ['linear', 'relu', 'tanh', 'sigmoid', 'elu', 'leakyRelu'] as const) {
    it(`dense ${activation} with l2`, async () => {
      await expectPasses(model(11, (s) => {
        s.add(layers.dense({ units: 8, inputShape: [D], activation, kernelRegularizer: regularizers.l2(1e-2), ...bias }));
        s.add(layers.dense({ units: C, ...bias }));
      }), x, labels);
    });
  }

  it('conv2d (same and valid), max and average pooling, flatten', async () => {
    await expectPasses(model(12, (s) => {
      s.add(layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [6, 6, 2], ...bias }));
      s.add(layers.maxPool2d({ poolSize: 2 }));
      s.add(layers.conv2d({ filters: 4, kernelSize: 2, ...bias }));
      s.add(layers.avgPool2d({ poolSize: 2, strides: 1, padding: 'same' }));
      s.add(layers.flatten());
      s.add(layers.dense({ units: C }));
    }), img, imgLabels);
  });

  it('batchNorm (training-mode batch statistics) on dense and conv features, globalAvgPool2d', async () => {
    await expectPasses(model(13, (s) => {
      s.add(layers.conv2d({ filters: 3, kernelSize: 3, inputShape: [6, 6, 2] }));
      s.add(layers.batchNorm());
      s.add(layers.relu());
      s.add(layers.globalAvgPool2d());
      s.add(layers.dense({ units: 5 }));
      s.add(layers.batchNorm());
      s.add(layers.dense({ units: C }));
    }), img, imgLabels);
  });

  it('prelu and maxout', async () => {
    await expectPasses(model(14, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], ...bias }));
      s.add(layers.prelu());
      s.add(layers.maxout({ units: 5, pieces: 3, ...bias }));
      s.add(layers.dense({ units: C }));
    }), x, labels);
  });

  it('dropout: every evaluation sees the same masks', async () => {
    const m = model(15, (s) => {
      s.add(layers.dense({ units: 10, inputShape: [D], activation: 'tanh', ...bias }));
      s.add(layers.dropout({ rate: 0.4 }));
      s.add(layers.dense({ units: C }));
    });
    // non-vacuous: the training-mode loss does drop units (it differs from inference), and
    // repeats itself exactly (computeGradients rewinds the stream), so h-sized differences mean something
    const l = m.computeGradients(x, labels).loss;
    expect(l).not.toBe(m.evaluate(x, labels).loss);
    expect(m.computeGradients(x, labels).loss).toBe(l);
    await expectPasses(m, x, labels);
  });

  it('layerNorm, instanceNorm, groupNorm', async () => {
    await expectPasses(model(16, (s) => {
      s.add(layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 2], ...bias }));
      s.add(layers.instanceNorm());
      s.add(layers.groupNorm({ groups: 2 }));
      s.add(layers.flatten());
      s.add(layers.dense({ units: 6, ...bias }));
      s.add(layers.layerNorm());
      s.add(layers.dense({ units: C }));
    }), img, imgLabels);
  });

  it('softmax output: fused with categoricalCrossentropy, and through its own backward under mse', async () => {
    const build = (s: Sequential) => {
      s.add(layers.dense({ units: 6, inputShape: [D], activation: 'tanh', ...bias }));
      s.add(layers.dense({ units: C, ...bias }));
      s.add(layers.softmax());
    };
    const onehot = tensor(Float64Array.from({ length: N * C }, (_, i) => (labels[Math.floor(i / C)] === i % C ? 1 : 0)), [N, C], 'float64');
    await expectPasses(model(17, build, 'categoricalCrossentropy'), x, onehot);
    await expectPasses(model(17, build, 'mse'), x, onehot);
  });

  it('sigmoid output with binaryCrossentropy; linear regression output with huber', async () => {
    const t = tensor(Float64Array.from({ length: N * 2 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [N, 2], 'float64');
    await expectPasses(model(18, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], activation: 'elu', ...bias }));
      s.add(layers.dense({ units: 2, activation: 'sigmoid' }));
    }, 'binaryCrossentropy'), x, t);
    await expectPasses(model(19, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], activation: 'sigmoid', ...bias }));
      s.add(layers.dense({ units: 2 }));
    }, 'huber'), x, randn([N, 2], 5));
  });
});

describe('gradCheck catches a wrong gradient', () => {
  const build = (s: Sequential) => {
    s.add(new WrongDense({ units: 8, inputShape: [D], activation: 'tanh', ...bias }));
    s.add(layers.dense({ units: C, ...bias }));
  };
  for (const dtype of ['float64', 'float32'] as const) {
    it(`a Dense whose kernel gradient is 1% too large, in a ${dtype} model`, async () => {
      const m = model(21, build, 'softmaxCrossEntropy', dtype);
      const r = await gradCheck(m, x, labels);
      expect(r.maxRelError).toBeGreaterThan(1e-3);
      const by = Object.fromEntries(r.perParam.map((p) => [p.name, p]));
      // |1.01·n − n| / (1.01·|n|) = 0.01/1.01 on every entry
      expect(by['dense_1/kernel'].maxRelError).toBeCloseTo(0.01 / 1.01, 5);
      expect(r.maxRelError).toBe(by['dense_1/kernel'].maxRelError);
      for (const name of ['dense_1/bias', 'dense_2/kernel', 'dense_2/bias']) expect(by[name].maxRelError, name).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('gradCheck: float32 models, sampling, frozen layers', () => {
  it('a float32 model is checked on a float64 copy and passes', async () => {
    const m = model(22, (s) => {
      s.add(layers.dense({ units: 8, inputShape: [D], activation: 'relu', kernelRegularizer: regularizers.l2(1e-3), ...bias }));
      s.add(layers.batchNorm());
      s.add(layers.dropout({ rate: 0.25 }));
      s.add(layers.dense({ units: C }));
    }, 'softmaxCrossEntropy', 'float32');
    const r = await gradCheck(m, x, labels);
    expect(r.perParam.map((p) => p.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'batch_norm_1/gamma', 'batch_norm_1/beta', 'dense_2/kernel', 'dense_2/bias']);
    expect(r.maxRelError).toBeLessThanOrEqual(TOL);
  });

  it('large tensors: `samples` distinct entries drawn by the seed (reproducible), small ones in full; frozen layers left out', async () => {
    const m = model(23, (s) => {
      s.add(layers.dense({ units: 40, inputShape: [50], activation: 'tanh', ...bias }));
      s.add(layers.dense({ units: 30, activation: 'tanh', ...bias }));
      s.add(layers.dense({ units: 3 }));
    });
    const xs = randn([5, 50], 8), ys = randLabels(5, 3, 9);
    const a = await gradCheck(m, xs, ys, { seed: 1, samples: 12 });
    expect(a.perParam.map((p) => p.checked)).toEqual([12, 12, 12, 12, 12, 3]);
    expect(a.maxRelError).toBeLessThanOrEqual(TOL);
    const again = await gradCheck(m, xs, ys, { seed: 1, samples: 12 });
    expect(again).toEqual(a);
    const other = await gradCheck(m, xs, ys, { seed: 2, samples: 12 });
    expect(other.perParam[0].worst!.index).not.toBe(a.perParam[0].worst!.index);
    m.layers[0].trainable = false;
    const frozen = await gradCheck(m, xs, ys, { samples: 12 });
    expect(frozen.perParam.map((p) => p.name)).toEqual(['dense_2/kernel', 'dense_2/bias', 'dense_3/kernel', 'dense_3/bias']);
  });
});

describe('gradCheck leaves the model as it was', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: weights, optimizer state and RNG streams (save() bytes) unchanged; trains on as an untouched twin`, async () => {
      const build = (s: Sequential) => {
        s.add(layers.dense({ units: 10, inputShape: [D], activation: 'relu', kernelRegularizer: regularizers.l2(1e-3) }));
        s.add(layers.dropout({ rate: 0.3 }));
        s.add(layers.batchNorm());
        s.add(layers.dense({ units: C }));
      };
      const m = model(24, build, 'softmaxCrossEntropy', dtype), twin = model(24, build, 'softmaxCrossEntropy', dtype);
      for (const t of [m, twin]) await t.fit(x, labels, { epochs: 2, batchSize: 4 }); // optimizer state, moved streams
      const before = m.save();
      await gradCheck(m, x, labels, { samples: 5 });
      const after = m.save();
      expect(after.topology).toEqual(before.topology);
      expectSameBits([after.weights], [before.weights], 'save() bytes');
      for (const t of [m, twin]) await t.fit(x, labels, { epochs: 2, batchSize: 4 });
      expectSameBits(m.getWeights().map((w) => w.data), twin.getWeights().map((w) => w.data), 'after training on');
    });
  }
});

describe('gradCheck: bad input', () => {
  const net = () => {
    const m = new Sequential({ seed: 1, dtype: 'float64' });
    m.add(layers.dense({ units: C, inputShape: [D] }));
    return m;
  };
  it('names the problem', async () => {
    await expect(gradCheck(net(), x, labels)).rejects.toThrow(/gradCheck: the model must be compiled first/);
    const m = net();
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    for (const epsilon of [NaN, Infinity, 0, -1e-5, '1e-5']) {
      await expect(gradCheck(m, x, labels, { epsilon: epsilon as number })).rejects.toThrow(/gradCheck: epsilon must be a finite number > 0/);
    }
    await expect(gradCheck(m, x, labels, { samples: 0 })).rejects.toThrow(/gradCheck samples must be a positive integer/);
    await expect(gradCheck(m, x, labels, { seed: -1 })).rejects.toThrow(/gradCheck: seed must be a non-negative integer/);
    await expect(gradCheck(m, x, labels, { floor: NaN })).rejects.toThrow(/gradCheck: floor must be/);
    await expect(gradCheck(m, x, labels, { epsilom: 1e-5 } as never)).rejects.toThrow(/unknown option 'epsilom' for gradCheck; did you mean 'epsilon'/);
    await expect(gradCheck({} as Sequential, x, labels)).rejects.toThrow(/gradCheck expects a model \(Sequential or Model\)/);
    await expect(gradCheck(m, randn([N, D + 1], 1), labels)).rejects.toThrow(/per-sample shape \[8\]/);
    await expect(gradCheck(m, x, randLabels(N, C + 3, 1).map((v) => v + C))).rejects.toThrow(/out of range/);
    m.dispose();
    await expect(gradCheck(m, x, labels)).rejects.toThrow(/gradCheck: model 'sequential' has been disposed/);
  });
});
