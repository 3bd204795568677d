// Defects found in a review of the lifecycle/conventions work, each with the behaviour the
// old code had in a comment; every test here failed before its fix.
import { describe, expect, it } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Sequential, callbacks, io, layers, optimizers, tensor, type ModelArtifacts } from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf } from './helpers.js';

const N = 24, D = 5, C = 3;
const x = randn([N, D], 71);
const y = randLabels(N, C, 72);
const oneHot = tensor(Float64Array.from({ length: N * C }, (_, i) => (y[Math.floor(i / C)] === i % C ? 1 : 0)), [N, C], 'float64');
const used = () => runtime().arena.used;

function model(seed = 3, opt = optimizers.adam({ learningRate: 0.02 }), metrics: ('accuracy' | 'mae')[] = ['accuracy']): Sequential {
  const m = new Sequential({ seed, dtype: 'float64' });
  m.add(layers.dense({ units: 8, inputShape: [D], activation: 'tanh' }));
  m.add(layers.dropout({ rate: 0.2 }));
  m.add(layers.dense({ units: C }));
  m.compile({ optimizer: opt, loss: 'softmaxCrossEntropy', metrics });
  return m;
}

describe('review fixes', () => {
  it('metrics that need output-shaped targets refuse integer labels everywhere (old: validation, fitDataset and evaluateDataset read the label buffer as floats)', async () => {
    const m = model(3, optimizers.adam(), ['mae']);
    await expect(m.fit(x, oneHot, { validationData: [x, y] })).rejects.toThrow(/metric 'mae' needs targets shaped like the output/);
    await expect(m.fitDataset([{ xs: x, ys: y }])).rejects.toThrow(/metric 'mae' needs targets shaped like the output/);
    await expect(m.evaluateDataset([{ xs: x, ys: y }])).rejects.toThrow(/metric 'mae' needs targets shaped like the output/);
    m.dispose();
  });

  it('evaluate() from a callback leaves the epoch\'s training metrics alone (old: it reset them)', async () => {
    const a = model(4, optimizers.sgd({ learningRate: 0 }));
    const b = model(4, optimizers.sgd({ learningRate: 0 }));
    const ha = await a.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false });
    const hb = await b.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, callbacks: [callbacks.lambda({ onBatchEnd: (i) => { if (i === 2) b.evaluate(x, y); } })] });
    expect(hb.history.accuracy).toEqual(ha.history.accuracy);
    a.dispose(); b.dispose();
  });

  it('a checkpoint taken mid-fit resumes the run exactly (old: each epoch shuffled the previous epoch\'s order, which was not saved)', async () => {
    let ckpt: ModelArtifacts | null = null;
    const a = model(5);
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 5, callbacks: [callbacks.modelCheckpoint({ monitor: 'loss', save: (art, epoch) => { if (epoch === 0) ckpt = art; } })] });
    const b = await Sequential.load(ckpt!);
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 5 });
    expectSameBits([hb.history.loss], [ha.history.loss.slice(1)], 'epochs 2–3');
    expectSameBits(weightsOf(b), weightsOf(a), 'weights');
    a.dispose(); b.dispose();
  });

  it('a fit that runs out of memory before training leaves the model usable (old: its batch buffers were freed under it)', async () => {
    const m = model(6);
    const before = used();
    const failing = runtime().arena.transaction(() => m.fit(x, y, { epochs: 1 }), { bytes: 4096, what: 'a 4 KiB test budget' });
    await expect(failing).rejects.toThrow(/4 KiB test budget/);
    expect(used()).toBe(before);
    expect(m.predict(x).shape).toEqual([N, C]);
    const h = await m.fit(x, y, { epochs: 1 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    m.dispose();
  });

  it('one optimizer cannot be compiled into two models (old: the second compile was accepted and disposing one emptied the other)', () => {
    const opt = optimizers.adam();
    const a = model(7, opt);
    const b = new Sequential({ seed: 7 });
    b.add(layers.dense({ units: C, inputShape: [D] }));
    expect(() => b.compile({ optimizer: opt, loss: 'softmaxCrossEntropy' })).toThrow(/already used by another model/);
    a.dispose(); b.dispose();
  });

  it('a fit that fails on its data does not fix the input shape of an unbuilt model (old: it stayed built for the bad x)', async () => {
    const m = new Sequential({ seed: 8 });
    m.add(layers.dense({ units: C }));
    m.compile({ optimizer: 'sgd', loss: 'softmaxCrossEntropy' });
    await expect(m.fit([[1, 2, 3, 4, 5, 6]], [7])).rejects.toThrow(/label 7/);
    expect(m.built).toBe(false);
    expect(() => m.predict([[1, 2, 3], [4, 5, 6]])).not.toThrow();
    expect(m.inputShape).toEqual([3]);
    const n = new Sequential({ seed: 8 });
    n.add(layers.dense({ units: C }));
    expect(() => n.predict([[1, 2], [3]])).toThrow(/ragged/);
    expect(n.built).toBe(false);
    m.dispose(); n.dispose();
  });

  it('a compiled model with its head popped can be saved, listed and loaded (old: the loss check threw first)', async () => {
    const m = new Sequential({ seed: 9, dtype: 'float64' });
    m.add(layers.dense({ units: 6, inputShape: [D], activation: 'relu' }));
    m.add(layers.dense({ units: C, activation: 'softmax' }));
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(x, y, { epochs: 1 });
    m.pop();
    expect(m.trainableParams().map((p) => p.name)).toEqual(['dense_1/kernel', 'dense_1/bias']);
    expect(m.metrics).toEqual(['accuracy']);
    const back = await Sequential.load(m.save());
    expectSameBits([back.predict(x).data], [m.predict(x).data], 'backbone');
    back.add(layers.dense({ units: C, activation: 'softmax' }));
    back.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    expect(Number.isFinite((await back.fit(x, y)).history.loss[0])).toBe(true);
    m.dispose(); back.dispose();
  });

  it('an edited file with optimizer state but no inputShape is a clear Error (old: a TypeError)', async () => {
    const m = model(10);
    await m.fit(x, y, { epochs: 1 });
    const art = m.save();
    const t = JSON.parse(JSON.stringify(art.topology));
    t.inputShape = null;
    delete t.model.config.layers[0].config.inputShape;
    const keep = t.weightSpecs.findIndex((w: { name: string }) => w.name === 'optimizer/iterations');
    let off = 0;
    for (let i = 0; i < keep; i++) off += t.weightSpecs[i].shape.reduce((a: number, b: number) => a * b, 1) * (t.weightSpecs[i].dtype === 'float64' ? 8 : 4);
    const weights = art.weights.slice(off, off + 8);
    t.weightSpecs = [t.weightSpecs[keep]];
    t.weightsBytes = 8;
    const crc = io.fromBytes(io.toBytes({ topology: art.topology, weights: art.weights })); // (a valid file round trip, for contrast)
    expect(crc.weights.length).toBe(art.weights.length);
    t.weightsCrc32 = crc32hex(weights);
    const err = await Sequential.load({ topology: t, weights }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/no inputShape/);
    m.dispose();
  });

  it('null options are the defaults, and a null callback is named (old: TypeErrors)', async () => {
    const m = model(11);
    expect(m.predict(x, null as never).shape).toEqual([N, C]);
    expect(m.evaluate(x, y, null as never).loss).toBeGreaterThan(0);
    await expect(m.fit(x, y, { callbacks: [null as never] })).rejects.toThrow(/callbacks\[0\] must be a callback object/);
    expect(() => callbacks.earlyStopping(null as never)).not.toThrow();
    expect(() => io.toBytes(null as never)).toThrow(/toBytes expects model.save\(\) artifacts/);
    m.dispose();
  });
});

function crc32hex(bytes: Uint8Array): string {
  let c = ~0 >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ((~c) >>> 0).toString(16).padStart(8, '0');
}
