// io.toOnnx against the real peer: every exported model is loaded by ONNX Runtime (the
// onnxruntime-web wasm backend, single-threaded in Node) and its outputs are compared with
// model.predict on random inputs, batch sizes 1 and 5, |ort − simdnet| ≤ 1e-4·max(1, |simdnet|).
// Each model is trained a few steps first so weights, biases, PReLU slopes and batch-norm
// moving statistics are not their initial values.

import { mkdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { Layer, Sequential, io, layers, optimizers, preprocess, tensor, type Tensor } from '../../src/index.js';
import type { WasmTensor } from '../../bindings/index.js';
import { randn } from '../model/helpers.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

type L = ReturnType<(typeof layers)[keyof typeof layers]>;

/** A model of these layers (the first gets the input shape), trained `steps` Adam steps on random mse targets. */
function trained(inputShape: number[], ls: L[], { steps = 4, dtype = 'float32', seed = 7 }: { steps?: number; dtype?: 'float32' | 'float64'; seed?: number } = {}): Sequential {
  const m = new Sequential({ seed, dtype });
  ls.forEach((l) => m.add(l));
  m.build(inputShape);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
  const n = 8;
  const x = randn([n, ...inputShape], seed + 1);
  const cols = m.outputShape!.reduce((a, b) => a * b, 1);
  const y = randn([n, cols], seed + 2);
  for (let i = 0; i < steps; i++) m.trainOnBatch(x, y);
  return m;
}

// ONNX_DUMP=<dir> also writes every model compared here to <dir>/<k>.onnx (for
// tests/fixtures/check_onnx.py, which runs the onnx package's checker, or for Netron)
const dump = process.env.ONNX_DUMP;
let dumped = 0;
const sessions = new WeakMap<Sequential, Promise<ort.InferenceSession>>();
const session = (m: Sequential) => {
  if (!sessions.has(m)) {
    const bytes = io.toOnnx(m);
    if (dump) { mkdirSync(dump, { recursive: true }); writeFileSync(`${dump}/${String(++dumped).padStart(3, '0')}.onnx`, bytes); }
    sessions.set(m, ort.InferenceSession.create(bytes));
  }
  return sessions.get(m)!;
};

/** ORT's outputs for x vs model.predict(x), batch sizes 1 and 5 (plus the shapes). */
async function expectSameOutputs(m: Sequential, { seed = 99, scale = 1.5, batches = [1, 5] } = {}): Promise<void> {
  const s = await session(m);
  expect(s.inputNames).toEqual(['input']);
  expect(s.outputNames).toEqual(['output']);
  for (const n of batches) {
    const shape = [n, ...m.inputShape!];
    const x = Float32Array.from(randn(shape, seed + n, scale).data);
    const want = m.predict(tensor(x, shape, 'float32')) as Tensor;
    const r = await s.run({ input: new ort.Tensor('float32', x, shape) });
    const got = r.output;
    expect(got.dims).toEqual([n, ...m.outputShape!]);
    expect(got.type).toBe('float32');
    const g = got.data as Float32Array;
    expect(g.length).toBe(want.data.length);
    let worst = 0;
    for (let i = 0; i < g.length; i++) {
      const b = want.data[i];
      const err = Math.abs(g[i] - b) / Math.max(1, Math.abs(b));
      if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
    }
    expect(worst, `batch ${n}: worst relative error`).toBeLessThanOrEqual(1e-4);
  }
}

// --- a minimal ModelProto reader, for structural checks (op types, opset, shapes) ---

type Fields = Map<number, (number | Uint8Array)[]>;
function parse(b: Uint8Array): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = () => { let v = 0, s = 1; for (;;) { const c = b[i++]; v += (c & 0x7f) * s; s *= 128; if (c < 0x80) return v; } };
  while (i < b.length) {
    const tag = varint();
    const field = Math.floor(tag / 8), wire = tag % 8;
    let v: number | Uint8Array;
    if (wire === 0) v = varint();
    else if (wire === 2) { const len = varint(); v = b.subarray(i, i + len); i += len; }
    else if (wire === 5) { v = new DataView(b.buffer, b.byteOffset + i, 4).getFloat32(0, true); i += 4; }
    else throw new Error(`wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
const str = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);
function structure(bytes: Uint8Array) {
  const model = parse(bytes);
  const graph = parse(model.get(7)![0] as Uint8Array);
  const opset = parse(model.get(8)![0] as Uint8Array);
  const dims = (vi: Uint8Array) => {
    const shape = parse(parse(parse(parse(vi).get(2)![0] as Uint8Array).get(1)![0] as Uint8Array).get(2)![0] as Uint8Array);
    return (shape.get(1) ?? []).map((d) => { const f = parse(d as Uint8Array); return f.has(2) ? str(f.get(2)![0]) : (f.get(1)![0] as number); });
  };
  return {
    irVersion: model.get(1)![0] as number,
    producer: str(model.get(2)![0]),
    opset: { domain: opset.has(1) ? str(opset.get(1)![0]) : '', version: opset.get(2)![0] as number },
    ops: (graph.get(1) ?? []).map((n) => str(parse(n as Uint8Array).get(4)![0])),
    initializers: (graph.get(5) ?? []).map((t) => str(parse(t as Uint8Array).get(8)![0])),
    input: dims(graph.get(11)![0] as Uint8Array),
    output: dims(graph.get(12)![0] as Uint8Array),
  };
}

describe('io.toOnnx: the file', () => {
  it('is a ModelProto (IR 8, opset 17) with input [N, …inputShape], output [N, …outputShape] and no Dropout', () => {
    const m = trained([6, 5, 2], [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), layers.batchNorm(), layers.dropout({ rate: 0.5 }), layers.flatten(), layers.dense({ units: 4 })]);
    const s = structure(io.toOnnx(m));
    expect(s.irVersion).toBe(8);
    expect(s.producer).toBe('simdnet');
    expect(s.opset).toEqual({ domain: '', version: 17 });
    expect(s.input).toEqual(['N', 6, 5, 2]);
    expect(s.output).toEqual(['N', 4]);
    expect(s.ops).toEqual(['Transpose', 'Conv', 'BatchNormalization', 'Transpose', 'Flatten', 'Gemm']);
    expect(s.initializers).toEqual(expect.arrayContaining(['conv2d_1/kernel', 'batch_norm_1/movingMean', 'batch_norm_1/movingVariance', 'dense_1/kernel']));
    m.dispose();
  });

  it('transposes to NCHW once for a chain of image ops and back for the output', () => {
    const m = trained([8, 8, 2], [layers.conv2d({ filters: 3, kernelSize: 3 }), layers.prelu(), layers.maxPool2d(), layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' })]);
    expect(structure(io.toOnnx(m)).ops).toEqual(['Transpose', 'Conv', 'PRelu', 'MaxPool', 'Conv', 'Tanh', 'Transpose']);
    m.dispose();
  });

  it('is built lazily when the input shape is declared (as getWeights), and is deterministic', () => {
    const m = new Sequential({ seed: 3 });
    m.add(layers.dense({ units: 2, inputShape: [3] }));
    expect(m.built).toBe(false);
    const a = io.toOnnx(m);
    expect(m.built).toBe(true);
    expect(io.toOnnx(m)).toEqual(a);
    m.dispose();
  });
});

describe('io.toOnnx matches model.predict in ONNX Runtime', () => {
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu'] as const) {
    it(`dense, activation ${activation}`, async () => {
      const m = trained([7], [layers.dense({ units: 5, activation }), layers.dense({ units: 3, activation, useBias: false })]);
      await expectSameOutputs(m);
      m.dispose();
    });
  }

  it('activation layers (sigmoid, tanh, relu, leakyRelu α 0.2, elu α 0.7) on vectors and images', async () => {
    const acts = () => [layers.sigmoid(), layers.tanh(), layers.relu(), layers.leakyRelu({ alpha: 0.2 }), layers.elu({ alpha: 0.7 })];
    for (const a of acts()) {
      const m = trained([6], [layers.dense({ units: 4 }), a, layers.dense({ units: 3 })]);
      await expectSameOutputs(m, { scale: 3 });
      m.dispose();
    }
    const m = trained([5, 4, 2], [layers.conv2d({ filters: 3, kernelSize: 2 }), ...acts(), layers.flatten(), layers.dense({ units: 2 })]);
    await expectSameOutputs(m, { scale: 3 });
    m.dispose();
  });

  it('conv2d: valid/same, strides, non-square kernels and strides, no bias, fused activations', async () => {
    const cases = [
      { kernelSize: 3, padding: 'valid' },
      { kernelSize: 3, padding: 'same' },
      { kernelSize: [2, 3], strides: 2, padding: 'same' }, // total pad odd on one axis: extra at bottom/right
      { kernelSize: [3, 2], strides: [2, 3], padding: 'same', activation: 'elu' },
      { kernelSize: 4, strides: 3, padding: 'same', activation: 'leakyRelu' },
      { kernelSize: [3, 1], strides: [1, 2], padding: 'valid', useBias: false, activation: 'sigmoid' },
      { kernelSize: 1, activation: 'relu' },
    ] as const;
    for (const c of cases) {
      const m = trained([9, 8, 3], [layers.conv2d({ filters: 4, ...(c as object) } as never), layers.flatten(), layers.dense({ units: 3 })]);
      await expectSameOutputs(m);
      m.dispose();
    }
  });

  it('pooling: maxPool2d and avgPool2d, valid/same, strides (same-padded average counts in-bounds positions only)', async () => {
    const cases = [
      {}, { padding: 'same' }, { poolSize: 3, strides: 2, padding: 'same' }, { poolSize: [3, 2], strides: [2, 1], padding: 'valid' },
      { poolSize: 2, strides: 3, padding: 'same' }, { poolSize: 3, strides: 1, padding: 'same' },
    ] as const;
    for (const c of cases) {
      for (const pool of [layers.maxPool2d, layers.avgPool2d]) {
        const m = trained([7, 9, 2], [layers.conv2d({ filters: 3, kernelSize: 1 }), pool(c as never), layers.flatten(), layers.dense({ units: 2 })]);
        await expectSameOutputs(m);
        m.dispose();
      }
    }
    // straight on the NHWC input, and an image output (transposed back to NHWC)
    const m = trained([6, 7, 3], [layers.avgPool2d({ poolSize: 2, strides: 2, padding: 'same' }), layers.maxPool2d({ poolSize: 2, strides: 1, padding: 'same' })], { steps: 0 });
    await expectSameOutputs(m);
    m.dispose();
  });

  it('globalAvgPool2d on the NHWC input and after a conv', async () => {
    for (const ls of [[layers.globalAvgPool2d(), layers.dense({ units: 2 })], [layers.conv2d({ filters: 4, kernelSize: 3 }), layers.globalAvgPool2d(), layers.dense({ units: 2 })]]) {
      const m = trained([5, 6, 3], ls);
      await expectSameOutputs(m);
      m.dispose();
    }
  });

  it('conv2d output (image) as the model output, NHWC', async () => {
    const m = trained([6, 6, 2], [layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })]);
    await expectSameOutputs(m);
    m.dispose();
  });

  it('batchNorm with its moving statistics: vectors, images (NHWC input and after conv), center/scale false, a custom epsilon', async () => {
    const bn = (a = {}) => layers.batchNorm({ momentum: 0.5, ...a });
    const models = [
      trained([6], [layers.dense({ units: 5 }), bn(), layers.dense({ units: 2 })]),
      trained([6], [bn({ center: false, scale: false, epsilon: 0.1 }), layers.dense({ units: 2 })]),
      trained([5, 4, 3], [bn(), layers.conv2d({ filters: 4, kernelSize: 2 }), bn({ scale: false }), layers.relu(), layers.flatten(), layers.dense({ units: 2 })]),
      trained([5, 4, 3], [bn({ center: false }), layers.flatten(), layers.dense({ units: 2 })]),
      trained([4, 3], [bn(), layers.flatten(), layers.dense({ units: 2 })]), // rank-3 input [N, 4, 3]
    ];
    for (const m of models) {
      const mean = m.getWeights().find((_, i) => m.params()[i].name.endsWith('movingMean'))!;
      expect(Array.from(mean.data).some((v) => v !== 0), 'moving statistics were trained').toBe(true);
      await expectSameOutputs(m);
      m.dispose();
    }
  });

  it('layerNorm, groupNorm, instanceNorm (vectors and images, either layout, center/scale false)', async () => {
    const models = [
      trained([6], [layers.dense({ units: 8 }), layers.layerNorm(), layers.dense({ units: 2 })]),
      trained([6], [layers.layerNorm({ center: false, scale: false, epsilon: 1e-5 }), layers.dense({ units: 2 })]),
      trained([6], [layers.dense({ units: 8 }), layers.groupNorm({ groups: 4 }), layers.dense({ units: 2 })]),
      trained([5, 4, 6], [layers.layerNorm(), layers.flatten(), layers.dense({ units: 2 })]), // NHWC
      trained([5, 4, 3], [layers.conv2d({ filters: 6, kernelSize: 2 }), layers.layerNorm({ center: false }), layers.flatten(), layers.dense({ units: 2 })]), // NCHW
      trained([5, 4, 6], [layers.groupNorm({ groups: 3 }), layers.flatten(), layers.dense({ units: 2 })]),
      trained([5, 4, 3], [layers.conv2d({ filters: 6, kernelSize: 2 }), layers.groupNorm({ groups: 2, scale: false }), layers.flatten(), layers.dense({ units: 2 })]),
      trained([5, 4, 3], [layers.instanceNorm(), layers.conv2d({ filters: 4, kernelSize: 2 }), layers.instanceNorm({ epsilon: 0.01 }), layers.flatten(), layers.dense({ units: 2 })]),
    ];
    for (const m of models) {
      await expectSameOutputs(m, { scale: 2 });
      m.dispose();
    }
  });

  it('prelu on vectors, on the NHWC input and on NCHW conv outputs', async () => {
    const models = [
      trained([6], [layers.dense({ units: 5 }), layers.prelu(), layers.dense({ units: 2 })]),
      trained([4, 5, 3], [layers.prelu(), layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), layers.prelu(), layers.flatten(), layers.dense({ units: 2 })]),
      trained([4, 3], [layers.prelu(), layers.flatten(), layers.dense({ units: 2 })]),
    ];
    for (const m of models) {
      expect(m.getWeights().some((w, i) => m.params()[i].name.endsWith('alpha') && Array.from(w.data).some((a) => Math.abs(a - 0.25) > 1e-6))).toBe(true);
      await expectSameOutputs(m, { scale: 2 });
      m.dispose();
    }
  });

  it('maxout, with and without bias', async () => {
    for (const useBias of [true, false]) {
      const m = trained([6], [layers.maxout({ units: 4, pieces: 3, useBias }), layers.maxout({ units: 2 })]);
      await expectSameOutputs(m);
      m.dispose();
    }
  });

  it('dropout and flatten alone (an Identity graph and a Flatten)', async () => {
    const a = trained([4], [layers.dropout({ rate: 0.3 })], { steps: 0 });
    expect(structure(io.toOnnx(a)).ops).toEqual(['Identity']);
    await expectSameOutputs(a);
    const b = trained([3, 2, 2], [layers.flatten()], { steps: 0 });
    expect(structure(io.toOnnx(b)).ops).toEqual(['Flatten']);
    await expectSameOutputs(b);
    a.dispose(); b.dispose();
  });

  it('CNN: conv same/valid + strides + batchNorm + relu + maxPool + avgPool + dropout + flatten + dense', async () => {
    const m = trained([12, 10, 3], [
      layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }),
      layers.batchNorm({ momentum: 0.5 }),
      layers.relu(),
      layers.maxPool2d({ poolSize: 2, padding: 'same' }),
      layers.conv2d({ filters: 8, kernelSize: [3, 2], strides: 2, padding: 'valid', activation: 'relu' }),
      layers.batchNorm({ momentum: 0.5 }),
      layers.avgPool2d({ poolSize: 2, strides: 1, padding: 'same' }),
      layers.dropout({ rate: 0.25 }),
      layers.flatten(),
      layers.dense({ units: 16, activation: 'relu' }),
      layers.dense({ units: 4 }),
    ], { steps: 6 });
    await expectSameOutputs(m);
    m.dispose();
  });

  it('MLP: dropout, prelu, elu, leakyRelu, layerNorm, maxout', async () => {
    const m = trained([10], [
      layers.dense({ units: 16, activation: 'elu' }),
      layers.dropout({ rate: 0.2 }),
      layers.prelu(),
      layers.layerNorm(),
      layers.dense({ units: 12, activation: 'leakyRelu' }),
      layers.maxout({ units: 8, pieces: 2 }),
      layers.elu({ alpha: 0.5 }),
      layers.dense({ units: 3 }),
    ], { steps: 6 });
    await expectSameOutputs(m);
    m.dispose();
  });

  it('a float64 model exports in float32 within the tolerance', async () => {
    const m = trained([7, 6, 2], [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      layers.batchNorm({ momentum: 0.5 }), layers.maxPool2d(), layers.flatten(), layers.dense({ units: 6, activation: 'sigmoid' }), layers.layerNorm(), layers.dense({ units: 2 }),
    ], { dtype: 'float64' });
    expect(m.dtype).toBe('float64');
    await expectSameOutputs(m);
    m.dispose();
  });

  it('softmax: fused on dense and conv, and as a layer on vectors and images (over channels, the last axis)', async () => {
    const models = [
      trained([6], [layers.dense({ units: 5, activation: 'relu' }), layers.dense({ units: 4, activation: 'softmax' })]),
      trained([6], [layers.dense({ units: 5 }), layers.softmax()]),
      trained([5, 4, 2], [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'softmax' })]),
      trained([5, 4, 2], [layers.conv2d({ filters: 3, kernelSize: 2 }), layers.softmax(), layers.flatten(), layers.dense({ units: 3 }), layers.softmax()]),
      trained([5, 4, 3], [layers.softmax(), layers.flatten(), layers.dense({ units: 2 })]), // NHWC input
    ];
    for (const m of models) {
      await expectSameOutputs(m, { scale: 3 });
      m.dispose();
    }
  });

  it('preprocessing layers: normalization (adapted), zeroCenter per channel, standardize per feature on images, pca with and without whitening', async () => {
    const img = randn([40, 4, 3, 2], 31, 2);
    const vec = randn([60, 6], 32, 3);
    const norm = layers.normalization();
    norm.adapt(vec);
    const cases: [number[], L[]][] = [
      [[6], [norm, layers.dense({ units: 3 })]],
      [[4, 3, 2], [layers.preprocess(preprocess.zeroCenter({ per: 'channel' }).fit(img)), layers.conv2d({ filters: 2, kernelSize: 2 })]],
      [[4, 3, 2], [layers.preprocess(preprocess.standardize({ per: 'feature' }).fit(img)), layers.flatten(), layers.dense({ units: 2 })]],
      [[6], [layers.preprocess(preprocess.pca({ components: 4 }).fit(vec)), layers.dense({ units: 2 })]],
      [[4, 3, 2], [layers.preprocess(preprocess.pca({ components: 5, whiten: true }).fit(img)), layers.dense({ units: 2 })]],
    ];
    for (const [shape, ls] of cases) {
      const m = trained(shape, ls);
      await expectSameOutputs(m, { scale: 2 });
      m.dispose();
    }
  });

  it('layers.activation({activation, alpha}) by name', async () => {
    const m = trained([6], [layers.dense({ units: 5 }), layers.activation({ activation: 'elu', alpha: 0.3 }), layers.activation({ activation: 'sigmoid' })]);
    expect(structure(io.toOnnx(m)).ops).toEqual(['Gemm', 'Elu', 'Sigmoid']);
    await expectSameOutputs(m, { scale: 3 });
    m.dispose();
  });
});

/** A layer simdnet can run but ONNX export does not know: the identity, under a custom class name. */
class Custom extends Layer {
  readonly className = 'Custom';
  private last: WasmTensor | null = null;
  constructor() { super({}, 'custom', []); }
  protected setup(s: number[]): number[] { return s.slice(); }
  protected allocateBuffers(): void {}
  get output(): WasmTensor | null { return this.last; }
  forward(x: WasmTensor): WasmTensor { return (this.last = x); }
  backward(dy: WasmTensor): WasmTensor { return dy; }
  protected layerConfig(): Record<string, unknown> { return {}; }
}

describe('io.toOnnx refuses', () => {
  it('a layer without an ONNX mapping, naming it', () => {
    const m = new Sequential({ seed: 1 });
    m.add(layers.dense({ units: 3, inputShape: [4] })).add(new Custom()).add(layers.dense({ units: 2 }));
    m.build();
    expect(() => io.toOnnx(m)).toThrow(/layer 'custom_1' \(Custom\) cannot be exported: no ONNX mapping/);
    m.dispose();
  });

  it('an unbuilt model (no input shape) and a model with no layers', () => {
    const m = new Sequential();
    expect(() => io.toOnnx(m)).toThrow(/not built/);
    m.add(layers.dense({ units: 2 }));
    expect(() => io.toOnnx(m)).toThrow(/not built/);
    m.dispose();
  });

  it('a disposed model and things that are not models', () => {
    const m = new Sequential();
    m.add(layers.dense({ units: 2, inputShape: [2] }));
    m.dispose();
    expect(() => io.toOnnx(m)).toThrow(/disposed/);
    expect(() => io.toOnnx({} as never)).toThrow(/expects a Sequential model/);
    expect(() => io.toOnnx(null as never)).toThrow(/expects a Sequential model/);
  });
});
