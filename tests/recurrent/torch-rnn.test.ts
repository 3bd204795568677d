// SimpleRNN, LSTM and GRU training steps against PyTorch: tests/fixtures/torch_rnn_steps.json
// is written by tests/fixtures/gen_torch_rnn.py (Debian python3-torch), which trains torch's own
// nn.RNN / nn.LSTM / nn.GRU with the Keras weights mapped onto them (gate orders, the single
// LSTM bias, GRU's two biases; its docstring has the table) and checks that mapping against an
// independent Keras-formula implementation. For each case: same initial weights and batch,
// `steps` optimizer steps of rnn → [flatten] → dense(3) with softmax cross-entropy; the losses
// before each step, the final weights (in Keras layouts) and the final logits must agree.
// GRU resetAfter: false has no torch module: its cases train the generator's Keras-formula
// implementation with torch autograd (see the generator's docstring).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { expectTorchSteps, runTorchSteps, type StepsResult } from '../reference/torch-steps.js';
import { Sequential, layers, tensor } from '../../src/index.js';

interface W { shape: number[]; data: number[] }
interface Case {
  name: string; dtype: 'float32' | 'float64'; cell: 'simpleRNN' | 'lstm' | 'gru'; units: number; returnSequences: boolean; resetAfter?: boolean;
  inputShape: [number, number]; batch: number; classes: number;
  optimizer: { name: 'sgd' | 'adam'; options: Record<string, unknown> };
  x: number[]; y: number[]; initialWeights: W[]; steps: number; losses: number[]; finalWeights: W[]; outputs: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch_rnn_steps.json', import.meta.url), 'utf8')) as { cases: Case[] };

function runCase(c: Case): StepsResult {
  const m = new Sequential({ seed: 1, dtype: c.dtype });
  m.add(layers[c.cell]({ units: c.units, returnSequences: c.returnSequences, inputShape: c.inputShape, ...(c.resetAfter === false ? { resetAfter: false } : {}) }));
  if (c.returnSequences) m.add(layers.flatten());
  m.add(layers.dense({ units: c.classes }));
  const x = tensor(c.x, [c.batch, ...c.inputShape], c.dtype);
  return runTorchSteps(m, c, 'softmaxCrossEntropy', x, new Int32Array(c.y));
}

// float64: torch and simdnet differ by summation order and libm ulps only; measured worst
// 4.4e-16 absolute, 4.6e-14 relative (on values above 1e-3). float32: GEMM sums in different
// orders and musl vs torch's vectorized exp/tanh, carried through up to 12 timesteps and 4
// adam steps; measured worst 4.8e-7 absolute, 5.4e-6 relative, i.e. ≤ 1/5 of the bound below.
// The generator proves a wrong gate order or bias mapping moves the first loss by ≥ 6e-3
// relative, far above these bounds.
const TOL = { float64: [1e-9, 1e-12], float32: [5e-5, 5e-6] } as const;

describe('recurrent training steps agree with PyTorch (nn.RNN, nn.LSTM, nn.GRU)', () => {
  it('has the fixture cases for every cell and both dtypes', () => {
    expect(new Set(fixture.cases.map((c) => c.cell))).toEqual(new Set(['simpleRNN', 'lstm', 'gru']));
    expect(new Set(fixture.cases.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
    expect(fixture.cases.some((c) => c.returnSequences) && fixture.cases.some((c) => c.inputShape[0] === 1)).toBe(true);
    expect(new Set(fixture.cases.filter((c) => c.resetAfter === false).map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      expectTorchSteps(runCase(c), c, ...TOL[c.dtype]);
    });
  }
});
