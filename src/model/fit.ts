// The training loop. The whole training set is validated once and copied into wasm memory
// once; each batch is then gathered by a shuffled index array (and optionally shifted at
// random) by kernels, so an epoch makes no per-batch JS copies of the data.

import { runtime, WasmTensor, BYTES } from '../../bindings/index.js';
import { progressBar, type Callback } from '../callbacks.js';
import { checkKeys, describe } from '../options.js';
import { checkBatchSize, subarray, toFeatures, toTargets, type Features, type Targets } from './data.js';
import { History, type Logs } from './history.js';
import type { Dataset, Session } from './session.js';

export interface AugmentOptions {
  /** Random translation of each training image by up to ±shift pixels (zero fill). */
  shift?: number;
  /** [height, width, channels] of a flat input; defaults to the model's input shape when it has rank 3. */
  imageShape?: [number, number, number];
}

export interface FitOptions {
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Samples per optimizer step (default 32). */
  batchSize?: number;
  /** Reshuffle the training samples every epoch with the model's seeded stream (default true). */
  shuffle?: boolean;
  /** Held-out [x, y] evaluated at the end of every epoch. */
  validationData?: [Features, Targets];
  /** Fraction of the samples, taken from the end before shuffling, held out for validation (Keras). */
  validationSplit?: number;
  callbacks?: Callback[];
  /** 0 silent (default), 1 progress bar / one line per epoch. */
  verbose?: 0 | 1;
  /** On-the-fly data augmentation of training batches (never of validation data). */
  augment?: AugmentOptions;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'validationSplit', 'callbacks', 'verbose', 'augment'];

/** Evaluation of a resident dataset as History records it. */
export type Evaluation = (r: { loss: number; hits: number; counted: number }) => { loss: number; accuracy?: number };

export async function fit(s: Session, x: Features, y: Targets, o: FitOptions, evaluation: Evaluation): Promise<History> {
  if (o === null || typeof o !== 'object') throw new Error(`fit options must be an object, got ${describe(o)}`);
  checkKeys(o, FIT_KEYS, 'fit');
  const epochs = o.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`Invalid epochs: ${describe(epochs)} (must be a non-negative integer)`);
  const batchSize = checkBatchSize(o.batchSize ?? 32);
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new Error(`Invalid validationSplit: ${describe(split)} (must be in [0, 1))`);
  if (split > 0 && o.validationData) throw new Error('give either validationData or validationSplit, not both');
  const cbs = o.callbacks ?? [];
  if (!Array.isArray(cbs)) throw new Error(`callbacks must be an array, got ${describe(cbs)}`);
  if (o.augment !== undefined) checkKeys(o.augment, ['shift', 'imageShape'], 'fit augment');
  const { inputShape, outputShape, inSize, outSize } = s;
  const shift = o.augment?.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0) throw new Error(`Invalid augment.shift: ${describe(shift)} (a non-negative integer)`);
  const image = o.augment?.imageShape ?? (inputShape.length === 3 ? (inputShape as [number, number, number]) : null);
  if (shift > 0 && (!image || image.length !== 3 || image[0] * image[1] * image[2] !== inSize)) {
    throw new Error(`augment.shift needs images: give augment.imageShape [h, w, c] with h·w·c = ${inSize} (got ${JSON.stringify(image)})`);
  }

  // Validate everything before touching the model.
  const fx = toFeatures(x, inputShape);
  const ty = toTargets(y, fx.n, outputShape, s.loss!);
  const nTrain = split > 0 ? Math.floor(fx.n * (1 - split)) : fx.n;
  if (nTrain === 0) throw new Error(`fit: no training samples (${fx.n} samples, validationSplit ${split})`);
  let val: { x: ArrayLike<number>; y: ArrayLike<number>; n: number; first: number; what: string } | null = null;
  let valKind = ty.kind;
  if (o.validationData) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new Error('validationData must be [x, y]');
    const vx = toFeatures(o.validationData[0], inputShape, 'validationData x');
    const vy = toTargets(o.validationData[1], vx.n, outputShape, s.loss!, 'validationData y');
    if (vx.n === 0) throw new Error('validationData has no samples');
    val = { x: vx.data, y: vy.data, n: vx.n, first: 0, what: 'validationData x' };
    valKind = vy.kind;
  } else if (split > 0) {
    const tw = ty.kind === 'labels' ? 1 : outSize;
    val = { x: subarray(fx.data, nTrain * inSize, fx.n * inSize), y: subarray(ty.data, nTrain * tw, fx.n * tw), n: fx.n - nTrain, first: nTrain, what: 'x' };
  }

  const ex = runtime().exports;
  const k = s.k;
  const history = new History();
  const bar = o.verbose ? [progressBar({ epochs, batches: Math.ceil(nTrain / batchSize) })] : [];
  const all = [...bar, ...cbs];
  const batchCap = Math.min(batchSize, nTrain);
  // All or nothing: the datasets, the augmentation buffer and the batch buffers.
  let train: Dataset | null = null, valSet: Dataset | null = null, augTmp: WasmTensor | null = null;
  WasmTensor.transaction(() => {
    train = s.upload(fx.data, ty.data, ty.kind, nTrain, 0, 'x');
    valSet = val ? s.upload(val.x, val.y, valKind, val.n, val.first, val.what) : null;
    augTmp = shift > 0 ? new WasmTensor([batchCap, inSize], s.dtype, 'augmentation buffer') : null;
    s.reserve(Math.min(batchSize, Math.max(nTrain, valSet?.n ?? 0)));
    s.applyTrainable(); // attaches the optimizer before the first step
  });
  const wantHits = s.metrics.length > 0;
  const rowBytes = inSize * BYTES[s.dtype];
  s.stopTraining = false;
  try {
    const t = train!;
    let lastYield = now();
    for (const c of all) await c.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !s.stopTraining; epoch++) {
      for (const c of all) await c.onEpochBegin?.(epoch);
      if (o.shuffle ?? true) ex.shuffle_i32(t.order.ptr, nTrain, s.streamPtr('shuffle'));
      let lossSum = 0, hits = 0, counted = 0, seen = 0;
      const batches = Math.ceil(nTrain / batchSize);
      for (let b = 0; b < batches && !s.stopTraining; b++) {
        const start = b * batchSize;
        const n = Math.min(batchSize, nTrain - start);
        // NOTE: buffers are looked up per batch, never held across an await: a predict()
        // called from a callback may reallocate them (reserve) between two steps.
        s.reserve(n);
        s.gather(t, start, n);
        if (augTmp) {
          const a = augTmp as WasmTensor;
          ex.gather_rows(a.ptr, t.x.ptr, t.order.ptr + start * 4, n, rowBytes);
          k.randomShift(s.inputBuffer.ptr, a.ptr, n, image![0], image![1], image![2], shift, s.streamPtr('augment'));
        }
        let loss: number;
        try {
          loss = s.step(n, t.kind, wantHits);
        } catch (e) {
          throw new Error(`Training stopped at epoch ${epoch + 1}, batch ${b + 1}: ${(e as Error).message}`);
        }
        lossSum += loss * n; seen += n;
        if (wantHits) { hits += s.hits; counted += s.counted; }
        for (const c of all) await c.onBatchEnd?.(b, { loss, size: n });
        if (now() - lastYield >= YIELD_MS) { await yieldToEventLoop(); lastYield = now(); }
      }
      if (seen === 0) break; // stopped before this epoch's first batch: nothing to record
      const logs: Logs = { loss: lossSum / seen };
      if (wantHits) logs.accuracy = counted ? hits / counted : Number.NaN;
      if (valSet) {
        s.reserve(1);
        const r = evaluation(s.evaluateResident(valSet));
        logs.valLoss = r.loss;
        if (r.accuracy !== undefined) logs.valAccuracy = r.accuracy;
      }
      logs.learningRate = s.optimizer!.currentLearningRate;
      history.record(epoch, logs);
      for (const c of all) await c.onEpochEnd?.(epoch, logs);
    }
    for (const c of all) await c.onTrainEnd?.();
  } finally {
    (train as Dataset | null)?.free();
    (valSet as Dataset | null)?.free();
    (augTmp as WasmTensor | null)?.free();
  }
  return history;
}

/**
 * NOTE: fit yields to the event loop only when YIELD_MS have passed since the last yield, and
 * with a yield that is not clamped: setTimeout(0) waits ≥ 1 ms (4 ms when nested), which made
 * a 10,000-epoch XOR run 90× slower than a trainOnBatch loop. setImmediate (Node, Bun, Deno)
 * or a MessageChannel message (browsers) lets pending events run and returns at once.
 */
const YIELD_MS = 50;
const now = () => (globalThis.performance ?? Date).now();
const yieldToEventLoop: () => Promise<void> = (() => {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return () => new Promise<void>((r) => { g.setImmediate!(r); });
  if (typeof MessageChannel === 'function') {
    // a channel per yield, closed at once: an open port would keep a worker or Deno alive
    return () => new Promise<void>((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); r(); };
      ch.port2.postMessage(0);
    });
  }
  return () => new Promise<void>((r) => setTimeout(r, 0));
})();
