// The one procedure every PyTorch golden suite (tests/torch.test.ts, tests/conv, tests/graph,
// tests/recurrent) applies to its fixture: the model gets the fixture's initial weights and
// optimizer, runs `steps` training steps on one batch, and its losses (before each step),
// final weights and outputs must agree with torch's within the suite's tolerance.
import { expect } from 'vitest';
import { optimizers, tensor, type Model, type Tensor } from '../../src/index.js';
import { expectAllClose } from './check.js';

export interface TorchWeights { shape: number[]; data: number[] }

export interface TorchSteps {
  dtype: 'float32' | 'float64';
  optimizer: { name: string; options: Record<string, unknown> };
  initialWeights: TorchWeights[];
  steps: number;
  losses: number[];
  finalWeights: TorchWeights[];
  outputs: number[];
}

export interface StepsResult { losses: number[]; weights: { shape: number[]; data: ArrayLike<number> }[]; outputs: ArrayLike<number> }

/** Compiles `m` with the case's optimizer and `loss`, sets its weights, trains `steps` steps on (x, y); disposes m. */
export function runTorchSteps(m: Model, c: TorchSteps, loss: string, x: Tensor, y: Tensor | Int32Array): StepsResult {
  try {
    const make = (optimizers as unknown as Record<string, (o: unknown) => ReturnType<typeof optimizers.sgd>>)[c.optimizer.name];
    m.compile({ optimizer: make(c.optimizer.options), loss: loss as 'mse' });
    m.setWeights(c.initialWeights.map((w) => tensor(w.data, w.shape, c.dtype)));
    const losses: number[] = [];
    for (let s = 0; s < c.steps; s++) losses.push(m.trainOnBatch(x, y));
    const weights = m.getWeights().map((w) => ({ shape: [...w.shape], data: w.data.slice() }));
    return { losses, weights, outputs: m.predict(x).data.slice() };
  } finally {
    m.dispose();
  }
}

/** Losses, final weights (shapes and values) and outputs within |a − e| ≤ atol + rtol·|e|. */
export function expectTorchSteps(r: StepsResult, c: TorchSteps, rtol: number, atol: number): void {
  expectAllClose(r.losses, c.losses, rtol, atol, 'losses');
  expect(r.weights.map((w) => w.shape), 'weight shapes').toEqual(c.finalWeights.map((w) => w.shape));
  r.weights.forEach((w, i) => expectAllClose(w.data, c.finalWeights[i].data, rtol, atol, `weight ${i} ${JSON.stringify(w.shape)}`));
  expectAllClose(r.outputs, c.outputs, rtol, atol, 'outputs');
}
