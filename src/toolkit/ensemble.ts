// ensemble(models): CS231n lecture 6's model ensembles — train several models
// independently (different seeds, or checkpoints of one run) and average their predicted
// probabilities at test time; typically a couple of percent better than one model.
//
//   const e = ensemble([m1, m2, m3]);
//   e.predict(x, {batchSize})     mean of the members' probabilities, [n, ...outputShape]
//   e.evaluate(x, y, {batchSize}) {loss, accuracy} of those averaged probabilities
//
// What is averaged, per member (the model's loss family decides, as it decides the loss):
//   categorical losses   softmax over the outputs of each sample: of the member's output
//                        when it is logits (any last layer without a softmax), else the
//                        member's softmax output itself
//   binary losses        sigmoid of each output when it is logits, else the sigmoid output
//   regression losses    the outputs themselves (a plain mean)
// The softmax is the library's `softmax` helper and the sigmoid the core's biasAct kernel,
// so the probabilities are the same bits in every runtime; the mean is a float64 sum of the
// members' probabilities divided by their number, stored in float32 (float64 when any
// member is float64).
//
// evaluate: loss = the cross-entropy of the averaged probabilities (categorical: mean over
// samples of −Σ t·log p, with int labels or one-hot/soft rows; binary: mean over all outputs
// of −[t·log p + (1 − t)·log(1 − p)]), p clipped to [1e-7, 1 − 1e-7] as Keras does (log in
// wasm), or the mean squared error for regression members. accuracy = the core's metric
// kernels on the averaged probabilities: argmax vs label (or vs the one-hot argmax),
// p > 0.5 vs t > 0.5 per output for binary; none for regression. No regularization term:
// the ensemble has no weights of its own.
//
// Members are checked when the ensemble is made and again at each call: a non-empty list of
// Sequential models, each compiled, built, not disposed, with the same input shape, output
// shape and loss family. The members are only read (predict), never changed or disposed.

import { Act, runtime, WasmTensor, type DType } from '../../bindings/index.js';
import { losses, type Loss } from '../losses.js';
import { Model } from '../model/model.js';
import { toTargets, type Features, type Targets } from '../model/data.js';
import { softmax } from '../ops.js';
import { checkKeys, describe } from '../options.js';
import { Tensor, shapeStr } from '../tensor.js';

export type EnsembleKind = 'categorical' | 'binary' | 'regression';

export interface EnsembleEvaluation {
  loss: number;
  /** Absent for regression members. */
  accuracy?: number;
}

export interface Ensemble {
  readonly members: readonly Model[];
  /** The members' loss family: what predict averages. */
  readonly kind: EnsembleKind;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Mean of the members' probabilities (regression: of their outputs). */
  predict(x: Features, options?: { batchSize?: number }): Tensor;
  /** Cross-entropy (mse for regression) and accuracy of the averaged probabilities. */
  evaluate(x: Features, y: Targets, options?: { batchSize?: number }): EnsembleEvaluation;
}

const EPS = 1e-7;

interface Checked { kind: EnsembleKind; inputShape: number[]; outputShape: number[]; dtype: DType }

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function check(models: readonly unknown[], what: string): Checked {
  let first: Checked | null = null;
  for (let i = 0; i < models.length; i++) {
    const m = models[i];
    const name = `member ${i}`;
    if (!(m instanceof Model)) throw new Error(`${what}: ${name} is ${describe(m)}, not a model (Sequential or Model)`);
    if (m.isDisposed) throw new Error(`${what}: ${name} (model '${m.name}') has been disposed`);
    if (!m.loss || !m.optimizer) throw new Error(`${what}: ${name} (model '${m.name}') is not compiled: its loss says whether its outputs are logits, probabilities or values (model.compile({optimizer, loss}))`);
    if (!m.built) throw new Error(`${what}: ${name} (model '${m.name}') is not built: give its first layer an inputShape, or train it first`);
    const c: Checked = { kind: m.loss.family, inputShape: m.inputShape!, outputShape: m.outputShape!, dtype: m.dtype };
    if (!first) { first = c; continue; }
    if (!sameShape(c.inputShape, first.inputShape)) throw new Error(`${what}: ${name} takes inputs of shape ${shapeStr(c.inputShape)} but member 0 takes ${shapeStr(first.inputShape)}`);
    if (!sameShape(c.outputShape, first.outputShape)) throw new Error(`${what}: ${name} outputs shape ${shapeStr(c.outputShape)} but member 0 outputs ${shapeStr(first.outputShape)}`);
    if (c.kind !== first.kind) throw new Error(`${what}: ${name} has a ${c.kind} loss (${m.loss.name}) but member 0 a ${first.kind} one: their outputs cannot be averaged`);
    if (c.dtype === 'float64') first.dtype = 'float64';
  }
  return first!;
}

/** Runs fn on scratch wasm tensors (freed afterwards, also when fn throws). */
function withScratch<T>(fn: (alloc: (data: ArrayLike<number> | null, dtype: DType | 'int32', n: number) => WasmTensor) => T): T {
  const made: WasmTensor[] = [];
  try {
    return WasmTensor.transaction(() => fn((data, dtype, n) => {
      const w = new WasmTensor([Math.max(n, 1)], dtype, 'ensemble scratch');
      made.push(w);
      if (data && data.length) w.write(data);
      return w;
    }));
  } finally {
    for (const w of made) w.free();
  }
}

/** Elementwise logistic sigmoid in wasm (biasAct with no bias), in the tensor's dtype. */
function sigmoid(t: Tensor): Tensor {
  const dtype = t.dtype as DType;
  const data = withScratch((alloc) => {
    const x = alloc(t.data, dtype, t.size);
    runtime().kernels[dtype].biasAct(x, x, null, 1, t.size, Act.sigmoid, 0);
    return x.read(t.size);
  });
  return new Tensor(data, t.shape, dtype);
}

/** A member's probabilities (or regression outputs) for x, as [n, outSize] data. */
function memberProbabilities(m: Model, x: Features, batchSize: number | undefined): Tensor {
  const out = m.predict(x, batchSize === undefined ? {} : { batchSize });
  const loss = m.loss!;
  const last = m.session.outputLayer.outputActivation;
  if (loss.family === 'categorical' && last !== 'softmax') {
    const n = out.shape[0];
    // the loss reads every output of a sample as one row of logits
    return softmax(new Tensor(out.data, [n, out.size / Math.max(n, 1)], out.dtype));
  }
  if (loss.family === 'binary' && last !== 'sigmoid') return sigmoid(out);
  return out;
}

/** The ensemble of `models` (see the file header). Checks every member before anything runs. */
export function ensemble(models: readonly Model[]): Ensemble {
  if (!Array.isArray(models)) throw new Error(`ensemble expects an array of Sequential models, got ${describe(models)}`);
  if (models.length === 0) throw new Error('ensemble: the list of models is empty');
  const members = Object.freeze(models.slice());
  const info = check(members, 'ensemble');

  const predict = (x: Features, options: { batchSize?: number } = {}): Tensor => {
    options ??= {};
    checkKeys(options, ['batchSize'], 'ensemble.predict');
    const c = check(members, 'ensemble.predict');
    let sum: Float64Array | null = null;
    let shape: readonly number[] = [];
    for (const m of members) {
      const p = memberProbabilities(m, x, options.batchSize);
      if (!sum) { sum = new Float64Array(p.size); shape = [p.size / c.outputShape.reduce((a, b) => a * b, 1), ...c.outputShape]; }
      const d = p.data;
      for (let i = 0; i < d.length; i++) sum[i] += d[i];
    }
    const out = c.dtype === 'float64' ? new Float64Array(sum!.length) : new Float32Array(sum!.length);
    for (let i = 0; i < out.length; i++) out[i] = sum![i] / members.length;
    return new Tensor(out, shape, c.dtype);
  };

  const evaluate = (x: Features, y: Targets, options: { batchSize?: number } = {}): EnsembleEvaluation => {
    options ??= {};
    checkKeys(options, ['batchSize'], 'ensemble.evaluate');
    const c = check(members, 'ensemble.evaluate');
    // any target form some member's loss of this family takes (labels or one-hot for categorical)
    const targetLoss: Loss = c.kind === 'categorical' ? losses.softmaxCrossEntropy() : c.kind === 'binary' ? losses.sigmoidCrossEntropy() : losses.mse();
    const p = predict(x, options);
    const n = p.shape[0];
    if (n === 0) throw new Error('ensemble.evaluate: x has no samples');
    const ty = toTargets(y, n, c.outputShape, targetLoss);
    const cols = p.size / n;
    const dtype = p.dtype as DType;
    const pd = p.data, t = ty.data;
    return withScratch((alloc) => {
      const k = runtime().kernels[dtype];
      const log = runtime().exports.math_log;
      const clip = (v: number) => (v < EPS ? EPS : v > 1 - EPS ? 1 - EPS : v);
      const probs = alloc(pd, dtype, pd.length);
      if (c.kind === 'regression') {
        const targets = alloc(t, dtype, t.length);
        return { loss: k.mse(null, probs, targets, null, n, cols) };
      }
      let total = 0;
      let hits: number;
      if (c.kind === 'categorical' && ty.kind === 'labels') {
        for (let r = 0; r < n; r++) total -= log(clip(pd[r * cols + t[r]]));
        const labels = alloc(t, 'int32', n);
        hits = k.countArgmaxHits(probs, labels, n, cols) / n;
      } else if (c.kind === 'categorical') {
        for (let i = 0; i < pd.length; i++) if (t[i] !== 0) total -= t[i] * log(clip(pd[i]));
        const targets = alloc(t, dtype, t.length);
        hits = k.countArgmaxMatches(probs, targets, n, cols) / n;
      } else {
        for (let i = 0; i < pd.length; i++) {
          const q = clip(pd[i]);
          if (t[i] !== 0) total -= t[i] * log(q);
          if (t[i] !== 1) total -= (1 - t[i]) * log(1 - q);
        }
        total /= cols; // a mean over every output, as the binary losses
        const targets = alloc(t, dtype, t.length);
        hits = k.countBinaryHits(probs, targets, pd.length, 0.5) / pd.length;
      }
      return { loss: total / n, accuracy: hits };
    });
  };

  return Object.freeze({ members, kind: info.kind, inputShape: Object.freeze(info.inputShape), outputShape: Object.freeze(info.outputShape), predict, evaluate });
}
