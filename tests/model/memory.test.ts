// model.memory(): every category against its formula (docs/ARCHITECTURE.md, "Memory"), and
// the total against what the arena actually handed out — nothing the model holds goes
// uncounted — and no growth of wasm memory or of the arena after the first steps.

import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { core } from '../../bindings/index.js';
import { Sequential, layers, optimizers } from '../../src/index.js';
import { randLabels, randn } from './helpers.js';

const align = (b: number) => Math.ceil(Math.max(b, 16) / 16) * 16;

describe('model.memory()', () => {
  it('matches the formula for an MLP with Adam, and accounts for every byte the arena gave the model', () => {
    const rt = core();
    const before = rt.arena.used;
    const [d, u, c, B] = [13, 9, 4, 24];
    const m = new Sequential({ seed: 2 });
    m.add(layers.dense({ units: u, activation: 'relu', inputShape: [d] }));
    m.add(layers.dense({ units: c, activation: 'softmax' }));
    m.compile({ optimizer: optimizers.adam(), loss: 'sparseCategoricalCrossentropy' });
    const x = randn([B, d], 4), y = randLabels(B, c, 5);
    m.trainOnBatch(x, y);
    const mem = m.memory();
    const es = 4;
    const weights = (d * u + u + u * c + c) * es;
    expect(mem.parameters).toBe(weights);
    expect(mem.gradients).toBe(weights);
    expect(mem.optimizer).toBe(5 * weights); // expAvg and expAvgSq, each double-buffered, and a spare copy
    // per Dense: output y [B, units] and input gradient dx [B, inputs]; the softmax output keeps its logits z too; the loss gradient [B, c]
    expect(mem.activations).toBe((B * u + B * d) * es + (2 * B * c + B * u) * es + B * c * es);
    // input [B, d], labels int32 [B], targets [B, c], sample weights [B]
    expect(mem.data).toBe((B * d + B + B * c + B) * es);
    const gemm = Math.max(...[[B, u, d], [d, u, B], [B, d, u], [B, c, u], [u, c, B], [B, u, c]].map(([a, b, k]) => rt.kernels.float32.gemmWorkBytes(a, b, k)));
    expect(mem.workspace).toBeGreaterThanOrEqual(gemm);
    expect(mem.total).toBe(mem.parameters + mem.gradients + mem.optimizer + mem.activations + mem.workspace + mem.data);
    // the arena rounds every block up to 16 bytes: the model's blocks, rounded, are what it holds
    const held = rt.arena.used - before;
    expect(held).toBeGreaterThanOrEqual(mem.total);
    expect(held - mem.total, 'bytes the arena gave the model that memory() does not count (beyond rounding)').toBeLessThan(16 * 64);
    m.dispose();
    expect(rt.arena.used).toBe(before);
  });

  it('after warm-up, steps grow neither wasm memory nor the arena', () => {
    const rt = core();
    const m = new Sequential({ seed: 3 });
    m.add(layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2] }));
    m.add(layers.batchNorm({}));
    m.add(layers.maxPool2d({ poolSize: 2 }));
    m.add(layers.flatten());
    m.add(layers.dropout({ rate: 0.3 }));
    m.add(layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ optimizer: optimizers.adamw(), loss: 'sparseCategoricalCrossentropy' });
    const x = randn([16, 9, 9, 2], 6), y = randLabels(16, 3, 7);
    m.trainOnBatch(x, y);
    const pages = rt.arena.memory.buffer.byteLength, used = rt.arena.used, mem = m.memory();
    for (let i = 0; i < 50; i++) m.trainOnBatch(x, y);
    expect(rt.arena.memory.buffer.byteLength).toBe(pages);
    expect(rt.arena.used).toBe(used);
    expect(m.memory()).toEqual(mem);
    m.dispose();
  });

  it('the JS heap does not grow with steps (trainOnBatch and fit)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const m = new Sequential({ seed: 5 });
    m.add(layers.dense({ units: 5, activation: 'relu', inputShape: [2] }));
    for (let i = 0; i < 8; i++) m.add(layers.dense({ units: 5, activation: 'relu' }));
    m.add(layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy' });
    const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Float32Array([0, 1, 1, 0]);
    // fit: one epoch of 20,000 batches (an epoch's history entry is data, not growth per step).
    // Warm-up runs both paths twice first: V8 compiles and optimizes them then, and that code
    // and its feedback live on the heap too.
    const xs = new Float32Array(80_000 * 2).map((_, i) => x[i % 8]), ys = new Float32Array(80_000).map((_, i) => y[i % 4]);
    for (let i = 0; i < 4000; i++) m.trainOnBatch(x, y);
    for (let i = 0; i < 2; i++) await m.fit(xs.subarray(0, 20_000 * 2), ys.subarray(0, 20_000), { epochs: 1, batchSize: 4 });
    gc(); gc();
    let before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 40_000; i++) m.trainOnBatch(x, y);
    gc(); gc();
    let grown = process.memoryUsage().heapUsed - before;
    // 8 bytes retained per step would be 320 kB
    expect(grown, `heap grew by ${grown} bytes over 40,000 trainOnBatch steps`).toBeLessThan(64 * 1024);
    before = process.memoryUsage().heapUsed;
    await m.fit(xs, ys, { epochs: 1, batchSize: 4 });
    gc(); gc();
    grown = process.memoryUsage().heapUsed - before;
    // 8 bytes retained per step would be 160 kB
    expect(grown, `heap grew by ${grown} bytes over a fit of 20,000 steps`).toBeLessThan(64 * 1024);
    m.dispose();
  });

  it('counts the datasets fit copies in while it runs', async () => {
    const m = new Sequential({ seed: 4 });
    m.add(layers.dense({ units: 3, activation: 'softmax', inputShape: [5] }));
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const n = 40, x = randn([n, 5], 8), y = randLabels(n, 3, 9);
    let during = 0, batchData = 0;
    await m.fit(x, y, { epochs: 1, batchSize: 8, callbacks: [{ onBatchEnd: () => { during = m.memory().data; } }] });
    batchData = m.memory().data;
    expect(during - batchData).toBe(n * 5 * 4 + n * 4 + n * 4); // x, labels, the shuffle order
    m.dispose();
  });
});
