// Functional models against PyTorch: tests/fixtures/torch_graph_steps.json is written by
// tests/fixtures/gen_torch_graph.py (residual MLPs, branches merged by concatenate, a
// layer applied twice with every merge layer). Same graph, same initial weights, same
// batch: losses before each step, final weights and outputs must agree.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { expectTorchSteps, runTorchSteps } from '../reference/torch-steps.js';
import { Model, input, layers, tensor, type Layer, type SymbolicTensor } from '../../src/index.js';

interface W { shape: number[]; data: number[] }
interface NodeSpec { id: string; layer: string; type: string; units?: number; activation?: string; inputs: string[] }
interface Case {
  name: string; dtype: 'float32' | 'float64'; inputDim: number; batch: number; nodes: NodeSpec[];
  loss: string; optimizer: { name: string; options: Record<string, unknown> };
  x: number[]; y: number[]; initialWeights: W[]; steps: number; losses: number[]; finalWeights: W[]; outputs: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch_graph_steps.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** The fixture's graph in the functional API (a layer named twice is applied twice). */
export function buildGraph(nodes: NodeSpec[], inputDim: number, dtype: 'float32' | 'float64', seed = 1): Model {
  const made = new Map<string, Layer>();
  const t = new Map<string, SymbolicTensor>([['x', input({ shape: [inputDim] })]]);
  const make = (n: NodeSpec): Layer => {
    switch (n.type) {
      case 'dense': return layers.dense({ units: n.units!, activation: n.activation as 'relu', name: n.layer });
      case 'relu': return layers.relu({ name: n.layer });
      case 'concatenate': return layers.concatenate({ name: n.layer });
      default: return (layers as unknown as Record<string, (a: object) => Layer>)[n.type]({ name: n.layer });
    }
  };
  for (const n of nodes) {
    const layer = made.get(n.layer) ?? make(n);
    made.set(n.layer, layer);
    const xs = n.inputs.map((i) => t.get(i)!);
    t.set(n.id, layer.apply(xs.length === 1 ? xs[0] : xs));
  }
  return new Model({ inputs: t.get('x')!, outputs: t.get(nodes[nodes.length - 1].id)!, dtype, seed });
}

describe('functional models: training steps agree with PyTorch', () => {
  it('covers residual, concatenated branches, a shared layer and every merge layer in f32 and f64', () => {
    const types = new Set(fixture.cases.flatMap((c) => c.nodes.map((n) => n.type)));
    for (const t of ['add', 'subtract', 'multiply', 'average', 'maximum', 'concatenate']) expect(types.has(t), t).toBe(true);
    expect(fixture.cases.some((c) => new Set(c.nodes.map((n) => n.layer)).size < c.nodes.length)).toBe(true);
    expect(new Set(fixture.cases.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64']));
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const [rtol, atol] = c.dtype === 'float64' ? [1e-9, 1e-12] : [3e-5, 3e-6];
      const outDim = c.outputs.length / c.batch;
      const x = tensor(c.x, [c.batch, c.inputDim], c.dtype);
      const y = c.loss === 'softmaxCrossEntropy' ? new Int32Array(c.y) : tensor(c.y, [c.batch, outDim], c.dtype);
      expectTorchSteps(runTorchSteps(buildGraph(c.nodes, c.inputDim, c.dtype), c, c.loss, x, y), c, rtol, atol);
    });
  }
});
