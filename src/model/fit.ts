// The training loops. fit(): the whole training set is validated once and copied into wasm
// memory once; each batch is then gathered by a shuffled index array (and optionally
// shifted at random) by kernels, so an epoch makes no per-batch JS copies of the data.
// fitDataset(): batches come from a (sync or async) iterable, iterated afresh each epoch;
// each is validated and copied into the batch buffers and nothing is retained.
// Both share runEpochs(): callbacks, History, stopTraining and event-loop yields.

import { WasmTensor, BYTES } from '../../bindings/index.js';
import { progressBar, type Callback, type CallbackModel } from '../callbacks.js';
import { checkKeys, describe, positiveInt } from '../options.js';
import { checkBatchSize, sampleWeights, subarray, toFeatures, toTargets, type Features, type Targets } from './data.js';
import { checkMetricTargets } from '../metrics.js';
import type { Tensor } from '../tensor.js';
import { History, type Logs } from './history.js';
import { Monitor } from './monitor.js';
import { evaluateResident, gather, upload, type Dataset } from './resident.js';
import type { Session } from './session.js';

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
  /** One weight ≥ 0 per training sample: each sample's loss is multiplied by it (Keras). */
  sampleWeight?: ArrayLike<number> | Tensor;
  /** Weight per class index ({0: 1, 1: 10}); classes not listed weigh 1 (Keras). */
  classWeight?: Record<number, number>;
  /** Record update/weight ratios, gradient norms and dead ReLU shares per epoch in history.monitors. */
  monitor?: boolean;
}

/** One batch of a dataset: inputs and targets as fit takes them. */
export interface Batch { xs: Features; ys: Targets }
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch>;

export interface FitDatasetOptions {
  epochs?: number;
  /** Batches taken from each (fresh) iteration of the dataset; default: until it ends. */
  batchesPerEpoch?: number;
  /** [x, y] arrays, or a dataset of batches, evaluated at the end of every epoch. */
  validationData?: [Features, Targets] | BatchSource;
  callbacks?: Callback[];
  verbose?: 0 | 1;
  /** Record update/weight ratios, gradient norms and dead ReLU shares per epoch in history.monitors. */
  monitor?: boolean;
}

/**
 * What the loops need besides the session: the model for callbacks, the loss's
 * regularization term, building from data; `started` is set once the first epoch begins
 * (before that, a failure leaves nothing trained and the caller may undo a build).
 */
export interface FitContext { model: CallbackModel; regularization(): number; ensureBuilt(x: Features): void; started?: boolean }

/** A finished run: Sequential calls the callbacks' onTrainEnd once fit no longer holds the model. */
export interface FitRun { history: History; callbacks: Callback[]; last: Logs | null }

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'validationSplit', 'callbacks', 'verbose', 'augment', 'sampleWeight', 'classWeight', 'monitor'];

export async function fit(s: Session, x: Features, y: Targets, o: FitOptions, ctx: FitContext): Promise<FitRun> {
  checkKeys(o, FIT_KEYS, 'fit');
  const epochs = checkEpochs(o.epochs);
  const batchSize = checkBatchSize(o.batchSize ?? 32);
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new Error(`Invalid validationSplit: ${describe(split)} (must be in [0, 1))`);
  if (split > 0 && o.validationData) throw new Error('give either validationData or validationSplit, not both');
  if (o.augment !== undefined) checkKeys(o.augment, ['shift', 'imageShape'], 'fit augment');
  ctx.ensureBuilt(x);
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
  checkMetricTargets(s.metrics, ty.kind);
  const ws = sampleWeights(o.sampleWeight, o.classWeight, ty, fx.n, s.outSize, s.dtype);
  let val: { x: ArrayLike<number>; y: ArrayLike<number>; kind: typeof ty.kind; n: number; first: number; what: string } | null = null;
  if (o.validationData) {
    const v = validationArrays(s, o.validationData);
    val = { ...v, first: 0, what: 'validationData x' };
  } else if (split > 0) {
    const tw = ty.kind === 'labels' ? 1 : outSize;
    val = { x: subarray(fx.data, nTrain * inSize, fx.n * inSize), y: subarray(ty.data, nTrain * tw, fx.n * tw), kind: ty.kind, n: fx.n - nTrain, first: nTrain, what: 'x' };
  }

  // All or nothing: the datasets, the augmentation buffer and the batch buffers.
  const { train, valSet, augTmp } = WasmTensor.transaction(() => {
    const train = upload(s, fx.data, ty.data, ty.kind, nTrain, 0, 'x', ws);
    const valSet = val ? upload(s, val.x, val.y, val.kind, val.n, val.first, val.what) : null;
    const augTmp = shift > 0 ? new WasmTensor([Math.min(batchSize, nTrain), inSize], s.dtype, 'augmentation buffer') : null;
    s.reserve(Math.min(batchSize, Math.max(nTrain, valSet?.n ?? 0)));
    s.applyTrainable(); // attaches the optimizer before the first step
    return { train, valSet, augTmp };
  });
  const rowBytes = inSize * BYTES[s.dtype];
  const batches = Math.ceil(nTrain / batchSize);
  // NOTE: each epoch shuffles the identity, not the last epoch's order: the permutation then
  // depends only on the (saved) shuffle stream, so a checkpoint taken mid-fit resumes exactly
  const identity = Int32Array.from({ length: nTrain }, (_, i) => i);
  try {
    return await runEpochs(s, ctx, { epochs, batches, callbacks: o.callbacks, verbose: o.verbose, monitor: o.monitor, validation: !!valSet },
      async (epoch, trainBatch) => {
        if (o.shuffle ?? true) {
          train.order.write(identity);
          s.k.shuffle(train.order, s.stream('shuffle'), nTrain);
        }
        for (let b = 0; b < batches && !s.stopTraining; b++) {
          const start = b * batchSize;
          const n = Math.min(batchSize, nTrain - start);
          // NOTE: buffers are looked up per batch, never held across an await: a predict()
          // called from a callback may reallocate them (reserve) between two steps.
          s.reserve(n);
          gather(s, train, start, n);
          if (augTmp) {
            s.k.gatherRows(augTmp, train.x, train.batch.moveTo(start, n), n, rowBytes);
            s.k.randomShift(s.inputBuffer, s.stream('augment'), augTmp, n, image![0], image![1], image![2], shift);
          }
          await trainBatch(epoch, b, n, train.kind, ws !== null);
        }
      },
      valSet ? () => evaluateResident(s, valSet) : null);
  } finally {
    train.free();
    valSet?.free();
    augTmp?.free();
  }
}

export async function fitDataset(s: Session, dataset: BatchSource, o: FitDatasetOptions, ctx: FitContext): Promise<FitRun> {
  checkKeys(o, ['epochs', 'batchesPerEpoch', 'validationData', 'callbacks', 'verbose', 'monitor'], 'fitDataset');
  const epochs = checkEpochs(o.epochs);
  const perEpoch = o.batchesPerEpoch === undefined ? null : positiveInt(o.batchesPerEpoch, 'fitDataset batchesPerEpoch');
  checkSource(dataset, 'fitDataset dataset');
  // NOTE: an unbuilt model is built from the first batch of the first epoch's iteration,
  // which that epoch then trains on: a throwaway iteration consumed the first batch of a
  // one-shot iterator (array.values()), so the first epoch silently skipped it
  let first: AsyncGenerator<unknown> | null = null;
  let pending: AsyncGenerator<unknown> | null = null;
  let valArrays: Dataset | null = null;
  try {
    if (!s.built) {
      first = batchesOf(dataset, perEpoch);
      const head = await first.next();
      if (!head.done) {
        pending = replay(head.value, first);
        const b = head.value;
        if (b && typeof b === 'object' && 'xs' in b) ctx.ensureBuilt((b as Batch).xs);
      }
    }
    if (s.built) s.applyTrainable(); // attaches the optimizer and resolves the metrics' names
    let valSource: BatchSource | null = null;
    if (o.validationData !== undefined) {
      if (Array.isArray(o.validationData)) {
        ctx.ensureBuilt(o.validationData[0]);
        const v = validationArrays(s, o.validationData);
        valArrays = upload(s, v.x, v.y, v.kind, v.n, 0, 'validationData x');
      } else {
        checkSource(o.validationData, 'fitDataset validationData');
        valSource = o.validationData;
      }
    }
    return await runEpochs(s, ctx, { epochs, batches: perEpoch, callbacks: o.callbacks, verbose: o.verbose, monitor: o.monitor, validation: !!(valArrays || valSource) },
      async (epoch, trainBatch) => {
        let b = 0;
        const source = pending ?? batchesOf(dataset, perEpoch);
        pending = null;
        for await (const batch of source) {
          const n = loadDatasetBatch(s, ctx, batch, `epoch ${epoch + 1}, batch ${b + 1}`);
          await trainBatch(epoch, b++, n.n, n.kind, false);
          if (s.stopTraining) break;
        }
        if (b === 0) throw new Error(`fitDataset: the dataset yielded no batches in epoch ${epoch + 1} (an iterable must yield {xs, ys} afresh on each iteration)`);
      },
      valArrays ? () => evaluateResident(s, valArrays!)
        : valSource ? () => evaluateSource(s, ctx, valSource!, null, 'validationData') : null);
  } finally {
    valArrays?.free();
    // closes the first iteration when no epoch took it over (a replay that never started
    // would not run its finally, so the inner iteration is closed as well)
    await first?.return(undefined);
  }
}

/** The batch already taken from `rest`, then the rest (closing `rest` however it ends). */
async function* replay(head: unknown, rest: AsyncGenerator<unknown>): AsyncGenerator<unknown> {
  try {
    yield head;
    yield* rest;
  } finally {
    await rest.return(undefined);
  }
}

/** Mean data loss over the batches of an iterable, inference mode; the metrics restart and sum over it. */
export async function evaluateSource(s: Session, ctx: FitContext, source: BatchSource, batches: number | null, what: string): Promise<number> {
  checkSource(source, what);
  let lossSum = 0, n = 0, b = 0;
  s.resetMetrics();
  for await (const batch of batchesOf(source, batches)) {
    const r = loadDatasetBatch(s, ctx, batch, `${what} batch ${++b}`);
    lossSum += s.evaluateBuffers(r.n, r.kind) * r.n;
    n += r.n;
  }
  if (n === 0) throw new Error(`${what} yielded no samples`);
  return lossSum / n;
}

// ---- shared ----

interface EpochPlan { epochs: number; batches: number | null; callbacks?: Callback[]; verbose?: 0 | 1; monitor?: boolean; validation: boolean }
type TrainBatch = (epoch: number, batch: number, n: number, kind: 'labels' | 'dense', weighted: boolean) => Promise<void>;
/** Mean data loss of the validation data; leaves the metric sums of that data in the session. */
type Validate = () => number | Promise<number>;

async function runEpochs(s: Session, ctx: FitContext, plan: EpochPlan, epochBody: (epoch: number, trainBatch: TrainBatch) => Promise<void>, validate: Validate | null): Promise<FitRun> {
  const cbs = plan.callbacks ?? [];
  if (!Array.isArray(cbs)) throw new Error(`callbacks must be an array, got ${describe(cbs)}`);
  cbs.forEach((c, i) => { if (!c || typeof c !== 'object') throw new Error(`callbacks[${i}] must be a callback object, got ${describe(c)}`); });
  if (plan.verbose !== undefined && plan.verbose !== 0 && plan.verbose !== 1) throw new Error(`Invalid verbose: ${describe(plan.verbose)} (0 or 1)`);
  const all = [...(plan.verbose ? [progressBar({ epochs: plan.epochs, batches: plan.batches })] : []), ...cbs];
  const names = s.metrics.map((m) => m.name);
  const val = (n: string) => 'val' + n[0].toUpperCase() + n.slice(1);
  const logNames = ['loss', ...names, ...(plan.validation ? ['valLoss', ...names.map(val)] : []), 'learningRate'];
  if (plan.monitor !== undefined && typeof plan.monitor !== 'boolean') throw new Error(`Invalid monitor: ${describe(plan.monitor)} (true or false)`);
  const monitor = plan.monitor || all.some((c) => c.needsMonitors) ? new Monitor(s) : null;
  const history = new History();
  let last: Logs | null = null;
  s.stopTraining = false;
  let lossSum = 0, seen = 0;
  let lastYield = now();
  const trainBatch: TrainBatch = async (epoch, b, n, kind, weighted) => {
    let loss: number;
    try {
      loss = s.step(n, kind, true, weighted);
    } catch (e) {
      throw new Error(`Training stopped at epoch ${epoch + 1}, batch ${b + 1}: ${(e as Error).message}`);
    }
    lossSum += loss * n; seen += n;
    monitor?.afterStep(n);
    for (const c of all) await c.onBatchEnd?.(b, { loss, size: n });
    if (now() - lastYield >= YIELD_MS) { await yieldToEventLoop(); lastYield = now(); }
  };
  for (const c of all) await c.onTrainBegin?.({ model: ctx.model, epochs: plan.epochs, batchesPerEpoch: plan.batches, logNames, history, monitoring: !!monitor });
  ctx.started = true;
  for (let epoch = 0; epoch < plan.epochs && !s.stopTraining; epoch++) {
    for (const c of all) await c.onEpochBegin?.(epoch);
    lossSum = 0; seen = 0;
    s.resetMetrics();
    await epochBody(epoch, trainBatch);
    if (seen === 0) break; // stopped before this epoch's first batch: nothing to record
    const logs: Logs = { loss: lossSum / seen, ...s.metricResults() };
    if (validate) {
      logs.valLoss = (await validate()) + ctx.regularization();
      Object.assign(logs, s.metricResults('val'));
    }
    logs.learningRate = s.optimizer!.currentLearningRate;
    history.record(epoch, logs);
    if (monitor) history.monitors.push(monitor.epochEnd());
    last = logs;
    for (const c of all) await c.onEpochEnd?.(epoch, logs);
  }
  return { history, callbacks: all, last };
}

/** Validates validationData [x, y] arrays against the model. */
function validationArrays(s: Session, v: unknown): { x: ArrayLike<number>; y: ArrayLike<number>; kind: 'labels' | 'dense'; n: number } {
  if (!Array.isArray(v) || v.length !== 2) throw new Error(`validationData must be [x, y], got ${describe(v)}`);
  const vx = toFeatures(v[0], s.inputShape, 'validationData x');
  const vy = toTargets(v[1], vx.n, s.outputShape, s.loss!, 'validationData y');
  if (vx.n === 0) throw new Error('validationData has no samples');
  checkMetricTargets(s.metrics, vy.kind);
  return { x: vx.data, y: vy.data, kind: vy.kind, n: vx.n };
}

/** Checks and loads one {xs, ys} batch of a dataset into the batch buffers. */
function loadDatasetBatch(s: Session, ctx: FitContext, batch: unknown, what: string): { n: number; kind: 'labels' | 'dense' } {
  if (!batch || typeof batch !== 'object' || !('xs' in batch) || !('ys' in batch)) throw new Error(`${what}: a dataset must yield {xs, ys}, got ${describe(batch)}`);
  const { xs, ys } = batch as Batch;
  ctx.ensureBuilt(xs);
  const fx = toFeatures(xs, s.inputShape, `${what} xs`);
  const ty = toTargets(ys, fx.n, s.outputShape, s.loss!, `${what} ys`);
  if (fx.n === 0) throw new Error(`${what}: xs has no samples`);
  checkMetricTargets(s.metrics, ty.kind);
  s.loadBatch(fx.data, ty.data, ty.kind, fx.n);
  return { n: fx.n, kind: ty.kind };
}

function checkSource(d: unknown, what: string): void {
  const o = d as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (!o || (typeof o[Symbol.asyncIterator] !== 'function' && typeof o[Symbol.iterator] !== 'function')) {
    throw new Error(`${what} must be an iterable or async iterable of {xs, ys} batches, got ${describe(d)}`);
  }
}

/** A fresh iteration of the source, ending after `limit` batches (closing the iterator). */
async function* batchesOf(source: BatchSource, limit: number | null): AsyncGenerator<unknown> {
  let k = 0;
  if (limit === 0) return;
  for await (const b of source as AsyncIterable<unknown>) {
    yield b;
    if (limit !== null && ++k >= limit) return; // for-await calls the iterator's return()
  }
}

function checkEpochs(e: unknown): number {
  const epochs = e ?? 1;
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 0) throw new Error(`Invalid epochs: ${describe(epochs)} (must be a non-negative integer)`);
  return epochs;
}

/**
 * NOTE: the loops yield to the event loop only when YIELD_MS have passed since the last
 * yield, and with a yield that is not clamped: setTimeout(0) waits ≥ 1 ms (4 ms when
 * nested), which made a 10,000-epoch XOR run 90× slower than a trainOnBatch loop.
 * setImmediate (Node, Bun, Deno) or a MessageChannel message (browsers) lets pending events
 * run and returns at once.
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
