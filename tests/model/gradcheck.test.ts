// Gradient checks in float64: every layer's backward, every loss and the L2 term, compared
// with a numerical derivative of the loss with respect to each weight (docs/ARCHITECTURE.md: max
// relative error ≤ 1e-7).
//
// NOTE: the numerical derivative is the fourth-order central difference
//   f'(w) ≈ (8·(f(w+h) − f(w−h)) − (f(w+2h) − f(w−2h))) / 12h,
// truncation O(h⁴). The plain two-point difference has truncation h²·f‴/6 and round-off
// ≈ ε·|f|/h; for both to stay below 1e-7 of a gradient of size 1e-4 no h exists, and
// small gradients are common in these nets. With the four-point rule h = 1e-3 gives
// truncation ~1e-12 and round-off ~1e-13. Kinks (relu, maxout, the elu second derivative)
// are at distance ≫ 2h from every pre-activation for these seeds; a kink hit would show
// as one large error, not hide one.

import { describe, expect, it } from 'vitest';
import { Sequential, initializers, layers, regularizers, tensor, type Tensor } from '../../src/index.js';
import { maxAbs, randLabels, randn, weightsOf } from './helpers.js';

const TOL = 1e-7;
/** Below this both derivatives count as zero (an unused weight: exactly 0 analytically). */
const TINY = 1e-12;

type Targets = Tensor | Int32Array;

interface Check { maxRelErr: number; where: string; gradNorms: number[] }

/** Analytic gradients (computeGradients) vs. the numerical derivative of lossAt(). */
function gradCheck(model: Sequential, x: Tensor, y: Targets, h = 1e-3, lossAt = () => model.evaluate(x, y).loss): Check {
  const { grads } = model.computeGradients(x, y);
  const w = weightsOf(model);
  expect(grads.map((g) => g.shape)).toEqual(model.getWeights().map((t) => t.shape));
  let maxRelErr = 0;
  let where = '';
  for (let i = 0; i < w.length; i++) {
    for (let j = 0; j < w[i].length; j++) {
      const orig = w[i][j];
      const f = (d: number) => {
        w[i][j] = orig + d;
        model.setWeights(w);
        return lossAt();
      };
      const numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
      w[i][j] = orig;
      const analytic = grads[i].data[j];
      const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), TINY);
      if (err > maxRelErr) {
        maxRelErr = err;
        where = `weight ${i} [${j}]: analytic ${analytic}, numeric ${numeric}`;
      }
    }
  }
  model.setWeights(w);
  return { maxRelErr, where, gradNorms: grads.map((g) => maxAbs(g.data)) };
}

const N = 4;
const D = 6;
const C = 3;
const x = randn([N, D], 1);
const labels = randLabels(N, C, 2);

function model(seed: number, build: (m: Sequential) => void, loss = 'softmaxCrossEntropy'): Sequential {
  const m = new Sequential({ seed, dtype: 'float64' });
  build(m);
  m.compile({ optimizer: 'sgd', loss });
  return m;
}

/** Runs the check and asserts it, and that no weight tensor had an all-zero gradient. */
function expectGradientsMatch(m: Sequential, xs: Tensor, y: Targets, h?: number): void {
  const r = gradCheck(m, xs, y, h);
  expect(r.maxRelErr, r.where).toBeLessThanOrEqual(TOL);
  for (const [i, g] of r.gradNorms.entries()) expect(g, `gradient ${i} is all zero: the check would be vacuous`).toBeGreaterThan(0);
}

// Non-zero biases, so bias values matter in the forward pass as well.
const bias = () => initializers.randomNormal({ stddev: 0.3 });

describe('gradient check: dense with a fused activation', () => {
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu'] as const) {
    it(activation, () => {
      const m = model(11, (s) => {
        s.add(layers.dense({ units: 5, inputShape: [D], activation, biasInitializer: bias() }));
        s.add(layers.dense({ units: C, biasInitializer: bias() }));
      });
      expectGradientsMatch(m, x, labels);
    });
  }
});

describe('gradient check: standalone activation layers', () => {
  const cases: [string, () => ReturnType<typeof layers.relu>][] = [
    ['sigmoid', () => layers.sigmoid()],
    ['tanh', () => layers.tanh()],
    ['relu', () => layers.relu()],
    ['leakyRelu', () => layers.leakyRelu()],
    ['leakyRelu alpha 0.3', () => layers.leakyRelu({ alpha: 0.3 })],
    ['elu', () => layers.elu()],
    ['elu alpha 0.5', () => layers.elu({ alpha: 0.5 })],
  ];
  for (const [name, act] of cases) {
    it(name, () => {
      const m = model(12, (s) => {
        s.add(layers.dense({ units: 5, inputShape: [D], biasInitializer: bias() }));
        s.add(act());
        s.add(layers.dense({ units: C }));
      });
      expectGradientsMatch(m, x, labels);
    });
  }
});

describe('gradient check: layers with parameters and reshaping', () => {
  it('prelu, including the alpha gradient', () => {
    const m = model(13, (s) => {
      s.add(layers.dense({ units: 5, inputShape: [D], biasInitializer: bias() }));
      s.add(layers.prelu());
      s.add(layers.dense({ units: C }));
    });
    // alphas away from their initial 0.25 and different per channel
    const w = weightsOf(m);
    w[2] = Float64Array.from([0.1, -0.2, 0.4, 0.25, 0.7]);
    m.setWeights(w);
    expectGradientsMatch(m, x, labels);
  });

  it('prelu as the first layer (per-channel alpha over a [2, 3] input)', () => {
    const m = model(14, (s) => {
      s.add(layers.prelu({ inputShape: [2, 3] }));
      s.add(layers.flatten());
      s.add(layers.dense({ units: C }));
    });
    expect(m.getWeights()[0].shape).toEqual([3]);
    expectGradientsMatch(m, randn([N, 2, 3], 3), labels);
  });

  for (const pieces of [2, 3]) {
    it(`maxout with ${pieces} pieces`, () => {
      const m = model(15, (s) => {
        s.add(layers.maxout({ units: 4, pieces, inputShape: [D], biasInitializer: bias() }));
        s.add(layers.dense({ units: C }));
      });
      expect(m.getWeights()[0].shape).toEqual([D, 4, pieces]);
      expectGradientsMatch(m, x, labels);
    });
  }

  it('flatten of a [2, 3] input before dense', () => {
    const m = model(16, (s) => {
      s.add(layers.flatten({ inputShape: [2, 3] }));
      s.add(layers.dense({ units: 5, activation: 'tanh', biasInitializer: bias() }));
      s.add(layers.dense({ units: C }));
    });
    expectGradientsMatch(m, randn([N, 2, 3], 4), labels);
  });

  it('dense without bias', () => {
    const m = model(17, (s) => {
      s.add(layers.dense({ units: 5, inputShape: [D], activation: 'tanh', useBias: false }));
      s.add(layers.dense({ units: C, useBias: false }));
    });
    expect(m.getWeights().length).toBe(2);
    expectGradientsMatch(m, x, labels);
  });

  it('L2 regularizer on dense and maxout kernels', () => {
    const m = model(18, (s) => {
      s.add(layers.dense({ units: 5, inputShape: [D], activation: 'tanh', kernelRegularizer: regularizers.l2(0.1), biasInitializer: bias() }));
      s.add(layers.maxout({ units: 4, pieces: 2, kernelRegularizer: regularizers.l2(0.03) }));
      s.add(layers.dense({ units: C, kernelRegularizer: regularizers.l2(0.05) }));
    });
    expectGradientsMatch(m, x, labels);
  });
});

describe('gradient check: losses', () => {
  const net = (s: Sequential, out: number) => {
    s.add(layers.dense({ units: 5, inputShape: [D], activation: 'tanh', biasInitializer: bias() }));
    s.add(layers.dense({ units: out, biasInitializer: bias() }));
  };

  it('softmaxCrossEntropy with one-hot targets', () => {
    const oneHot = new Float64Array(N * C);
    labels.forEach((l, i) => { oneHot[i * C + l] = 1; });
    const m = model(21, (s) => net(s, C));
    expectGradientsMatch(m, x, tensor(oneHot, [N, C], 'float64'));
  });

  it('softmaxCrossEntropy with soft targets', () => {
    const soft = Float64Array.from([0.2, 0.5, 0.3, 1, 0, 0, 0.1, 0.1, 0.8, 0.6, 0.4, 0]);
    const m = model(22, (s) => net(s, C));
    expectGradientsMatch(m, x, tensor(soft, [N, C], 'float64'));
  });

  it('sigmoidCrossEntropy', () => {
    const t = Float64Array.from([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0]);
    const m = model(23, (s) => net(s, C), 'sigmoidCrossEntropy');
    expectGradientsMatch(m, x, tensor(t, [N, C], 'float64'));
  });

  it('mse', () => {
    const m = model(24, (s) => net(s, 2), 'mse');
    expectGradientsMatch(m, x, randn([N, 2], 5));
  });
});

describe('gradient check: deep stacks (3 hidden layers)', () => {
  it('tanh / relu / elu', () => {
    const m = model(31, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], activation: 'tanh', biasInitializer: bias() }));
      s.add(layers.dense({ units: 6, activation: 'relu', biasInitializer: bias() }));
      s.add(layers.dense({ units: 5, activation: 'elu', biasInitializer: bias() }));
      s.add(layers.dense({ units: C }));
    });
    expectGradientsMatch(m, x, labels);
  });

  it('prelu / maxout / sigmoid layers, L2, mse', () => {
    const m = model(32, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], biasInitializer: bias(), kernelRegularizer: regularizers.l2(0.01) }));
      s.add(layers.prelu());
      s.add(layers.maxout({ units: 5, pieces: 3, biasInitializer: bias() }));
      s.add(layers.dense({ units: 5, biasInitializer: bias() }));
      s.add(layers.sigmoid());
      s.add(layers.dense({ units: 2 }));
    }, 'mse');
    expectGradientsMatch(m, x, randn([N, 2], 6));
  });
});

describe('dropout backward', () => {
  const build = (rate: number | null) => (s: Sequential) => {
    s.add(layers.dense({ units: 6, inputShape: [D], activation: 'tanh', biasInitializer: bias() }));
    if (rate !== null) s.add(layers.dropout({ rate }));
    s.add(layers.dense({ units: C }));
  };

  it('rate 0 gives exactly the gradients of the same net without dropout', () => {
    const a = model(41, build(0)).computeGradients(x, labels);
    const b = model(41, build(null)).computeGradients(x, labels);
    expect(a.loss).toBe(b.loss);
    a.grads.forEach((g, i) => expect(Array.from(g.data)).toEqual(Array.from(b.grads[i].data)));
  });

  it('rate 0.5: deterministic per seed, and different from rate 0', () => {
    const a = model(42, build(0.5)).computeGradients(x, labels);
    const b = model(42, build(0.5)).computeGradients(x, labels);
    const none = model(42, build(0)).computeGradients(x, labels);
    expect(a.loss).toBe(b.loss);
    a.grads.forEach((g, i) => expect(Array.from(g.data)).toEqual(Array.from(b.grads[i].data)));
    expect(a.loss).not.toBe(none.loss);
    expect(Array.from(a.grads[2].data)).not.toEqual(Array.from(none.grads[2].data));
  });

  // computeGradients rewinds the dropout stream, so repeated calls see the same mask: the
  // training-mode loss is then a fixed function of the weights and can be differentiated.
  it('rate 0.4: gradients match finite differences of the training loss under a fixed mask', () => {
    const m = model(43, build(0.4));
    const train = () => m.computeGradients(x, labels).loss;
    expect(train()).toBe(train());
    expect(train()).not.toBe(m.evaluate(x, labels).loss);
    const r = gradCheck(m, x, labels, 1e-3, train);
    expect(r.maxRelErr, r.where).toBeLessThanOrEqual(TOL);
  });

  it('a dropped unit gets no kernel gradient; a kept one is scaled by 1/(1 − rate)', () => {
    // dense(6, tanh) → dropout → dense(1, no bias), mse, one sample: the gradient of the last
    // kernel is 2·(out − y)·h_j·m_j/(1 − rate) with dropout and 2·(out′ − y)·h_j without, so
    // their ratio is 0 for a dropped unit and ±√(loss/loss′)/(1 − rate) for a kept one.
    const x1 = randn([1, D], 7);
    const y1 = tensor(Float64Array.from([0.5]), [1, 1], 'float64');
    const rate = 0.5;
    const net = (r: number | null) => model(44, (s) => {
      s.add(layers.dense({ units: 6, inputShape: [D], activation: 'tanh', biasInitializer: bias() }));
      if (r !== null) s.add(layers.dropout({ rate: r }));
      s.add(layers.dense({ units: 1, useBias: false }));
    }, 'mse');
    const d = net(rate).computeGradients(x1, y1);
    const p = net(null).computeGradients(x1, y1);
    const ratios = Array.from(d.grads[2].data, (v, j) => v / p.grads[2].data[j]);
    const kept = ratios.filter((r) => r !== 0);
    expect(kept.length, `ratios ${ratios}`).toBeGreaterThan(0);
    expect(kept.length, `ratios ${ratios}`).toBeLessThan(6);
    const want = Math.sqrt(d.loss / p.loss) / (1 - rate);
    for (const r of kept) expect(Math.abs(Math.abs(r) - want) / want, `ratios ${ratios}`).toBeLessThan(1e-12);
    expect(new Set(kept.map(Math.sign)).size).toBe(1);
  });
});
