// Callbacks: earlyStopping, reduceLROnPlateau, modelCheckpoint, lambda.
//
// The training runs are built so that what a callback should do is known in advance:
//  - "slope": one weight w (y = w·x, mse, full-batch SGD from w = 0) trained towards slope 2
//    while the validation data has slope 1: the validation loss (w − 1)²·mean(x²) falls
//    until w passes 1 and rises after, and the whole trajectory is a two-line JS recurrence;
//  - a learning rate set to 0 (or ~0) makes the monitored value stop changing at a chosen
//    epoch.

import { describe, expect, it } from 'vitest';
import { Sequential, callbacks, initializers, layers, optimizers, schedules, tensor, type Callback, type Logs, type Tensor } from '../../src/index.js';
import { expectSameBits, randn, weightsOf } from './helpers.js';

const N = 16;
const xs = tensor(Float64Array.from({ length: N }, (_, i) => -1 + (2 * i) / (N - 1)), [N, 1], 'float64');
const yTrain = tensor(Float64Array.from(xs.data, (v) => 2 * v), [N, 1], 'float64');
const yVal = tensor(Float64Array.from(xs.data, (v) => 1 * v), [N, 1], 'float64');
const meanSq = Array.from(xs.data).reduce((s, v) => s + v * v, 0) / N;
const LR = 0.2;

function slopeModel(lr = LR, metrics: string[] = []): Sequential {
  const m = new Sequential({ seed: 1, dtype: 'float64' });
  m.add(layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: initializers.zeros() }));
  m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'mse', metrics: metrics as 'mae'[] });
  return m;
}

/** JS float64 trajectory of the slope model: valLoss after each epoch. */
function slopeValLosses(epochs: number, lr = LR): number[] {
  let w = 0;
  const out: number[] = [];
  for (let e = 0; e < epochs; e++) {
    w -= lr * 2 * meanSq * (w - 2); // d/dw mean((w·x − 2x)²)
    out.push((w - 1) ** 2 * meanSq);
  }
  return out;
}

const argmin = (a: number[]) => a.reduce((best, v, i) => (v < a[best] ? i : best), 0);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** A lambda that snapshots the weights at every epoch end. */
function snapshots(model: Sequential): { cb: Callback; at: Float64Array[][] } {
  const at: Float64Array[][] = [];
  return { at, cb: callbacks.lambda({ onEpochEnd: (e) => { at[e] = weightsOf(model); } }) };
}

describe('earlyStopping', () => {
  it('the slope run: valLoss follows the JS trajectory (the fixture is what it claims)', async () => {
    const m = slopeModel();
    const h = await m.fit(xs, yTrain, { epochs: 12, batchSize: N, validationData: [xs, yVal] });
    const want = slopeValLosses(12);
    h.valLoss.forEach((v, e) => expect(rel(v, want[e]), `epoch ${e}`).toBeLessThan(1e-10));
    const best = argmin(want);
    expect(best).toBeGreaterThan(1);
    expect(best).toBeLessThan(9);
  });

  for (const patience of [1, 2, 4]) {
    it(`patience ${patience}: stops ${patience} epochs after the best valLoss; restoreBestWeights puts the best epoch back`, async () => {
      const m = slopeModel();
      const snap = snapshots(m);
      const h = await m.fit(xs, yTrain, {
        epochs: 30, batchSize: N, validationData: [xs, yVal],
        callbacks: [snap.cb, callbacks.earlyStopping({ monitor: 'valLoss', patience, restoreBestWeights: true })],
      });
      const best = argmin(slopeValLosses(30));
      expect(h.epoch.length).toBe(best + patience + 1);
      expect(argmin(h.valLoss)).toBe(best);
      // the restored weights are the snapshot of the best epoch, not the last one
      expectSameBits(weightsOf(m), snap.at[best], 'restored weights');
      expect(weightsOf(m)[0][0]).not.toBe(snap.at[snap.at.length - 1][0][0]);
      const ev = m.evaluate(xs, yVal);
      expect(rel(ev.loss, Math.min(...h.valLoss))).toBeLessThanOrEqual(1e-6);
    });
  }

  it('without restoreBestWeights the model keeps its last weights', async () => {
    const m = slopeModel();
    const snap = snapshots(m);
    const h = await m.fit(xs, yTrain, { epochs: 30, batchSize: N, validationData: [xs, yVal], callbacks: [snap.cb, callbacks.earlyStopping({ patience: 2 })] });
    expect(h.epoch.length).toBe(argmin(slopeValLosses(30)) + 3);
    expectSameBits(weightsOf(m), snap.at[h.epoch.length - 1], 'last weights');
  });

  it('a value that stops changing (learning rate set to 0 by a lambda) counts as no improvement', async () => {
    const m = slopeModel();
    const stall = callbacks.lambda({ onEpochEnd: (e) => { if (e === 2) m.optimizer!.setLearningRate(0); } });
    const h = await m.fit(xs, yTrain, { epochs: 20, batchSize: N, validationData: [xs, yTrain], callbacks: [stall, callbacks.earlyStopping({ patience: 3 })] });
    // epochs 0-2 improve, 3, 4, 5 repeat epoch 2's value exactly
    expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h.valLoss[3]).toBe(h.valLoss[2]);
    expect(h.valLoss[1]).toBeLessThan(h.valLoss[0]);
    expect(h.valLoss[2]).toBeLessThan(h.valLoss[1]);
  });

  it("mode 'max' on a falling loss stops after 1 + patience epochs; minDelta larger than every change does too", async () => {
    let h = await slopeModel().fit(xs, yTrain, { epochs: 20, batchSize: N, callbacks: [callbacks.earlyStopping({ monitor: 'loss', mode: 'max', patience: 3 })] });
    expect(h.epoch.length).toBe(4);
    expect(h.loss[1]).toBeLessThan(h.loss[0]);
    h = await slopeModel().fit(xs, yTrain, { epochs: 20, batchSize: N, callbacks: [callbacks.earlyStopping({ monitor: 'loss', minDelta: 100, patience: 2 })] });
    expect(h.epoch.length).toBe(3);
    // 'auto' minimizes a loss: without minDelta the falling loss never stops training
    h = await slopeModel().fit(xs, yTrain, { epochs: 8, batchSize: N, callbacks: [callbacks.earlyStopping({ monitor: 'loss', patience: 1 })] });
    expect(h.epoch.length).toBe(8);
  });

  it("'auto' maximizes an accuracy", async () => {
    // accuracy on a fixed validation set of a model that does not learn (lr 0): constant, so
    // with max mode it stops after 1 + patience epochs; with min mode the same
    const m = new Sequential({ seed: 2 });
    m.add(layers.dense({ units: 3, inputShape: [4] }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const x4 = randn([12, 4], 3);
    const l = Int32Array.from({ length: 12 }, (_, i) => i % 3);
    const h = await m.fit(x4, l, { epochs: 10, batchSize: 12, callbacks: [callbacks.earlyStopping({ monitor: 'accuracy', patience: 2 })] });
    expect(h.epoch.length).toBe(3);
    // a monitor whose name says 'acc' improves upwards: modelCheckpoint({saveBestOnly}) saves
    // at each new maximum of a rising accuracy (not at each new minimum)
    const up = new Sequential({ seed: 2 });
    up.add(layers.dense({ units: 3, inputShape: [4] }));
    up.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
    const saved: number[] = [];
    const h2 = await up.fit(x4, l, { epochs: 15, batchSize: 12, callbacks: [callbacks.modelCheckpoint({ monitor: 'accuracy', saveBestOnly: true, save: (_a, e) => { saved.push(e); } })] });
    const record = (better: (a: number, b: number) => boolean) => {
      const out: number[] = [];
      let best = Number.NaN;
      h2.accuracy.forEach((v, e) => { if (e === 0 || better(v, best)) { best = v; out.push(e); } });
      return out;
    };
    expect(saved).toEqual(record((a, b) => a > b));
    expect(saved).not.toEqual(record((a, b) => a < b)); // the run tells the two modes apart
  });

  it('baseline: stops after patience epochs that do not beat it; a baseline that is beaten changes nothing', async () => {
    let h = await slopeModel().fit(xs, yTrain, { epochs: 20, batchSize: N, validationData: [xs, yTrain], callbacks: [callbacks.earlyStopping({ baseline: 0, patience: 3 })] });
    expect(h.epoch.length).toBe(3);
    expect(h.valLoss[2]).toBeLessThan(h.valLoss[0]); // it was improving, but never beat the baseline
    h = await slopeModel().fit(xs, yTrain, { epochs: 6, batchSize: N, validationData: [xs, yTrain], callbacks: [callbacks.earlyStopping({ baseline: 1e9, patience: 1 })] });
    expect(h.epoch.length).toBe(6);
    // a baseline between the values of epochs 1 and 2: epochs 0 and 1 wait, epoch 2 beats it
    const v = h.valLoss;
    const baseline = (v[1] + v[2]) / 2;
    h = await slopeModel().fit(xs, yTrain, { epochs: 8, batchSize: N, validationData: [xs, yTrain], callbacks: [callbacks.earlyStopping({ baseline, patience: 2 })] });
    expect(h.epoch.length).toBe(2);
    h = await slopeModel().fit(xs, yTrain, { epochs: 8, batchSize: N, validationData: [xs, yTrain], callbacks: [callbacks.earlyStopping({ baseline, patience: 3 })] });
    expect(h.epoch.length).toBe(8);
  });

  it("monitor 'valLoss' without validation data: Error at the start of fit naming valLoss and validationData", async () => {
    const m = slopeModel();
    const w0 = weightsOf(m);
    let began = 0;
    const probe = callbacks.lambda({ onEpochBegin: () => { began++; } });
    const err = await m.fit(xs, yTrain, { epochs: 3, batchSize: N, callbacks: [callbacks.earlyStopping(), probe] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/'valLoss'/);
    expect((err as Error).message).toMatch(/validationData/);
    expect(began).toBe(0);
    expectSameBits(weightsOf(m), w0, 'nothing trained');
    // the model is usable afterwards
    const h = await m.fit(xs, yTrain, { epochs: 1, batchSize: N });
    expect(h.epoch.length).toBe(1);
    // the same for the other monitors
    await expect(slopeModel().fit(xs, yTrain, { callbacks: [callbacks.reduceLROnPlateau()] })).rejects.toThrow(/reduceLROnPlateau monitors 'valLoss'.*validationData/);
    await expect(slopeModel().fit(xs, yTrain, { callbacks: [callbacks.modelCheckpoint({ save: () => {}, saveBestOnly: true })] })).rejects.toThrow(/modelCheckpoint monitors 'valLoss'/);
  });

  it("'val_loss' suggests 'valLoss'; 'valAccuracy' without the metric is refused", async () => {
    const m = slopeModel();
    await expect(m.fit(xs, yTrain, { validationData: [xs, yVal], callbacks: [callbacks.earlyStopping({ monitor: 'val_loss' })] })).rejects.toThrow(/did you mean 'valLoss'/);
    await expect(m.fit(xs, yTrain, { validationData: [xs, yVal], callbacks: [callbacks.earlyStopping({ monitor: 'valAccuracy' })] })).rejects.toThrow(/does not record/);
    // with the metric compiled in, valMae is recorded and accepted
    const m2 = slopeModel(LR, ['mae']);
    const h = await m2.fit(xs, yTrain, { epochs: 2, validationData: [xs, yVal], callbacks: [callbacks.earlyStopping({ monitor: 'valMae', patience: 5 })] });
    expect(h.history.valMae.length).toBe(2);
  });

  it('bad options are Errors', async () => {
    expect(() => callbacks.earlyStopping({ patience: -1 })).toThrow(/patience/);
    expect(() => callbacks.earlyStopping({ patience: 1.5 })).toThrow(/patience/);
    // the mode is checked at the start of fit
    await expect(slopeModel().fit(xs, yTrain, { callbacks: [callbacks.earlyStopping({ monitor: 'loss', mode: 'maximum' as 'max' })] })).rejects.toThrow(/mode must be 'auto', 'min' or 'max'/);
    expect(() => callbacks.earlyStopping({ pateince: 2 } as never)).toThrow(/did you mean 'patience'/);
    expect(() => callbacks.earlyStopping({ baseline: Number.NaN })).toThrow(/baseline/);
  });
});

/** Keras ReduceLROnPlateau (tf.keras 2.x on_epoch_end), transcribed: the lr used in each epoch. */
function kerasPlateau(values: number[], lr0: number, o: { factor: number; patience: number; cooldown?: number; minLr?: number; minDelta?: number }): number[] {
  let best = Infinity, wait = 0, cd = 0, lr = lr0;
  const out: number[] = [];
  const cooldown = o.cooldown ?? 0, minLr = o.minLr ?? 0, minDelta = o.minDelta ?? 1e-4;
  for (const v of values) {
    out.push(lr);
    if (cd > 0) { cd--; wait = 0; }
    if (v < best - minDelta) { best = v; wait = 0; }
    else if (!(cd > 0)) {
      wait++;
      if (wait >= o.patience) {
        if (lr > minLr) lr = Math.max(lr * o.factor, minLr);
        cd = cooldown;
        wait = 0;
      }
    }
  }
  return out;
}

describe('reduceLROnPlateau', () => {
  // a learning rate so small that the loss changes by far less than minDelta (1e-4): a plateau
  const lr0 = 1e-6;
  const run = async (args: Parameters<typeof callbacks.reduceLROnPlateau>[0], epochs: number) =>
    slopeModel(lr0).fit(xs, yTrain, { epochs, batchSize: N, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss', ...args })] });

  it('drops the learning rate by factor after patience epochs without improvement', async () => {
    const h = await run({ factor: 0.5, patience: 2 }, 8);
    expect(h.history.learningRate).toEqual([lr0, lr0, lr0, lr0 / 2, lr0 / 2, lr0 / 4, lr0 / 4, lr0 / 8]);
    expect(h.history.learningRate).toEqual(kerasPlateau(h.loss, lr0, { factor: 0.5, patience: 2 }));
  });

  it('respects minLr', async () => {
    const h = await run({ factor: 0.5, patience: 2, minLr: 0.3 * lr0 }, 9);
    expect(h.history.learningRate).toEqual([lr0, lr0, lr0, lr0 / 2, lr0 / 2, 0.3 * lr0, 0.3 * lr0, 0.3 * lr0, 0.3 * lr0]);
    expect(h.history.learningRate).toEqual(kerasPlateau(h.loss, lr0, { factor: 0.5, patience: 2, minLr: 0.3 * lr0 }));
  });

  it('respects cooldown (the epochs after a reduction do not count)', async () => {
    const h = await run({ factor: 0.5, patience: 2, cooldown: 2 }, 10);
    expect(h.history.learningRate).toEqual([lr0, lr0, lr0, lr0 / 2, lr0 / 2, lr0 / 2, lr0 / 4, lr0 / 4, lr0 / 4, lr0 / 8]);
    expect(h.history.learningRate).toEqual(kerasPlateau(h.loss, lr0, { factor: 0.5, patience: 2, cooldown: 2 }));
  });

  it('does not reduce while the monitored value improves; patience counts from the last improvement', async () => {
    // the slope run's validation loss improves until the best epoch, then rises
    const m = slopeModel();
    const h = await m.fit(xs, yTrain, { epochs: 14, batchSize: N, validationData: [xs, yVal], callbacks: [callbacks.reduceLROnPlateau({ factor: 0.5, patience: 3, minDelta: 0 })] });
    const best = argmin(slopeValLosses(30));
    const lrs = h.history.learningRate;
    expect(lrs.slice(0, best + 4)).toEqual(Array(best + 4).fill(LR));
    expect(lrs[best + 4]).toBe(LR / 2);
    expect(lrs).toEqual(kerasPlateau(h.valLoss, LR, { factor: 0.5, patience: 3, minDelta: 0 }));
    // the optimizer holds the rate after the last epoch's reduction…
    expect(m.optimizer!.learningRate).toBe(kerasPlateau([...h.valLoss, 0], LR, { factor: 0.5, patience: 3, minDelta: 0 }).at(-1));
    // …and used each epoch's rate: the JS recurrence with these rates gives the same trajectory
    let w = 0;
    lrs.forEach((lr, e) => {
      w -= lr * 2 * meanSq * (w - 2);
      expect(rel(h.valLoss[e], (w - 1) ** 2 * meanSq), `epoch ${e}`).toBeLessThan(1e-10);
    });
  });

  it('refuses a schedule learning rate and bad options', async () => {
    const m = new Sequential({ seed: 3, dtype: 'float64' });
    m.add(layers.dense({ units: 1, inputShape: [1] }));
    m.compile({ optimizer: optimizers.sgd({ learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) }), loss: 'mse' });
    const w0 = weightsOf(m);
    await expect(m.fit(xs, yTrain, { callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss' })] })).rejects.toThrow(/numeric learning rate.*exponentialDecay/);
    expectSameBits(weightsOf(m), w0, 'nothing trained');
    expect(() => callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor/);
    expect(() => callbacks.reduceLROnPlateau({ factor: 0 })).toThrow(/factor/);
    expect(() => callbacks.reduceLROnPlateau({ cooldown: -1 })).toThrow(/cooldown/);
    expect(() => callbacks.reduceLROnPlateau({ minLr: -1 })).toThrow(/minLr/);
  });
});

describe('modelCheckpoint', () => {
  const probe = randn([5, 1], 4);

  it('save is called every epoch with artifacts that load into a model predicting like the model at that epoch', async () => {
    const m = slopeModel();
    const saved: { a: ReturnType<Sequential['save']>; epoch: number; logs: Logs }[] = [];
    const preds: Tensor[] = [];
    const h = await m.fit(xs, yTrain, {
      epochs: 4, batchSize: 8, validationData: [xs, yVal],
      callbacks: [
        callbacks.lambda({ onEpochEnd: (e) => { preds[e] = m.predict(probe); } }),
        callbacks.modelCheckpoint({ save: (a, epoch, logs) => { saved.push({ a, epoch, logs }); } }),
      ],
    });
    expect(saved.map((s) => s.epoch)).toEqual([0, 1, 2, 3]);
    for (const s of saved) {
      expect(s.logs.loss).toBe(h.loss[s.epoch]);
      expect(s.logs.valLoss).toBe(h.valLoss[s.epoch]);
      const loaded = await Sequential.load(s.a);
      expectSameBits([loaded.predict(probe).data], [preds[s.epoch].data], `epoch ${s.epoch}`);
    }
    // the epochs differ (each checkpoint is its own copy, not a view of the live weights)
    expect(preds[0].data[0]).not.toBe(preds[3].data[0]);
    expect(Array.from(saved[0].a.weights)).not.toEqual(Array.from(saved[3].a.weights));
  });

  it('saveBestOnly calls save only when the monitored value improves', async () => {
    const m = slopeModel();
    const epochs: number[] = [];
    const preds: Tensor[] = [];
    const saved: ReturnType<Sequential['save']>[] = [];
    const h = await m.fit(xs, yTrain, {
      epochs: 12, batchSize: N, validationData: [xs, yVal],
      callbacks: [
        callbacks.lambda({ onEpochEnd: (e) => { preds[e] = m.predict(probe); } }),
        callbacks.modelCheckpoint({ saveBestOnly: true, save: (a, e) => { epochs.push(e); saved.push(a); } }),
      ],
    });
    const want: number[] = [];
    let best = Infinity;
    h.valLoss.forEach((v, e) => { if (v < best) { best = v; want.push(e); } });
    expect(epochs).toEqual(want);
    expect(want.length).toBeLessThan(12); // some epochs were not saved
    expect(want.at(-1)).toBe(argmin(slopeValLosses(12)));
    const last = await Sequential.load(saved.at(-1)!);
    expectSameBits([last.predict(probe).data], [preds[want.at(-1)!].data], 'best checkpoint');
    // mode 'max' on the same run saves epoch 0 and the epochs after the minimum
    const up: number[] = [];
    const h2 = await slopeModel().fit(xs, yTrain, { epochs: 12, batchSize: N, validationData: [xs, yVal], callbacks: [callbacks.modelCheckpoint({ saveBestOnly: true, mode: 'max', save: (_a, e) => { up.push(e); } })] });
    const wantUp: number[] = [];
    let top = -Infinity;
    h2.valLoss.forEach((v, e) => { if (v > top) { top = v; wantUp.push(e); } });
    expect(up).toEqual(wantUp);
  });

  it('an async save is awaited before the next epoch starts', async () => {
    const events: string[] = [];
    await slopeModel().fit(xs, yTrain, {
      epochs: 2, batchSize: N,
      callbacks: [
        callbacks.lambda({ onEpochBegin: (e) => { events.push(`begin ${e}`); } }),
        callbacks.modelCheckpoint({ save: async (_a, e) => { events.push(`save ${e} start`); await new Promise((r) => setTimeout(r, 5)); events.push(`save ${e} done`); } }),
      ],
    });
    expect(events).toEqual(['begin 0', 'save 0 start', 'save 0 done', 'begin 1', 'save 1 start', 'save 1 done']);
  });

  it('needs a save function', () => {
    expect(() => callbacks.modelCheckpoint({} as never)).toThrow(/save/);
    expect(() => callbacks.modelCheckpoint({ save: () => {}, saveBest: true } as never)).toThrow(/saveBest/);
  });
});

describe('lambda', () => {
  it('hooks are called in order with the right arguments', async () => {
    const m = slopeModel(LR, ['mae']);
    const twin = slopeModel(LR, ['mae']);
    const calls: unknown[][] = [];
    let info: Parameters<NonNullable<Callback['onTrainBegin']>>[0] | null = null;
    const firstBatchX = tensor(xs.data.slice(0, 6), [6, 1], 'float64');
    const firstBatchY = tensor(yTrain.data.slice(0, 6), [6, 1], 'float64');
    const wantFirst = twin.computeGradients(firstBatchX, firstBatchY).loss;
    const h = await m.fit(xs, yTrain, {
      epochs: 2, batchSize: 6, shuffle: false, validationData: [xs, yVal],
      callbacks: [callbacks.lambda({
        onTrainBegin: (i) => { info = i; calls.push(['trainBegin']); },
        onEpochBegin: (e) => { calls.push(['epochBegin', e]); },
        onBatchEnd: (b, logs) => { calls.push(['batchEnd', b, logs.size, logs.loss]); },
        onEpochEnd: (e, logs) => { calls.push(['epochEnd', e, { ...logs }]); },
        onTrainEnd: (logs) => { calls.push(['trainEnd', logs]); },
      })],
    });
    expect(calls.map((c) => c.slice(0, 3).map((v) => (typeof v === 'object' ? 'logs' : v)))).toEqual([
      ['trainBegin'],
      ['epochBegin', 0], ['batchEnd', 0, 6], ['batchEnd', 1, 6], ['batchEnd', 2, 4], ['epochEnd', 0, 'logs'],
      ['epochBegin', 1], ['batchEnd', 0, 6], ['batchEnd', 1, 6], ['batchEnd', 2, 4], ['epochEnd', 1, 'logs'],
      ['trainEnd', 'logs'],
    ]);
    expect(info!.model).toBe(m);
    expect(info!.epochs).toBe(2);
    expect(info!.batchesPerEpoch).toBe(3);
    expect(info!.logNames).toEqual(['loss', 'mae', 'valLoss', 'valMae', 'learningRate']);
    expect(info!.history).toBe(h);
    // epoch logs are History's entries; the batch losses average (by size) to the epoch loss
    for (const e of [0, 1]) {
      const logs = calls.find((c) => c[0] === 'epochEnd' && c[1] === e)![2] as Logs;
      expect(logs).toEqual({ loss: h.loss[e], mae: h.history.mae[e], valLoss: h.valLoss[e], valMae: h.history.valMae[e], learningRate: LR });
      const batches = calls.filter((c, i) => c[0] === 'batchEnd' && calls.slice(0, i).filter((d) => d[0] === 'epochBegin').length === e + 1);
      const mean = batches.reduce((s, c) => s + (c[3] as number) * (c[2] as number), 0) / N;
      expect(rel(mean, h.loss[e])).toBeLessThan(1e-12);
    }
    // the first batch's loss is the loss of samples 0-5 before any update
    expect(calls[2][3]).toBe(wantFirst);
    expect(calls.at(-1)![1]).toEqual(calls.find((c) => c[0] === 'epochEnd' && c[1] === 1)![2]);
  });

  it('onTrainEnd runs once fit has released the model; the other hooks run while it is busy', async () => {
    const m = slopeModel();
    let during: Error | null = null;
    let after: Error | null = null;
    const zero = [new Float64Array(1)];
    await m.fit(xs, yTrain, {
      epochs: 1, batchSize: N,
      callbacks: [callbacks.lambda({
        onEpochEnd: () => { try { m.setWeights(zero); } catch (e) { during = e as Error; } },
        onTrainEnd: () => { try { m.setWeights(zero); } catch (e) { after = e as Error; } },
      })],
    });
    expect(during).toBeInstanceOf(Error);
    expect(during!.message).toMatch(/fit is already running/);
    expect(after).toBeNull();
    expect(weightsOf(m)[0][0]).toBe(0);
  });

  it('stopTraining from a hook ends fit after the current batch', async () => {
    const m = slopeModel();
    let batches = 0;
    const h = await m.fit(xs, yTrain, { epochs: 5, batchSize: 4, callbacks: [callbacks.lambda({ onBatchEnd: (b) => { batches++; if (b === 1) m.stopTraining = true; } })] });
    expect(batches).toBe(2);
    expect(h.epoch).toEqual([0]);
  });

  it('unknown hook names and non-function hooks are Errors', () => {
    expect(() => callbacks.lambda({ onBatchBegin: () => {} } as never)).toThrow(/unknown option 'onBatchBegin' for callbacks.lambda/);
    expect(() => callbacks.lambda({ onEpochend: () => {} } as never)).toThrow(/did you mean 'onEpochEnd'/);
    expect(() => callbacks.lambda({ onEpochEnd: 3 } as never)).toThrow(/onEpochEnd must be a function/);
  });
});
