// diagnostics: CS231n's "look at your network before you train it" checks.
//
//   activationStats(model, x, {bins = 30, batchSize = 256})
//       one entry per layer: mean, std (population), min, max, saturation, dead share and a
//       histogram of the layer's output (after its fused activation) in inference mode —
//       the lecture's "activation statistics" figures (10 layers × 500 units with tanh) in
//       one call per initializer. The statistics are computed in wasm
//       (assembly/diagnostics.ts) on each layer's own output buffer (`layer.output`) after a
//       predict() of each chunk of x; nothing big is copied to JS.
//         saturation  share of outputs at the flat ends of a squashing activation: |h| > 0.99
//                     for tanh, h < 0.01 or h > 0.99 (|h − 0.5| > 0.49) for sigmoid; null for
//                     layers whose output is not a tanh or sigmoid (activationName).
//         dead        share of outputs exactly 0 (±0): dead ReLUs.
//         histogram   `bins` equal bins from min to max (max in the last bin; numpy's
//                     (min − 0.5, max + 0.5) when they are equal); edges has bins + 1 entries.
//       When x spans more than one chunk, x is run twice: the histogram's range is known
//       only after the first pass.
//
//   sanityCheck(model, x, y, {samples = 20, epochs = 200, optimizer})
//       initialLoss           data loss (inference mode, no regularization) on x, y
//       expectedInitialLoss   the loss at chance: ln C for the categorical losses (C output
//                             units), ln 2 for the binary ones (their loss is a mean over
//                             outputs, ln 2 per output), null for regression
//       lossWithRegularization  model.evaluate(x, y).loss: the data loss plus Σ λ‖W‖²
//       regIncreasesLoss      lossWithRegularization > initialLoss, or null when no trainable
//                             weight has a regularizer (nothing to check)
//       overfitTrainAccuracy  accuracy on the first `samples` samples after training a copy
//                             without regularization (layer regularizers set to null and
//                             the optimizer's weightDecay to 0) on exactly them, full batch,
//                             until 100% or `epochs` epochs; null for regression losses
//       overfitLoss, overfitEpochs  the copy's final data loss on those samples, epochs run
//   The model itself is only read: its weights, optimizer state and RNG streams are as they
//   were (the copy has its own).

import { runtime, WasmTensor } from '../../bindings/index.js';
import type { Layer } from '../layers/layer.js';
import { checkKeys, describe as describeValue, positiveInt } from '../options.js';
import { inferInputShape, toFeatures, toTargets, type Features, type Targets } from '../model/data.js';
import { Model } from '../model/model.js';
import { serialize, type Serialized } from '../serialization.js';
import { Tensor, type TypedArray } from '../tensor.js';
import type { Optimizer, OptimizerName } from '../optimizers/index.js';
import { cloneModel } from './clone.js';

export interface LayerStats {
  name: string;
  className: string;
  /** The activation the output went through ('tanh', 'relu', …), or null. */
  activation: string | null;
  mean: number;
  /** Population standard deviation (numpy's np.std). */
  std: number;
  min: number;
  max: number;
  /** Share of saturated outputs for tanh/sigmoid outputs, else null (see the file header). */
  saturation: number | null;
  /** Share of outputs exactly 0. */
  dead: number;
  histogram: { edges: number[]; counts: number[] };
}

export interface ActivationStatsOptions {
  /** Histogram bins (default 30). */
  bins?: number;
  /** Samples per forward pass (default 256, as predict). */
  batchSize?: number;
}

export interface SanityCheckOptions {
  /** Samples the copy overfits (default 20; all of x when it has fewer). */
  samples?: number;
  /** Most epochs (full-batch steps) of the overfitting run (default 200). */
  epochs?: number;
  /** Optimizer of the overfitting run (default: the model's optimizer config, weightDecay 0). */
  optimizer?: Optimizer | OptimizerName | Serialized;
}

export interface SanityCheckResult {
  initialLoss: number;
  expectedInitialLoss: number | null;
  lossWithRegularization: number;
  regIncreasesLoss: boolean | null;
  overfitTrainAccuracy: number | null;
  overfitLoss: number;
  overfitEpochs: number;
}

/** center, threshold of the saturation count per activation: |h − center| > threshold. */
const SATURATION: Record<string, [number, number]> = { tanh: [0, 0.99], sigmoid: [0.5, 0.49] };

interface Acc { s1: number; s2: number; zeros: number; sat: number; min: number; max: number; count: number; shift: number }

function activationStats(model: Model, x: Features, options: ActivationStatsOptions = {}): LayerStats[] {
  const what = 'activationStats';
  alive(model, what);
  checkKeys(options, ['bins', 'batchSize'], what);
  const bins = positiveInt(options?.bins ?? 30, `${what} bins`);
  const batchSize = positiveInt(options?.batchSize ?? 256, `${what} batchSize`);
  const data = features(model, x, what);
  const per = data.per, n = data.values.length / per;
  if (n === 0) throw new Error(`${what}: x has no samples`);
  const layers = model.layers;
  const k = runtime().kernels[model.dtype];
  const chunks: [number, number][] = [];
  for (let s = 0; s < n; s += batchSize) chunks.push([s, Math.min(n, s + batchSize)]);
  const forward = ([s, e]: [number, number]) => {
    model.predict(data.values.subarray(s * per, e * per), { batchSize: e - s });
    return e - s;
  };
  const size = (l: Layer) => l.outputShape.reduce((a, b) => a * b, 1);
  const acc: Acc[] = layers.map(() => ({ s1: 0, s2: 0, zeros: 0, sat: 0, min: Infinity, max: -Infinity, count: 0, shift: 0 }));
  const stats = new WasmTensor([6], 'float64', `${what} scratch`);
  const counts = new WasmTensor([bins], 'float64', `${what} histogram`);
  const hist: number[][] = [];
  try {
    for (const [c, chunk] of chunks.entries()) {
      const rows = forward(chunk);
      layers.forEach((l, i) => {
        const out = output(l, what), a = acc[i], len = rows * size(l);
        if (c === 0) a.shift = out.view(1)[0];
        const [center, threshold] = SATURATION[l.activationName ?? ''] ?? [0, Infinity];
        k.activationStats(stats, out, len, a.shift, center, threshold);
        const r = stats.view() as Float64Array;
        a.s1 += r[0]; a.s2 += r[1]; a.zeros += r[2]; a.sat += r[3];
        a.min = Number.isNaN(r[4]) || Number.isNaN(a.min) ? NaN : Math.min(a.min, r[4]);
        a.max = Number.isNaN(r[5]) || Number.isNaN(a.max) ? NaN : Math.max(a.max, r[5]);
        a.count += len;
      });
    }
    // histograms: in the same pass when x was one chunk (its buffers still hold it), else a second pass
    const ranges = acc.map((a) => range(a.min, a.max));
    layers.forEach((_, i) => { hist[i] = new Array<number>(bins).fill(0); });
    for (const chunk of chunks) {
      const rows = chunks.length === 1 ? chunk[1] - chunk[0] : forward(chunk);
      layers.forEach((l, i) => {
        const rg = ranges[i];
        if (!rg) return;
        counts.view().fill(0);
        k.histogram(counts, output(l, what), rows * size(l), bins, rg[0], rg[1]);
        const got = counts.view();
        for (let b = 0; b < bins; b++) hist[i][b] += got[b];
      });
    }
    return layers.map((l, i) => {
      const a = acc[i], rg = ranges[i];
      const mean = a.shift + a.s1 / a.count;
      const variance = Math.max(0, (a.s2 - (a.s1 * a.s1) / a.count) / a.count);
      const edges = rg ? Array.from({ length: bins + 1 }, (_, b) => (b === bins ? rg[1] : rg[0] + (b * (rg[1] - rg[0])) / bins)) : [];
      return {
        name: l.name, className: l.className, activation: l.activationName,
        mean, std: Math.sqrt(variance), min: a.min, max: a.max,
        saturation: SATURATION[l.activationName ?? ''] ? a.sat / a.count : null,
        dead: a.zeros / a.count,
        histogram: { edges, counts: rg ? hist[i] : [] },
      };
    });
  } finally {
    stats.free();
    counts.free();
  }
}

/** The histogram range [lo, hi] (hi > lo), or null when the values are not all finite. */
function range(min: number, max: number): [number, number] | null {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return max > min ? [min, max] : [min - 0.5, max + 0.5];
}

function output(l: Layer, what: string): WasmTensor {
  const out = l.output;
  if (!out) throw new Error(`${what}: layer '${l.name}' exposes no output after a forward pass`);
  return out;
}

/** x flattened to one typed array, with the per-sample size; builds an unbuilt model for x's shape (as predict would). */
function features(model: Model, x: Features, what: string): { values: TypedArray; per: number } {
  let shape = model.inputShape;
  if (!shape) {
    try {
      shape = inferInputShape(x);
    } catch (e) {
      throw new Error(`${what}: the model is not built and its first layer has no inputShape, so x must show the sample shape (${(e as Error).message})`);
    }
  }
  const fx = toFeatures(x, shape);
  if (!model.built) model.build(shape);
  const values = ArrayBuffer.isView(fx.data) ? (fx.data as TypedArray) : Float64Array.from(fx.data);
  return { values, per: shape.reduce((a, b) => a * b, 1) };
}

async function sanityCheck(model: Model, x: Features, y: Targets, options: SanityCheckOptions = {}): Promise<SanityCheckResult> {
  const what = 'sanityCheck';
  alive(model, what);
  checkKeys(options, ['samples', 'epochs', 'optimizer'], what);
  const samples = positiveInt(options?.samples ?? 20, `${what} samples`);
  const epochs = positiveInt(options?.epochs ?? 200, `${what} epochs`);
  const loss = model.loss;
  if (!loss || !model.optimizer) throw new Error(`${what}: the model must be compiled first (model.compile({optimizer, loss})): the checks are about its loss`);
  const data = features(model, x, what);
  const per = data.per, n = data.values.length / per;
  if (n === 0) throw new Error(`${what}: x has no samples`);
  const outShape = model.outputShape!;
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const ty = toTargets(y, n, outShape, loss);
  const classification = loss.family !== 'regression';

  // the model's loss with its regularization, in inference mode; reads the model only
  const lossWithRegularization = model.evaluate(data.values, y).loss;
  const regularized = model.trainableParams().some((p) => p.regularizer !== null && p.regularizer.lambda > 0);

  const optimizer = withoutDecay(options?.optimizer === undefined ? serialize(model.optimizer) : options.optimizer);
  const copy = cloneModel(model, { dropRegularizers: true, optimizer, metrics: classification ? ['accuracy'] : [], what });
  try {
    const initialLoss = copy.evaluate(data.values, y).loss;
    const k = Math.min(samples, n);
    const xs = data.values.slice(0, k * per);
    const ys: Tensor | Int32Array = ty.kind === 'labels'
      ? Int32Array.from({ length: k }, (_, i) => ty.data[i])
      : new Tensor(Float64Array.from({ length: k * outSize }, (_, i) => ty.data[i]), [k, outSize], 'float64');
    let last = copy.evaluate(xs, ys);
    let run = 0;
    if (!(classification && last.accuracy === 1)) {
      await copy.fit(xs, ys, {
        epochs, batchSize: k, shuffle: false,
        callbacks: [{
          onEpochEnd: () => {
            run++;
            last = copy.evaluate(xs, ys);
            if (classification && last.accuracy === 1) copy.stopTraining = true;
          },
        }],
      });
    }
    return {
      initialLoss,
      expectedInitialLoss: loss.family === 'categorical' ? Math.log(outSize) : loss.family === 'binary' ? Math.LN2 : null,
      lossWithRegularization,
      regIncreasesLoss: regularized ? lossWithRegularization > initialLoss : null,
      overfitTrainAccuracy: classification ? last.accuracy ?? null : null,
      overfitLoss: last.loss,
      overfitEpochs: run,
    };
  } finally {
    copy.dispose();
  }
}

/** An optimizer spec with weightDecay 0 (weight decay is regularization too). */
function withoutDecay(spec: unknown): Serialized | string {
  const s = typeof spec === 'string' ? { className: spec, config: {} }
    : spec && typeof spec === 'object' && 'getConfig' in spec ? serialize(spec as Optimizer)
      : spec as Serialized;
  if (!s || typeof s !== 'object' || typeof s.className !== 'string') throw new Error(`sanityCheck optimizer must be a name, an optimizers.*() object or {className, config}, got ${describeValue(spec)}`);
  // every optimizer takes weightDecay (L2 in the update, or AdamW's decoupled decay)
  return { className: s.className, config: { ...(s.config ?? {}), weightDecay: 0 } };
}

function alive(model: unknown, what: string): asserts model is Model {
  if (!(model instanceof Model)) throw new Error(`${what} expects a model (Sequential or Model), got ${describeValue(model)}`);
  if (model.isDisposed) throw new Error(`${what}: model '${model.name}' has been disposed`);
  if (model.layers.length === 0) throw new Error(`${what}: the model has no layers`);
}

export const diagnostics = { activationStats, sanityCheck };
