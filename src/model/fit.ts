// The training loop. The whole training set is validated once and copied into wasm memory
// once; each batch is then gathered by a shuffled index array (and optionally shifted at
// random) by kernels, so an epoch makes no per-batch JS copies of the data.

import { runtime, WasmTensor, BYTES } from '../../bindings/index.js';
import { progressBar, type Callback } from '../callbacks.js';
import { size } from '../layers/layer.js';
import type { TargetKind } from '../losses.js';
import { checkBatchSize, checkFinite, subarray, toFeatures, toTargets, type Features, type Targets } from './data.js';
import { History, type Logs } from './history.js';
import type { Sequential } from './sequential.js';

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

/** A dataset in wasm memory; `order` holds row indices 0…n−1 (gathered in order). */
interface Dataset { x: WasmTensor; y: WasmTensor; order: WasmTensor; kind: TargetKind; n: number }

export async function fit(model: Sequential, x: Features, y: Targets, o: FitOptions): Promise<History> {
  if (o === null || typeof o !== 'object') throw new Error(`fit options must be an object, got ${String(o)}`);
  const epochs = o.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`Invalid epochs: ${String(epochs)} (must be a non-negative integer)`);
  const batchSize = checkBatchSize(o.batchSize ?? 32);
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new Error(`Invalid validationSplit: ${String(split)} (must be in [0, 1))`);
  if (split > 0 && o.validationData) throw new Error('give either validationData or validationSplit, not both');
  const cbs = o.callbacks ?? [];
  if (!Array.isArray(cbs)) throw new Error('callbacks must be an array');
  const inputShape = model.layers[0].inputShape;
  const outputShape = model.outputShape!;
  const inSize = size(inputShape);
  const outSize = size(outputShape);
  const shift = o.augment?.shift ?? 0;
  if (!Number.isInteger(shift) || shift < 0) throw new Error(`Invalid augment.shift: ${String(shift)} (a non-negative integer)`);
  const image = o.augment?.imageShape ?? (inputShape.length === 3 ? (inputShape as [number, number, number]) : null);
  if (shift > 0 && (!image || image.length !== 3 || image[0] * image[1] * image[2] !== inSize)) {
    throw new Error(`augment.shift needs images: give augment.imageShape [h, w, c] with h·w·c = ${inSize} (got ${JSON.stringify(image)})`);
  }

  // Validate everything before touching the model.
  const fx = toFeatures(x, inputShape);
  const ty = toTargets(y, fx.n, outputShape, model.loss!);
  const nTrain = split > 0 ? Math.floor(fx.n * (1 - split)) : fx.n;
  if (nTrain === 0) throw new Error(`fit: no training samples (${fx.n} samples, validationSplit ${split})`);
  let val: { x: ArrayLike<number>; y: ArrayLike<number>; kind: TargetKind; n: number } | null = null;
  if (o.validationData) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new Error('validationData must be [x, y]');
    const vx = toFeatures(o.validationData[0], inputShape, 'validationData x');
    const vy = toTargets(o.validationData[1], vx.n, outputShape, model.loss!, 'validationData y');
    val = { x: vx.data, y: vy.data, kind: vy.kind, n: vx.n };
  } else if (split > 0) {
    const tw = ty.kind === 'labels' ? 1 : outSize;
    val = { x: subarray(fx.data, nTrain * inSize, fx.n * inSize), y: subarray(ty.data, nTrain * tw, fx.n * tw), kind: ty.kind, n: fx.n - nTrain };
  }

  const ex = runtime().exports;
  const dtype = model.dtype;
  const upload = (xs: ArrayLike<number>, ys: ArrayLike<number>, kind: TargetKind, n: number): Dataset => {
    const dx = new WasmTensor([Math.max(n, 1), inSize], dtype);
    const dy = kind === 'labels' ? new WasmTensor([Math.max(n, 1)], 'int32') : new WasmTensor([Math.max(n, 1), outSize], dtype);
    dx.write(subarray(xs, 0, n * inSize));
    dy.write(subarray(ys, 0, n * (kind === 'labels' ? 1 : outSize)));
    const order = new WasmTensor([Math.max(n, 1)], 'int32');
    order.write(Int32Array.from({ length: n }, (_, i) => i));
    return { x: dx, y: dy, order, kind, n };
  };
  const toFree: WasmTensor[] = [];
  const history = new History();
  const bar = o.verbose ? [progressBar({ epochs, batches: Math.ceil(nTrain / batchSize) })] : [];
  const all = [...bar, ...cbs];
  model.stopTraining = false;
  try {
    const train = upload(fx.data, ty.data, ty.kind, nTrain);
    toFree.push(train.x, train.y, train.order);
    const valSet = val ? upload(val.x, val.y, val.kind, val.n) : null;
    if (valSet) toFree.push(valSet.x, valSet.y, valSet.order);
    // the data are in wasm now: the NaN/Infinity scan runs there, before any training
    const k = runtime().kernels[dtype];
    checkFinite(k, train.x, nTrain * inSize, inSize, 0, 'x');
    if (valSet) checkFinite(k, valSet.x, valSet.n * inSize, inSize, o.validationData ? 0 : nTrain, o.validationData ? 'validationData x' : 'x');
    const perm = train.order; // reshuffled in place every epoch
    const augTmp = shift > 0 ? new WasmTensor([batchSize, inSize], dtype) : null;
    if (augTmp) toFree.push(augTmp);
    model.reserve(Math.min(batchSize, Math.max(nTrain, valSet?.n ?? 0)));
    const rowBytes = inSize * BYTES[dtype];
    const yRowBytes = train.kind === 'labels' ? 4 : outSize * BYTES[dtype];
    const wantHits = model.metrics.length > 0;
    // NOTE: buffers are looked up per batch, never held across an await: a predict() called
    // from a callback may reallocate them (reserve) between two steps.
    const yBuf = () => (train.kind === 'labels' ? model.labelBuffer : model.targetBuffer);
    let lastYield = now();

    for (const c of all) await c.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
      for (const c of all) await c.onEpochBegin?.(epoch);
      if (o.shuffle ?? true) ex.shuffle_i32(perm.ptr, nTrain, model.rngShuffle!.ptr);
      let lossSum = 0, hits = 0, counted = 0;
      const batches = Math.ceil(nTrain / batchSize);
      for (let b = 0; b < batches && !model.stopTraining; b++) {
        const start = b * batchSize;
        const n = Math.min(batchSize, nTrain - start);
        const idx = perm.ptr + start * 4;
        if (augTmp) {
          ex.gather_rows(augTmp.ptr, train.x.ptr, idx, n, rowBytes);
          k.randomShift(model.inputBuffer.ptr, augTmp.ptr, n, image![0], image![1], image![2], shift, model.rngAugment!.ptr);
        } else {
          ex.gather_rows(model.inputBuffer.ptr, train.x.ptr, idx, n, rowBytes);
        }
        ex.gather_rows(yBuf().ptr, train.y.ptr, idx, n, yRowBytes);
        let loss: number, h: number, cnt: number;
        try {
          [loss, h, cnt] = model.stepOnBuffers(n, train.kind, wantHits);
        } catch (e) {
          throw new Error(`Training stopped at epoch ${epoch + 1}, batch ${b + 1}: ${(e as Error).message}`);
        }
        lossSum += loss * n; hits += h; counted += cnt;
        for (const c of all) await c.onBatchEnd?.(b, { loss, size: n });
        if (now() - lastYield > 50) { await yieldToEventLoop(); lastYield = now(); }
      }
      const seen = Math.min(nTrain, batches * batchSize);
      const logs: Logs = { loss: lossSum / seen };
      if (wantHits) logs.accuracy = hits / counted;
      if (valSet) {
        const r = evaluateResident(model, valSet);
        logs.valLoss = r.loss;
        if (r.accuracy !== undefined) logs.valAccuracy = r.accuracy;
      }
      logs.learningRate = model.optimizer!.currentLearningRate;
      history.record(epoch, logs);
      for (const c of all) await c.onEpochEnd?.(epoch, logs);
      await yieldToEventLoop();
      lastYield = now();
    }
    for (const c of all) await c.onTrainEnd?.();
  } finally {
    for (const t of toFree) t.free();
  }
  return history;
}

/** Loss and accuracy over a dataset already in wasm memory, in inference mode. */
function evaluateResident(model: Sequential, ds: Dataset): { loss: number; accuracy?: number } {
  const ex = runtime().exports;
  const inSize = size(model.layers[0].inputShape);
  const outSize = size(model.outputShape!);
  const bytes = BYTES[model.dtype];
  const yRow = ds.kind === 'labels' ? 4 : outSize * bytes;
  const yBuf = ds.kind === 'labels' ? model.labelBuffer : model.targetBuffer;
  const chunk = model.inputBuffer.shape[0];
  let lossSum = 0, hits = 0, counted = 0;
  for (let s = 0; s < ds.n; s += chunk) {
    const n = Math.min(chunk, ds.n - s);
    const idx = ds.order.ptr + s * 4;
    ex.gather_rows(model.inputBuffer.ptr, ds.x.ptr, idx, n, inSize * bytes);
    ex.gather_rows(yBuf.ptr, ds.y.ptr, idx, n, yRow);
    const [l, h, c] = model.evaluateBuffers(n, ds.kind);
    lossSum += l * n; hits += h; counted += c;
  }
  return model.evaluation(lossSum / ds.n, hits, counted);
}

const now = () => (globalThis.performance ?? Date).now();
const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));
