// createTrainer: training in a Node worker_threads worker running dist/simdnet.worker.mjs,
// against the same artifacts trained in this thread with dist/simdnet.mjs (the same release
// core the worker imports). `node scripts/bundle.mjs` (npm test's build) writes dist/ first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Lib = typeof import('../../src/index.js');
type Artifacts = import('../../src/index.js').ModelArtifacts;
type Trainer = import('../../src/index.js').Trainer;

const distUrl = new URL('../../dist/simdnet.mjs', import.meta.url);
let lib: Lib;
const open: Trainer[] = [];

// Seeded data: 4 Gaussian-ish blobs in D dimensions (a small xorshift, not Math.random).
function blobs(n: number, d: number, classes: number, seed: number) {
  let s = seed >>> 0 || 1;
  const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  const x = new Float32Array(n * d), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes; y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = (j % classes === c ? 1.5 : 0) + (r() - 0.5) * 2;
  }
  return { x: new lib.Tensor(x, [n, d], 'float32'), y };
}

function makeArtifacts(d: number, units: number, seed = 7): Artifacts {
  const m = new lib.Sequential({ seed });
  m.add(lib.layers.dense({ units, inputShape: [d], activation: 'relu', kernelInitializer: 'heNormal' }));
  m.add(lib.layers.dropout({ rate: 0.2 }));
  m.add(lib.layers.dense({ units: 4 }));
  m.compile({ optimizer: lib.optimizers.adam({ learningRate: 1e-2 }), loss: 'softmaxCrossEntropy', metrics: ['accuracy'] });
  const a = m.save();
  m.dispose();
  return a;
}

const track = async (p: Promise<Trainer>) => { const t = await p; open.push(t); return t; };

beforeAll(async () => {
  if (!existsSync(fileURLToPath(distUrl)) || !existsSync(fileURLToPath(new URL('../../dist/simdnet.worker.mjs', import.meta.url)))) {
    throw new Error('dist/ is missing: run `node scripts/bundle.mjs` first');
  }
  lib = await import(distUrl.href);
  await lib.init();
});

afterAll(() => { for (const t of open) t.terminate(); });

describe('createTrainer (worker_threads)', () => {
  it('trains to the same bits as this thread: losses, metrics, monitors, batch logs, weights, predictions', async () => {
    const { x, y } = blobs(600, 12, 4, 3);
    const artifacts = makeArtifacts(12, 32);
    const opts = { epochs: 4, batchSize: 32, validationSplit: 0.1, monitor: true } as const;

    const events: string[] = [];
    const workerBatches: Array<[number, number]> = [];
    const workerMonitors: unknown[] = [];
    const trainer = await track(lib.createTrainer(artifacts));
    const h = await trainer.fit(x, y, {
      ...opts,
      onBatchEnd: (b, logs) => { events.push(`b${b}`); workerBatches.push([b, logs.loss]); },
      onEpochEnd: (e, logs, monitors) => { events.push(`e${e}`); workerMonitors.push(monitors); expect(logs.loss).toBeTypeOf('number'); },
    });
    const saved = await trainer.save();

    const m = await lib.Sequential.load(artifacts);
    const mainBatches: Array<[number, number]> = [];
    const hm = await m.fit(x, y, { ...opts, callbacks: [lib.callbacks.lambda({ onBatchEnd: (b, logs) => { mainBatches.push([b, logs.loss]); } })] });
    const mainSaved = m.save();

    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.history).toEqual({ ...hm.history });
    expect(h.monitors).toEqual(hm.monitors);
    expect(workerMonitors).toEqual(hm.monitors);
    expect(workerBatches).toEqual(mainBatches);
    expect(saved.topology).toEqual(mainSaved.topology);
    expect(saved.weights).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(saved.weights).equals(Buffer.from(mainSaved.weights))).toBe(true);

    // Events in order: each epoch's batches 0..17, then its epochEnd.
    const batches = Math.ceil(540 / 32);
    const expected = [0, 1, 2, 3].flatMap((e) => [...Array.from({ length: batches }, (_, b) => `b${b}`), `e${e}`]);
    expect(events).toEqual(expected);

    // The caller's data are copied once, not taken; predictions agree bit for bit.
    expect(x.data.length).toBe(600 * 12);
    const p = await trainer.predict(x);
    expect(p).toBeInstanceOf(lib.Tensor);
    expect(p.shape).toEqual([600, 4]);
    expect(Array.from(p.data)).toEqual(Array.from(m.predict(x).data));

    // The artifacts come back whole: they load here and predict the same bits.
    const back = await lib.Sequential.load(saved);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(p.data));

    // A second fit continues from the worker's state, as it would here.
    const h2 = await trainer.fit(x, y, { epochs: 1, batchSize: 64 });
    const hm2 = await m.fit(x, y, { epochs: 1, batchSize: 64 });
    expect(h2.history.loss).toEqual(hm2.history.loss);
    back.dispose(); m.dispose();
  });

  it('with {threads: 2} the worker\'s core runs on two threads and trains to the same bits', async () => {
    const { x, y } = blobs(512, 96, 4, 5);
    const artifacts = makeArtifacts(96, 160); // its GEMMs are above the split threshold
    const opts = { epochs: 2, batchSize: 128 } as const;
    const trainer = await track(lib.createTrainer(artifacts, { threads: 2 }));
    expect(trainer.threads).toBe(2);
    const h = await trainer.fit(x, y, opts);
    const saved = await trainer.save();
    const m = await lib.Sequential.load(artifacts);
    const hm = await m.fit(x, y, opts);
    expect(h.history).toEqual({ ...hm.history });
    expect(Buffer.from(saved.weights).equals(Buffer.from(m.save().weights))).toBe(true);
    m.dispose();
    await expect(lib.createTrainer(artifacts, { threads: 0 })).rejects.toThrow(/createTrainer: threads must be a positive integer, got 0/);
  });

  it('activationStats and epochWeights: per-epoch snapshots equal to this thread\'s, training bits unchanged; a bad sample fails before training', async () => {
    const { x, y } = blobs(400, 12, 4, 31);
    const sample = new lib.Tensor((x.data as Float32Array).slice(0, 50 * 12), [50, 12], 'float32');
    const artifacts = makeArtifacts(12, 16);
    const opts = { epochs: 3, batchSize: 32 } as const;
    const trainer = await track(lib.createTrainer(artifacts));
    const snaps: Array<import('../../src/index.js').EpochSnapshot> = [];
    let begin: import('../../src/index.js').EpochSnapshot | undefined;
    await trainer.fit(x, y, {
      ...opts, activationStats: { x: sample, bins: 12 }, epochWeights: [0, 3],
      onTrainBegin: (s) => { begin = s; },
      onEpochEnd: (_e, _logs, _mon, s) => { snaps.push(s!); },
    });
    const saved = await trainer.save();

    // This thread: the same training, with the same statistics taken at each epoch end.
    const m = await lib.Sequential.load(artifacts);
    const local = [lib.diagnostics.activationStats(m, sample, { bins: 12 })];
    const localW = [m.getWeights()];
    await m.fit(x, y, { ...opts, callbacks: [lib.callbacks.lambda({ onEpochEnd: () => { local.push(lib.diagnostics.activationStats(m, sample, { bins: 12 })); localW.push(m.getWeights()); } })] });
    expect(Buffer.from(saved.weights).equals(Buffer.from(m.save().weights))).toBe(true); // snapshots do not change training
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
    expect(plain(begin!.activations)).toEqual(plain(local[0]));
    expect(snaps.map((s) => plain(s.activations))).toEqual(local.slice(1).map(plain));
    expect(snaps[2].activations![0].histogram.counts.length).toBe(12);
    for (const [i, s] of [begin!, ...snaps].entries()) {
      expect(s.weights!.map((w) => w.index)).toEqual([0, 3]);
      expect(Array.from(s.weights![0].tensor.data)).toEqual(Array.from(localW[i][0].data));
      expect(s.weights![1].tensor.shape).toEqual(localW[i][3].shape);
      expect(Array.from(s.weights![1].tensor.data)).toEqual(Array.from(localW[i][3].data));
    }
    expect(Array.from(snaps[0].weights![0].tensor.data)).not.toEqual(Array.from(begin!.weights![0].tensor.data));

    // A sample of the wrong width or a weight index out of range: rejected, nothing trained.
    const before = await trainer.save();
    const wide = new lib.Tensor(new Float32Array(10 * 5), [10, 5], 'float32');
    await expect(trainer.fit(x, y, { epochs: 1, activationStats: { x: wide }, onEpochEnd: () => {} })).rejects.toThrow(/5/);
    await expect(trainer.fit(x, y, { epochs: 1, epochWeights: [99], onEpochEnd: () => {} })).rejects.toThrow(/99 is out of range/);
    await expect(trainer.fit(x, y, { epochs: 1, epochWeights: [-1] })).rejects.toThrow(/epochWeights/);
    await expect(trainer.fit(x, y, { epochs: 1, activationStats: null as never })).rejects.toThrow(/activationStats/);
    expect(Buffer.from((await trainer.save()).weights).equals(Buffer.from(before.weights))).toBe(true);
    m.dispose();
  });

  it('transfer: true hands the caller\'s buffers over instead of copying', async () => {
    const { x, y } = blobs(128, 12, 4, 5);
    const trainer = await track(lib.createTrainer(makeArtifacts(12, 8)));
    const xs = x.data as Float32Array;
    const h = await trainer.fit(xs.slice(), y.slice(), { epochs: 1, batchSize: 32, transfer: true });
    expect(h.epoch).toEqual([0]);
    const y2 = y.slice();
    const pending = trainer.fit(x, y2, { epochs: 1, transfer: true });
    expect(y2.length).toBe(0); // detached at once
    expect(x.data.length).toBe(0);
    await pending;
  });

  it('stop() ends a fit early; the fit resolves with what was trained, and save() has it', async () => {
    const { x, y } = blobs(512, 12, 4, 9);
    const trainer = await track(lib.createTrainer(makeArtifacts(12, 32)));
    const h = await trainer.fit(x, y, {
      epochs: 10_000, batchSize: 16,
      onEpochEnd: (e) => { if (e === 1) trainer.stop(); },
    });
    expect(h.epoch.length).toBeGreaterThanOrEqual(2);
    expect(h.epoch.length).toBeLessThan(10_000);
    expect(h.history.loss.length).toBe(h.epoch.length);
    // The worker is idle and whole: its save() loads here and predicts what it predicts.
    const saved = await trainer.save();
    const m = await lib.Sequential.load(saved);
    expect(Array.from(m.predict(x).data)).toEqual(Array.from((await trainer.predict(x)).data));
    m.dispose();

    // stop() right after fit(): usually seen before the first batch (the worker takes one
    // event-loop turn before it starts a fit), at the latest at fit's first yield (50 ms).
    const t0 = performance.now();
    const h2 = await (() => { const p = trainer.fit(x, y, { epochs: 10_000, batchSize: 16 }); trainer.stop(); return p; })();
    expect(h2.epoch.length).toBeLessThan(10_000);
    expect(performance.now() - t0).toBeLessThan(2000);
    // A stop() with no fit running does not affect the next fit.
    trainer.stop();
    expect((await trainer.fit(x, y, { epochs: 2, batchSize: 64 })).epoch).toEqual([0, 1]);
  });

  it('async callbacks run in order; a callback that throws stops the fit, which rejects with its error', async () => {
    const { x, y } = blobs(256, 12, 4, 21);
    const trainer = await track(lib.createTrainer(makeArtifacts(12, 8)));
    const seen: string[] = [];
    await trainer.fit(x, y, {
      epochs: 2, batchSize: 64,
      onBatchEnd: async (b) => { await new Promise((r) => setTimeout(r, 5)); seen.push(`b${b}`); },
      onEpochEnd: (e) => { seen.push(`e${e}`); },
    });
    expect(seen).toEqual(['b0', 'b1', 'b2', 'b3', 'e0', 'b0', 'b1', 'b2', 'b3', 'e1']);
    let after = 0;
    const err = await trainer.fit(x, y, {
      epochs: 10_000, batchSize: 64,
      onEpochEnd: (e) => { if (e === 2) throw new Error('callback failed at epoch 2'); if (e > 2) after++; },
    }).then(() => null, (e: Error) => e);
    expect(err?.message).toBe('callback failed at epoch 2');
    expect(after).toBe(0); // no callback after the failing one
    // The worker stopped that fit and is free for the next request.
    expect((await trainer.predict(x)).shape).toEqual([256, 4]);
  });

  it('a bad input rejects with the worker\'s message and stack; the trainer stays usable', async () => {
    const { x, y } = blobs(64, 12, 4, 11);
    const artifacts = makeArtifacts(12, 8);
    const trainer = await track(lib.createTrainer(artifacts));
    const bad = new lib.Tensor(new Float32Array(64 * 5), [64, 5], 'float32');
    const err = await trainer.fit(bad, y, { epochs: 1 }).then(() => null, (e: Error) => e);
    const m = await lib.Sequential.load(artifacts);
    const local = await m.fit(bad, y, { epochs: 1 }).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(local).toBeInstanceOf(Error);
    expect(err!.message).toBe(local!.message);
    expect(err!.stack).toContain(err!.message);
    expect(err!.stack).toContain('simdnet.mjs'); // frames of the worker's library copy
    // Labels out of range and unknown options come back the same way.
    await expect(trainer.fit(x, new Int32Array(64).fill(9), { epochs: 1 })).rejects.toThrow(/9/);
    await expect(trainer.fit(x, y, { epochs: 1, batchsize: 8 } as never)).rejects.toThrow(/batchsize/);
    await expect(trainer.fit(x, y, { callbacks: [] } as never)).rejects.toThrow(/callbacks cannot cross/);
    // Still usable, and unchanged by the failed calls.
    expect(Array.from((await trainer.predict(x)).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose();
    // A model that does not load rejects createTrainer with the load error.
    const broken = { topology: { ...(artifacts.topology as object), version: 999 }, weights: artifacts.weights } as Artifacts;
    await expect(lib.createTrainer(broken)).rejects.toThrow(/format version 999 is newer/);
  });

  it('terminate() rejects a pending fit and every later call; a crashing worker rejects createTrainer', async () => {
    const { x, y } = blobs(512, 12, 4, 13);
    const trainer = await track(lib.createTrainer(makeArtifacts(12, 32)));
    let batches = 0;
    const fit = trainer.fit(x, y, { epochs: 10_000, batchSize: 16, onBatchEnd: () => { if (++batches === 5) trainer.terminate(); } });
    const save = trainer.save(); // queued behind the fit: rejected too
    await expect(fit).rejects.toThrow(/terminated/);
    await expect(save).rejects.toThrow(/terminated/);
    expect(trainer.terminated).toBe(true);
    await expect(trainer.predict(x)).rejects.toThrow(/terminated/);
    await expect(trainer.fit(x, y)).rejects.toThrow(/terminated/);
    trainer.stop(); // no-op, no throw

    await expect(lib.createTrainer(makeArtifacts(12, 8), { workerUrl: 'data:text/javascript,throw new Error("boom in worker")' }))
      .rejects.toThrow(/boom in worker/);
  });

  it('keeps the main thread responsive while the worker trains for a few seconds', async () => {
    const { x, y } = blobs(4096, 64, 4, 17);
    const trainer = await track(lib.createTrainer(makeArtifacts(64, 256)));
    let last = performance.now(), maxGap = 0, ticks = 0, batches = 0;
    const timer = setInterval(() => { const t = performance.now(); maxGap = Math.max(maxGap, t - last); last = t; ticks++; }, 10);
    const t0 = performance.now();
    let h;
    try {
      // Per-batch events on: the main thread handles every batch message as well.
      h = await trainer.fit(x, y, { epochs: 200, batchSize: 32, onBatchEnd: () => { batches++; }, onEpochEnd: (e) => { if (performance.now() - t0 > 3000) trainer.stop(); } });
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    console.log(`worker trained ${h.epoch.length} epochs (${batches} batches) in ${ms.toFixed(0)} ms; ${ticks} ticks, longest gap ${maxGap.toFixed(1)} ms`);
    expect(ms).toBeGreaterThan(2000);
    // stop() is seen within the worker's next yield (fit yields every 50 ms): the last
    // recorded epoch may be partial.
    expect(batches).toBeGreaterThan((h.epoch.length - 1) * 128);
    expect(batches).toBeLessThanOrEqual(h.epoch.length * 128);
    expect(maxGap).toBeLessThan(150);
  });
});
