// Float64 gradient checks of the recurrent layers, embedding and reshape through the public
// API: computeGradients (backpropagation through time) vs the four-point central difference
// of the loss (tests/model/gradcheck.test.ts explains the rule and h = 1e-3), max relative
// error ≤ 1e-7. The input gradient dx of a recurrent layer is checked through the weights
// of a layer below it (dense → reshape → rnn, and stacked rnns), since only weights have
// gradients in the API. Units 5 and 3 (not multiples of 4), batch 3, timesteps 4 and 1.

import { describe, expect, it } from 'vitest';
import { Model, Sequential, initializers, input, layers, tensor, type Tensor } from '../../src/index.js';
import { maxAbs, randLabels, randn, uniformRng, weightsOf } from '../model/helpers.js';

const TOL = 1e-7;
/**
 * Gradients below this are held to TOL·TINY = 1e-12 absolute instead of relative: the
 * difference quotient's round-off is ≈ ε·|loss|/h ≈ 1e-13, so a gradient of 1e-6 (a deep
 * timestep of a stacked net) cannot be checked to 1e-7 relative by any h.
 */
const TINY = 1e-5;

function gradCheck(model: Sequential | Model, x: Tensor, y: Int32Array, h = 1e-3): { maxRelErr: number; where: string; gradNorms: number[] } {
  const { grads } = model.computeGradients(x, y);
  const w = weightsOf(model);
  let maxRelErr = 0;
  let where = '';
  for (let i = 0; i < w.length; i++) {
    for (let j = 0; j < w[i].length; j++) {
      const orig = w[i][j];
      const f = (d: number) => { w[i][j] = orig + d; model.setWeights(w); return model.evaluate(x, y).loss; };
      const numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
      w[i][j] = orig;
      const analytic = grads[i].data[j];
      const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), TINY);
      if (err > maxRelErr) { maxRelErr = err; where = `${model.params()[i].name} [${j}]: analytic ${analytic}, numeric ${numeric}`; }
    }
  }
  model.setWeights(w);
  return { maxRelErr, where, gradNorms: grads.map((g) => maxAbs(g.data)) };
}

const N = 3, T = 4, F = 3, C = 3;
const labels = randLabels(N, C, 7);
const bias = () => initializers.randomNormal({ stddev: 0.3 });

/** `zero`: names of weights whose gradient must be exactly 0 (the recurrent kernel when T = 1: h_0 = 0). */
function check(build: (m: Sequential) => void | Model, x: Tensor, seed = 5, zero: RegExp | null = null): void {
  const s = new Sequential({ seed, dtype: 'float64' });
  const m = build(s) ?? s;
  if (m !== s) s.dispose();
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const r = gradCheck(m, x, labels);
  expect(r.maxRelErr, r.where).toBeLessThanOrEqual(TOL);
  for (const [i, g] of r.gradNorms.entries()) {
    const name = m.params()[i].name;
    if (zero?.test(name)) expect(g, `${name}: h_0 = 0, so no gradient`).toBe(0);
    else expect(g, `gradient of ${name} is all zero: the check would be vacuous`).toBeGreaterThan(0);
  }
}

const rnns = {
  simpleRNN: (a: object) => layers.simpleRNN({ units: 5, biasInitializer: bias(), ...a }),
  lstm: (a: object) => layers.lstm({ units: 5, biasInitializer: bias(), ...a }),
  gru: (a: object) => layers.gru({ units: 5, biasInitializer: bias(), ...a }),
  'gru resetAfter false': (a: object) => layers.gru({ units: 5, resetAfter: false, biasInitializer: bias(), ...a }),
};

for (const [name, make] of Object.entries(rnns)) {
  describe(`gradient check: ${name}`, () => {
    it('last state (returnSequences false) → dense', () => {
      check((m) => { m.add(make({ inputShape: [T, F] })); m.add(layers.dense({ units: C, activation: 'softmax' })); }, randn([N, T, F], 1));
    });
    it('every state (returnSequences true) → flatten → dense', () => {
      check((m) => { m.add(make({ inputShape: [T, F], returnSequences: true })); m.add(layers.flatten()); m.add(layers.dense({ units: C, activation: 'softmax' })); }, randn([N, T, F], 2));
    });
    it('one timestep (T = 1: the recurrent kernel gets exactly no gradient)', () => {
      check((m) => { m.add(make({ inputShape: [1, F] })); m.add(layers.dense({ units: C, activation: 'softmax' })); }, randn([N, 1, F], 3), 5, /recurrent_kernel/);
    });
    it('dx: dense → reshape → rnn (the dense weights see the rnn input gradient), no bias, other activations', () => {
      const act = name === 'simpleRNN' ? { activation: 'sigmoid' } : { recurrentActivation: 'tanh', activation: 'sigmoid' };
      check((m) => {
        m.add(layers.dense({ units: T * 2, inputShape: [6], biasInitializer: bias() }));
        m.add(layers.reshape({ targetShape: [T, -1] }));
        m.add(make({ useBias: false, ...act }));
        m.add(layers.dense({ units: C, activation: 'softmax' }));
      }, randn([N, 6], 4));
    });
  });
}

describe('gradient check: stacked and embedded', () => {
  it('lstm (returnSequences) → gru (returnSequences) → simpleRNN → dense: each dx reaches the layer below', () => {
    check((m) => {
      m.add(layers.lstm({ units: 3, inputShape: [T, F], returnSequences: true, biasInitializer: bias() }));
      m.add(layers.gru({ units: 5, returnSequences: true, biasInitializer: bias() }));
      m.add(layers.simpleRNN({ units: 3, biasInitializer: bias() }));
      m.add(layers.dense({ units: C, activation: 'softmax' }));
    }, randn([N, T, F], 5));
  });

  it('embedding → lstm → dense on integer tokens (repeated tokens sum)', () => {
    const u = uniformRng(9);
    const tokens = tensor(Float64Array.from({ length: N * T }, () => Math.floor(u() * 6)), [N, T], 'float64');
    check((m) => {
      m.add(layers.embedding({ inputDim: 7, outputDim: 4, inputShape: [T] }));
      m.add(layers.lstm({ units: 5, biasInitializer: bias() }));
      m.add(layers.dense({ units: C, activation: 'softmax' }));
    }, tokens);
  });
});

describe('gradient check: recurrent layers in a functional Model', () => {
  it('one LSTM output feeding a GRU branch and a SimpleRNN branch (fan-out: their dx sum), concatenated', () => {
    check(() => {
      const inp = input({ shape: [T, F] });
      const seq = layers.lstm({ units: 4, returnSequences: true, biasInitializer: bias() }).apply(inp);
      const a = layers.gru({ units: 3, biasInitializer: bias() }).apply(seq);
      const b = layers.simpleRNN({ units: 5, biasInitializer: bias() }).apply(seq);
      const out = layers.dense({ units: C, activation: 'softmax' }).apply(layers.concatenate().apply([a, b]));
      return new Model({ inputs: inp, outputs: out, seed: 6, dtype: 'float64' });
    }, randn([N, T, F], 8));
  });
});
