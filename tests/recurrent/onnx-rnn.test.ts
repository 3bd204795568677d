// io.toOnnx of the recurrent layers, embedding and reshape against the real peer: ONNX
// Runtime (onnxruntime-web, wasm backend, one thread) loads the file and must predict what
// model.predict does, batch sizes 1 and 5, |ort − simdnet| ≤ 1e-4·max(1, |simdnet|). Models
// are trained a few Adam steps first. LSTM gates are reordered to ONNX's i, o, f, c; GRU's
// resetAfter is ONNX's linear_before_reset (both variants checked).

import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { Sequential, io, layers, optimizers, tensor, type Tensor } from '../../src/index.js';
import { randn, uniformRng } from '../model/helpers.js';

beforeAll(() => { ort.env.wasm.numThreads = 1; });

type L = ReturnType<(typeof layers)[keyof typeof layers]>;

function tokens(shape: number[], vocab: number, seed: number): Float32Array {
  const u = uniformRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(u() * vocab));
}

function trained(inputShape: number[], ls: L[], x: (shape: number[], seed: number) => Float32Array): Sequential {
  const m = new Sequential({ seed: 7 });
  ls.forEach((l) => m.add(l));
  m.build(inputShape);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
  const shape = [8, ...inputShape];
  const y = randn([8, m.outputShape!.reduce((a, b) => a * b, 1)], 9);
  for (let i = 0; i < 4; i++) m.trainOnBatch(tensor(x(shape, 8), shape), tensor(Float32Array.from(y.data), y.shape as number[]));
  return m;
}

async function expectSameOutputs(m: Sequential, x: (shape: number[], seed: number) => Float32Array): Promise<void> {
  const s = await ort.InferenceSession.create(io.toOnnx(m));
  for (const n of [1, 5]) {
    const shape = [n, ...m.inputShape!];
    const data = x(shape, 100 + n);
    const want = m.predict(tensor(data, shape)) as Tensor;
    const got = (await s.run({ input: new ort.Tensor('float32', data, shape) })).output;
    expect(got.dims).toEqual([n, ...m.outputShape!]);
    const g = got.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - want.data[i]) / Math.max(1, Math.abs(want.data[i])));
    expect(worst, `batch ${n}: worst relative error`).toBeLessThanOrEqual(1e-4);
    expect(Math.max(...Array.from(want.data, Math.abs)), 'outputs are not all zero').toBeGreaterThan(1e-3);
  }
}

const normal = (shape: number[], seed: number) => Float32Array.from(randn(shape, seed).data);

describe('toOnnx: recurrent layers, embedding and reshape run the same in ONNX Runtime', () => {
  const cases: [string, number[], () => L[], (shape: number[], seed: number) => Float32Array][] = [
    ['LSTM (last state) → dense', [6, 3], () => [layers.lstm({ units: 5 }), layers.dense({ units: 2 })], normal],
    ['LSTM (sequences, no bias) → SimpleRNN → dense', [4, 2], () => [layers.lstm({ units: 3, returnSequences: true, useBias: false }), layers.simpleRNN({ units: 4 }), layers.dense({ units: 2 })], normal],
    ['GRU resetAfter true (sequences) → GRU resetAfter false → dense', [5, 3], () => [layers.gru({ units: 4, returnSequences: true }), layers.gru({ units: 3, resetAfter: false }), layers.dense({ units: 2 })], normal],
    ['embedding → reshape → LSTM → dense on tokens', [6], () => [layers.embedding({ inputDim: 9, outputDim: 4 }), layers.reshape({ targetShape: [3, 8] }), layers.lstm({ units: 3 }), layers.dense({ units: 2 })], (s, seed) => tokens(s, 9, seed)],
  ];
  for (const [name, input, make, x] of cases) {
    it(name, async () => {
      const m = trained(input, make(), x);
      await expectSameOutputs(m, x);
      m.dispose();
    });
  }

  it('a non-default activation is an Error naming the layer', () => {
    const m = new Sequential();
    m.add(layers.lstm({ units: 3, inputShape: [4, 2], activation: 'relu', name: 'r' }));
    m.build();
    expect(() => io.toOnnx(m)).toThrow(/layer 'r' \(LSTM\).*activation 'relu'/);
    m.dispose();
  });
});
