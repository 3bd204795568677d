// Whole training steps against PyTorch: tests/fixtures/torch_steps.json is written by
// tests/fixtures/gen_torch.py (Debian python3-torch). For each case: same initial weights,
// same batch, `steps` optimizer steps; losses before each step, final weights and outputs
// must agree.
import { describe, it, expect } from 'vitest';
import { expectTorchSteps, runTorchSteps } from './reference/torch-steps.js';
import { readFileSync } from 'node:fs';
import { Sequential, layers, optimizers, regularizers, tensor, type Layer } from '../src/index.js';

interface W { shape: number[]; data: number[] }
interface LayerSpec { type: string; units?: number; pieces?: number; activation?: string; alpha?: number; l2?: number }
interface Case {
  name: string; dtype: 'float32' | 'float64'; layers: LayerSpec[]; inputDim: number;
  loss: string; targets: 'labels' | 'onehot' | 'dense';
  optimizer: { name: keyof typeof optimizers; options: Record<string, unknown> };
  x: number[]; batch: number; y: number[]; initialWeights: W[]; steps: number;
  losses: number[]; finalWeights: W[]; outputs: number[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch_steps.json', import.meta.url), 'utf8')) as { cases: Case[] };

function toLayers(spec: LayerSpec): Layer[] {
  const reg = spec.l2 !== undefined ? regularizers.l2(spec.l2) : undefined;
  switch (spec.type) {
    case 'dense': {
      // a dense leakyRelu with a non-default slope is dense + leakyRelu({alpha}): same math
      if (spec.alpha !== undefined) {
        return [layers.dense({ units: spec.units!, kernelRegularizer: reg }), layers.leakyRelu({ alpha: spec.alpha })];
      }
      return [layers.dense({ units: spec.units!, activation: spec.activation as 'relu', kernelRegularizer: reg })];
    }
    case 'maxout': return [layers.maxout({ units: spec.units!, pieces: spec.pieces!, kernelRegularizer: reg })];
    case 'prelu': return [layers.prelu()];
    case 'leakyRelu': return [layers.leakyRelu(spec.alpha !== undefined ? { alpha: spec.alpha } : {})];
    case 'elu': return [layers.elu()];
    case 'relu': return [layers.relu()];
    case 'sigmoid': return [layers.sigmoid()];
    case 'tanh': return [layers.tanh()];
    default: throw new Error(`fixture layer type ${spec.type} not mapped`);
  }
}


describe('training steps agree with PyTorch', () => {
  it('has a substantial fixture', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixture.cases.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      // f64 agrees to rounding; f32 differs from torch in summation order and libm, a few ulps
      // per op, amplified over steps by adaptive optimizers' 1/sqrt(v).
      const [rtol, atol] = c.dtype === 'float64' ? [1e-9, 1e-12] : [3e-5, 3e-6];
      const m = new Sequential({ seed: 1, dtype: c.dtype });
      for (const l of c.layers.flatMap(toLayers)) m.add(l);
      m.build([c.inputDim]);
      const outDim = c.outputs.length / c.batch;
      const x = tensor(c.x, [c.batch, c.inputDim], c.dtype);
      const y = c.targets === 'labels' ? new Int32Array(c.y) : tensor(c.y, [c.batch, outDim], c.dtype);
      expectTorchSteps(runTorchSteps(m, c, c.loss, x, y), c, rtol, atol);
    });
  }
});
