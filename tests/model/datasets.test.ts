// fitDataset / evaluateDataset / predictOnBatch: batches from sync or async iterables,
// iterated afresh each epoch. The reference for every result is the array API on the same
// batches in the same order (fit with shuffle: false, trainOnBatch, evaluate, predict), which
// must give the same bits; memory is checked with the arena's live-byte count.

import { describe, expect, it } from 'vitest';
import { runtime } from '../../bindings/index.js';
import { Sequential, callbacks, layers, tensor, type Batch, type Tensor } from '../../src/index.js';
import { expectSameBits, randLabels, randn, weightsOf } from './helpers.js';

const D = 5;
const C = 3;
const N = 20;
const x = randn([N, D], 201);
const y = randLabels(N, C, 202);
const xv = randn([9, D], 203);
const yv = randLabels(9, C, 204);

function model(seed = 7, shaped = true): Sequential {
  const m = new Sequential({ seed });
  m.add(layers.dense({ units: 8, activation: 'relu', ...(shaped ? { inputShape: [D] } : {}) }));
  m.add(layers.dense({ units: C, activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Rows [from, to) of x (float32 tensor, as the model's dtype) and of the labels. */
function slice(xs: Tensor, ys: Int32Array, from: number, to: number): Batch {
  return { xs: tensor(Float32Array.from(xs.data.slice(from * D, to * D)), [to - from, D]), ys: ys.slice(from, to) };
}

/** Batch boundaries for consecutive sizes. */
function bounds(sizes: number[]): [number, number][] {
  let at = 0;
  return sizes.map((s) => [at, (at += s)]);
}

const syncDataset = (sizes: number[], xs = x, ys = y): Iterable<Batch> => ({
  *[Symbol.iterator]() { for (const [a, b] of bounds(sizes)) yield slice(xs, ys, a, b); },
});

const asyncDataset = (sizes: number[], xs = x, ys = y): AsyncIterable<Batch> => ({
  async *[Symbol.asyncIterator]() {
    for (const [a, b] of bounds(sizes)) {
      await new Promise((r) => setTimeout(r, 0));
      yield slice(xs, ys, a, b);
    }
  },
});

const batchSizes6 = [6, 6, 6, 2];

describe('fitDataset equals fit on the same batches', () => {
  for (const kind of ['sync', 'async'] as const) {
    it(`${kind} iterable: bit-identical weights, losses and metrics to fit(x, y, {shuffle: false, batchSize: 6})`, async () => {
      const a = model(), b = model();
      const ds = kind === 'sync' ? syncDataset(batchSizes6) : asyncDataset(batchSizes6);
      const ha = await a.fitDataset(ds, { epochs: 3 });
      const hb = await b.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false });
      expect(ha.epoch).toEqual([0, 1, 2]);
      expectSameBits([ha.loss, ha.accuracy, ha.history.learningRate], [hb.loss, hb.accuracy, hb.history.learningRate], 'history');
      expectSameBits(weightsOf(a), weightsOf(b), 'weights');
      expect(ha.loss[2]).toBeLessThan(ha.loss[0]); // it trained
    });
  }

  it('an unbuilt model (no inputShape) is built from the first batch', async () => {
    const a = model(8, false), b = model(8, false);
    const ha = await a.fitDataset(syncDataset(batchSizes6), { epochs: 2 });
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 6, shuffle: false });
    expectSameBits([ha.loss], [hb.loss], 'losses');
    expectSameBits(weightsOf(a), weightsOf(b), 'weights');
  });

  it('an unbuilt model trains on every batch of a one-shot iterator (array.values(), a generator object)', async () => {
    // the model used to be built from a throwaway first iteration, which consumed the first
    // batch of a one-shot iterator: array.values() (no return()) then silently skipped it
    const batches = bounds(batchSizes6).map(([a, b]) => slice(x, y, a, b));
    const ref = model(24);
    const hr = await ref.fitDataset(batches, { epochs: 1 });
    const a = model(24, false);
    let steps = 0;
    const ha = await a.fitDataset(batches.values(), { epochs: 1, callbacks: [callbacks.lambda({ onBatchEnd: () => { steps++; } })] });
    expect(steps).toBe(4);
    expectSameBits([ha.loss], [hr.loss], 'loss');
    expectSameBits(weightsOf(a), weightsOf(ref), 'weights');
    function* once() { yield* batches; }
    const g = model(24, false);
    const hg = await g.fitDataset(once(), { epochs: 1 });
    expectSameBits([hg.loss], [hr.loss], 'generator object');
  });

  it('an unbuilt model iterates a re-iterable dataset once per epoch (no extra pass) and closes what it opened', async () => {
    const c = { iterations: 0, returns: 0 };
    const counted = (sizes: number[]): Iterable<Batch> => ({
      [Symbol.iterator]() {
        c.iterations++;
        const inner = syncDataset(sizes)[Symbol.iterator]();
        return { next: () => inner.next(), return: () => { c.returns++; return { value: undefined, done: true }; } } as Iterator<Batch>;
      },
    });
    const a = model(25, false), b = model(25);
    await a.fitDataset(counted(batchSizes6), { epochs: 3 });
    await b.fitDataset(syncDataset(batchSizes6), { epochs: 3 });
    expect(c).toEqual({ iterations: 3, returns: 0 });
    expectSameBits(weightsOf(a), weightsOf(b), 'weights');
    // with batchesPerEpoch, every iteration is closed
    c.iterations = 0;
    await model(26, false).fitDataset(counted(batchSizes6), { epochs: 2, batchesPerEpoch: 2 });
    expect(c).toEqual({ iterations: 2, returns: 2 });
    // epochs: 0, and a fit refused at its start (a monitor it does not record), close the iteration that built the model
    c.iterations = 0; c.returns = 0;
    const h0 = await model(27, false).fitDataset(counted(batchSizes6), { epochs: 0 });
    expect(h0.epoch).toEqual([]);
    expect(c).toEqual({ iterations: 1, returns: 1 });
    await expect(model(27, false).fitDataset(counted(batchSizes6), { callbacks: [callbacks.earlyStopping()] })).rejects.toThrow(/valLoss/);
    expect(c).toEqual({ iterations: 2, returns: 2 });
  });

  it('batches of varying sizes: each is one step, as trainOnBatch', async () => {
    const sizes = [3, 7, 1, 5, 4];
    const a = model(9), b = model(9);
    const ha = await a.fitDataset(asyncDataset(sizes), { epochs: 2 });
    for (let e = 0; e < 2; e++) {
      let sum = 0;
      for (const [from, to] of bounds(sizes)) {
        const { xs, ys } = slice(x, y, from, to);
        sum += b.trainOnBatch(xs, ys) * (to - from);
      }
      expect(ha.loss[e]).toBe(sum / N);
    }
    expectSameBits(weightsOf(a), weightsOf(b), 'weights');
  });

  it('plain arrays and one-hot/dense targets work as batches', async () => {
    const r = new Sequential({ seed: 10 });
    r.add(layers.dense({ units: 2, inputShape: [D] }));
    r.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const t = randn([N, 2], 205);
    const rows = (a: ArrayLike<number>, w: number, from: number, to: number) => Array.from({ length: to - from }, (_, i) => Array.from(a).slice((from + i) * w, (from + i + 1) * w));
    const ds = { *[Symbol.iterator]() { for (const [a, b] of bounds([8, 8, 4])) yield { xs: rows(x.data, D, a, b), ys: rows(t.data, 2, a, b) }; } };
    const twin = new Sequential({ seed: 10 });
    twin.add(layers.dense({ units: 2, inputShape: [D] }));
    twin.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const ha = await r.fitDataset(ds, { epochs: 2 });
    const hb = await twin.fit(x, tensor(Float32Array.from(t.data), [N, 2]), { epochs: 2, batchSize: 8, shuffle: false });
    expectSameBits([ha.loss, ha.history.mae], [hb.loss, hb.history.mae], 'history');
    expectSameBits(weightsOf(r), weightsOf(twin), 'weights');
  });
});

describe('batchesPerEpoch', () => {
  /** A hand-written iterable that counts iterations, next() and return() calls. */
  function counted(sizes: number[]) {
    const c = { iterations: 0, nexts: 0, returns: 0 };
    const ds: Iterable<Batch> = {
      [Symbol.iterator]() {
        c.iterations++;
        let i = 0;
        const b = bounds(sizes);
        return {
          next: () => { c.nexts++; return i < b.length ? { value: slice(x, y, b[i][0], b[i++][1]), done: false } : { value: undefined, done: true }; },
          return: () => { c.returns++; return { value: undefined, done: true }; },
        } as Iterator<Batch>;
      },
    };
    return { ds, c };
  }

  it('limits each epoch to that many batches, closes the iterator (return()) and starts afresh', async () => {
    const { ds, c } = counted(batchSizes6);
    const a = model(11), b = model(11);
    let info: { batchesPerEpoch: number | null } | null = null;
    const h = await a.fitDataset(ds, { epochs: 3, batchesPerEpoch: 2, callbacks: [callbacks.lambda({ onTrainBegin: (i) => { info = i; } })] });
    expect(c).toEqual({ iterations: 3, nexts: 6, returns: 3 });
    expect(info!.batchesPerEpoch).toBe(2);
    // the same as training on the first two batches each epoch
    for (let e = 0; e < 3; e++) {
      const l0 = b.trainOnBatch(slice(x, y, 0, 6).xs, y.slice(0, 6));
      const l1 = b.trainOnBatch(slice(x, y, 6, 12).xs, y.slice(6, 12));
      expect(h.loss[e]).toBe((l0 * 6 + l1 * 6) / 12);
    }
    expectSameBits(weightsOf(a), weightsOf(b), 'weights');
  });

  it('without a limit the dataset runs to its end (no return() call) and batchesPerEpoch is null', async () => {
    const { ds, c } = counted(batchSizes6);
    let info: { batchesPerEpoch: number | null } | null = null;
    await model(12).fitDataset(ds, { epochs: 2, callbacks: [callbacks.lambda({ onTrainBegin: (i) => { info = i; } })] });
    expect(c).toEqual({ iterations: 2, nexts: 10, returns: 0 });
    expect(info!.batchesPerEpoch).toBeNull();
  });

  it('a limit larger than the dataset takes what there is', async () => {
    const { ds, c } = counted([10, 10]);
    const h = await model(13).fitDataset(ds, { epochs: 1, batchesPerEpoch: 5 });
    expect(h.epoch).toEqual([0]);
    expect(c.nexts).toBe(3);
  });

  it('stopTraining from a callback ends the epoch and closes the iterator', async () => {
    const { ds, c } = counted(batchSizes6);
    const m = model(14);
    let batches = 0;
    const h = await m.fitDataset(ds, { epochs: 3, callbacks: [callbacks.lambda({ onBatchEnd: () => { if (++batches === 2) m.stopTraining = true; } })] });
    expect(batches).toBe(2);
    expect(h.epoch).toEqual([0]);
    expect(c.returns).toBe(1);
  });
});

describe('memory', () => {
  const used = () => runtime().arena.used;

  it('fitDataset leaves the arena as it found it, whatever the number of batches', async () => {
    const m = model(15);
    const many = (k: number) => syncDataset(Array(k).fill(5), randn([5 * k, D], 206), randLabels(5 * k, C, 207));
    await m.fitDataset(many(2), { epochs: 1 }); // allocates the optimizer state and the batch buffers
    const before = used();
    await m.fitDataset(many(4), { epochs: 2 });
    expect(used()).toBe(before);
    await m.fitDataset(many(60), { epochs: 1 });
    expect(used()).toBe(before);
    // with validation data (arrays are copied in for the fit and freed; a dataset is streamed)
    await m.fitDataset(many(4), { epochs: 2, validationData: [xv, yv] });
    expect(used()).toBe(before);
    await m.fitDataset(many(4), { epochs: 2, validationData: many(3) });
    expect(used()).toBe(before);
    await m.evaluateDataset(many(30));
    expect(used()).toBe(before);
    // a failing fit frees what it took too
    const bad = { *[Symbol.iterator]() { yield slice(x, y, 0, 5); yield { xs: randn([5, D + 1], 208), ys: y.slice(0, 5) }; } };
    await expect(m.fitDataset(bad, { epochs: 1, validationData: [xv, yv] })).rejects.toThrow();
    expect(used()).toBe(before);
  });
});

describe('validation, evaluateDataset, predictOnBatch', () => {
  it('validationData as arrays and as a dataset: valLoss/valAccuracy equal evaluate on the same data', async () => {
    for (const val of ['arrays', 'dataset'] as const) {
      const m = model(16);
      const h = await m.fitDataset(syncDataset(batchSizes6), {
        epochs: 2,
        validationData: val === 'arrays' ? [xv, yv] : asyncDataset([4, 5], xv, yv),
      });
      const e = m.evaluate(xv, yv);
      expect(Math.abs(h.valLoss[1] - e.loss) / e.loss, val).toBeLessThanOrEqual(1e-6);
      expect(h.valAccuracy[1], val).toBe(e.accuracy);
      expect(Object.keys(h.history).filter((k) => h.history[k].length).sort()).toEqual(['accuracy', 'learningRate', 'loss', 'valAccuracy', 'valLoss']);
      // and the same as fit's validation of the same arrays
      const twin = model(16);
      const ht = await twin.fit(x, y, { epochs: 2, batchSize: 6, shuffle: false, validationData: [xv, yv] });
      expect(Math.abs(h.valLoss[1] - ht.valLoss[1]) / ht.valLoss[1], val).toBeLessThanOrEqual(1e-6);
    }
  });

  it('evaluateDataset equals evaluate over the same samples (and {batches} limits them)', async () => {
    const m = model(17);
    await m.fit(x, y, { epochs: 2, batchSize: 5 });
    const all = await m.evaluateDataset(syncDataset([4, 4, 4, 4, 4]));
    const want = m.evaluate(x, y, { batchSize: 4 });
    expect(all).toEqual(want);
    const a2 = await m.evaluateDataset(asyncDataset([4, 4, 4, 4, 4]), { batches: 2 });
    const w2 = m.evaluate(slice(x, y, 0, 8).xs, y.slice(0, 8), { batchSize: 4 });
    expect(a2).toEqual(w2);
    expect(a2.loss).not.toBe(all.loss);
    expect(Object.keys(all).sort()).toEqual(['accuracy', 'loss']);
  });

  it('predictOnBatch equals predict', () => {
    const m = model(18);
    const big = randn([300, D], 209);
    const p = m.predict(big);
    const q = m.predictOnBatch(big);
    expect(q.shape).toEqual([300, C]);
    expectSameBits([q.data], [p.data], 'outputs');
    expectSameBits([m.predictOnBatch(slice(big, new Int32Array(300), 10, 13).xs).data], [p.data.slice(10 * C, 13 * C)], 'a 3-row batch');
  });
});

describe('bad datasets are Errors', () => {
  it('a batch with the wrong feature size names the epoch and the batch', async () => {
    const sizes = batchSizes6;
    let epoch = 0;
    const ds = {
      *[Symbol.iterator]() {
        epoch++;
        for (const [i, [a, b]] of bounds(sizes).entries()) {
          if (epoch === 2 && i === 2) yield { xs: randn([b - a, D + 1], 210), ys: y.slice(a, b) };
          else yield slice(x, y, a, b);
        }
      },
    };
    await expect(model(19).fitDataset(ds, { epochs: 3 })).rejects.toThrow(/epoch 2, batch 3 xs .*feature size 6.*5/);
  });

  it('labels out of range and NaN inputs name the batch too', async () => {
    const ds = { *[Symbol.iterator]() { yield slice(x, y, 0, 6); yield { xs: slice(x, y, 6, 12).xs, ys: Int32Array.from([0, 1, 2, 3, 0, 1]) }; } };
    await expect(model(20).fitDataset(ds)).rejects.toThrow(/epoch 1, batch 2 ys label 3 .*out of range/);
    const nan = slice(x, y, 0, 6);
    (nan.xs as Tensor).data[7] = Number.NaN;
    await expect(model(20).fitDataset([slice(x, y, 0, 6), nan])).rejects.toThrow(/NaN/);
  });

  it('a dataset that yields nothing; a single-use generator in a second epoch', async () => {
    await expect(model(21).fitDataset([], { epochs: 1 })).rejects.toThrow(/yielded no batches in epoch 1/);
    // a generator object is iterable once: the second epoch gets nothing, which is named
    function* once() { yield slice(x, y, 0, 6); }
    await expect(model(21).fitDataset(once(), { epochs: 2 })).rejects.toThrow(/yielded no batches in epoch 2.*afresh/);
    await expect(model(21).evaluateDataset([])).rejects.toThrow(/evaluateDataset dataset yielded no samples/);
    await expect(model(21).fitDataset(syncDataset(batchSizes6), { validationData: [] as unknown as Iterable<Batch> })).rejects.toThrow(/validationData/);
    await expect(model(21).fitDataset(syncDataset(batchSizes6), { validationData: (function* () {})() })).rejects.toThrow(/validationData yielded no samples/);
  });

  it('a non-iterable, and batches that are not {xs, ys}', async () => {
    for (const bad of [{}, null, 42, { xs: x, ys: y }]) {
      await expect(model(22).fitDataset(bad as never)).rejects.toThrow(/must be an iterable or async iterable of \{xs, ys\} batches/);
    }
    await expect(model(22).evaluateDataset({} as never)).rejects.toThrow(/iterable/);
    await expect(model(22).fitDataset([{ xs: x }] as never)).rejects.toThrow(/epoch 1, batch 1: a dataset must yield \{xs, ys\}/);
    await expect(model(22).fitDataset([[x, y]] as never)).rejects.toThrow(/must yield \{xs, ys\}/);
    await expect(model(22).fitDataset([{ xs: x, ys: undefined }] as never)).rejects.toThrow(/ys/);
  });

  it('bad options; an error thrown by the dataset propagates and leaves the model usable', async () => {
    const m = model(23);
    await expect(m.fitDataset(syncDataset(batchSizes6), { batchesPerEpoch: 0 })).rejects.toThrow(/batchesPerEpoch/);
    await expect(m.fitDataset(syncDataset(batchSizes6), { batchSize: 4 } as never)).rejects.toThrow(/unknown option 'batchSize' for fitDataset/);
    await expect(m.evaluateDataset(syncDataset(batchSizes6), { batches: -1 })).rejects.toThrow(/batches/);
    const failing = { async *[Symbol.asyncIterator]() { yield slice(x, y, 0, 6); throw new Error('disk on fire'); } };
    await expect(m.fitDataset(failing)).rejects.toThrow(/disk on fire/);
    const h = await m.fitDataset(syncDataset(batchSizes6));
    expect(h.epoch).toEqual([0]);
  });
});
