// Convolution, pooling and normalization against PyTorch: tests/fixtures/torch_conv_steps.json
// is written by tests/fixtures/gen_torch_conv.py (Debian python3-torch, numpy self-check; its
// docstring has the schema and how torch emulates TensorFlow's 'same' padding, the -inf max-pool
// padding, in-bounds-only average pooling and the Keras moving-statistics rule). For each case:
// same initial weights (moving statistics included), same batch, `steps` optimizer steps; the
// losses before each step, the final weights (updated moving statistics included) and predict()
// in inference mode must agree. Cases with steps 0 check batchNorm inference alone.
import { describe, it, expect } from 'vitest';
import { expectTorchSteps, runTorchSteps, type StepsResult } from '../reference/torch-steps.js';
import { readFileSync } from 'node:fs';
import { Sequential, layers, tensor, type Layer } from '../../src/index.js';

interface W { shape: number[]; data: number[] }
interface LayerSpec {
  type: string; filters?: number; kernelSize?: [number, number]; poolSize?: [number, number];
  strides?: [number, number]; padding?: 'valid' | 'same'; activation?: string; useBias?: boolean;
  units?: number; momentum?: number; epsilon?: number; groups?: number;
}
interface Case {
  name: string; dtype: 'float32' | 'float64'; inputShape: [number, number, number]; batch: number;
  layers: LayerSpec[]; loss: string; targets: 'labels';
  optimizer: { name: 'sgd' | 'adam'; options: Record<string, unknown> };
  x: number[]; y: number[]; initialWeights: W[]; steps: number;
  losses: number[]; finalWeights: W[]; outputs: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch_conv_steps.json', import.meta.url), 'utf8')) as { cases: Case[] };

function toLayer(s: LayerSpec): Layer {
  switch (s.type) {
    case 'conv2d':
      return layers.conv2d({
        filters: s.filters!, kernelSize: s.kernelSize!, strides: s.strides!, padding: s.padding!,
        activation: s.activation as 'relu', useBias: s.useBias!,
      });
    case 'maxPool2d': return layers.maxPool2d({ poolSize: s.poolSize!, strides: s.strides!, padding: s.padding! });
    case 'avgPool2d': return layers.avgPool2d({ poolSize: s.poolSize!, strides: s.strides!, padding: s.padding! });
    case 'globalAvgPool2d': return layers.globalAvgPool2d();
    case 'batchNorm': return layers.batchNorm({ momentum: s.momentum!, epsilon: s.epsilon! });
    case 'layerNorm': return layers.layerNorm({ epsilon: s.epsilon! });
    case 'instanceNorm': return layers.instanceNorm({ epsilon: s.epsilon! });
    case 'groupNorm': return layers.groupNorm({ groups: s.groups!, epsilon: s.epsilon! });
    case 'flatten': return layers.flatten();
    case 'dense': return layers.dense({ units: s.units!, activation: s.activation as 'relu' });
    case 'relu': return layers.relu();
    case 'tanh': return layers.tanh();
    default: throw new Error(`fixture layer type ${s.type} not mapped`);
  }
}


/** Runs one fixture case through the public API; returns what the test compares. */
function runCase(c: Case): StepsResult {
  const m = new Sequential({ seed: 1, dtype: c.dtype });
  for (const s of c.layers) m.add(toLayer(s));
  m.build(c.inputShape);
  const x = tensor(c.x, [c.batch, ...c.inputShape], c.dtype);
  return runTorchSteps(m, c, 'softmaxCrossEntropy', x, new Int32Array(c.y));
}

// float64 agrees with torch to rounding: the generator's numpy replay agrees to 2e-15, simdnet to
// 4e-15 absolute / 3e-13 relative (measured), so [1e-9, 1e-12] is loose yet exact enough to catch
// anything. float32: torch and simdnet sum conv/GEMM products, batch statistics (simdnet
// accumulates them in f64) and softmax in different orders, a few ulps (~6e-8 relative) per op;
// the norms' backward subtracts nearly equal terms and sgd momentum / adam carry differences over
// 3 steps. Measured worst: 1e-6 absolute, 3e-5 relative on values near 1e-3, i.e. ≤ 5% of the
// bound below. The bound is a bit looser than the MLP fixture's [3e-5, 3e-6] for those norm
// cancellations, and still ≥ 20× below every convention error the generator proves the fixture
// detects (padding side, max-pool padding value, avg-pool divisor, unbiased moving variance,
// batch statistics at inference: ≥ 1e-3 relative in cases of both dtypes).
const TOL = { float64: [1e-9, 1e-12], float32: [5e-5, 5e-6] } as const;

describe('conv / pool / norm training steps agree with PyTorch', () => {
  it('has the fixture cases', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(fixture.cases.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
    expect(fixture.cases.some((c) => c.steps === 0)).toBe(true);
  });

  it('simdnet norm defaults are the ones the fixture writes out (momentum 0.99, epsilon 1e-3)', () => {
    expect(layers.batchNorm().getConfig()).toMatchObject({ momentum: 0.99, epsilon: 1e-3 });
    expect(layers.layerNorm().getConfig()).toMatchObject({ epsilon: 1e-3 });
    expect(layers.instanceNorm().getConfig()).toMatchObject({ epsilon: 1e-3 });
    expect(layers.groupNorm({ groups: 2 }).getConfig()).toMatchObject({ epsilon: 1e-3 });
  });

  for (const c of fixture.cases) {
    it(c.name, () => expectTorchSteps(runCase(c), c, ...TOL[c.dtype]));
  }
});
