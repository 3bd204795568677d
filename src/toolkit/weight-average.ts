// callbacks.weightAverage({decay = 0.999, warmup = false}): Polyak / exponential moving
// averaging of the parameters — CS231n lecture 6's "keep a moving average of the parameter
// vector and use that at test time" (TensorFlow's ExponentialMovingAverage, torch's
// AveragedModel with an EMA).
//
// After each training batch, for every trainable parameter w:
//     avg = decay·avg + (1 − decay)·w
// with the core's `ema` kernel on wasm copies this callback allocates at onTrainBegin (one
// pass over the parameters per batch, no JS-heap copies; the float32 kernel rounds decay
// and 1 − decay to float32). The average starts from the weights at the start of training
// (so train for well over 1/(1 − decay) batches: ~1,000 for 0.999), or from the previous
// fit's average when the same model trains again. warmup: true uses TensorFlow's
// num_updates rule, decay_t = min(decay, (1 + t)/(10 + t)) at the t-th update, so the
// average forgets the initial weights fast early on.
//
// Not averaged: non-trainable weights (batch-norm moving mean and variance: they already
// are moving averages, of statistics of the current weights' activations; they are copied
// from the model as they are) and the weights of frozen layers (`trainable = false`, which
// the optimizer does not change either).
//
// At onTrainEnd the averages are copied to the JS heap and the wasm copies freed (also by
// dispose(), e.g. after a fit that threw). Then:
//   averagedWeights()  Tensor[] in getWeights() order: the averages, and the model's own
//                      values of the weights not averaged (also during fit, from wasm)
//   swapIn()           puts the averaged weights into the model (keeping a copy of its
//                      own); swapOut() puts those back, bit for bit. setWeights is refused
//                      while fit runs, so swap between fits; training while swapped in is
//                      an Error (swapOut first)
//   averagedModel()    a new model (save/load of this one, so the same layers, optimizer
//                      state and RNG streams) holding averagedWeights(); works during fit
//                      too. The caller disposes it.

import { runtime, WasmTensor } from '../../bindings/index.js';
import type { Callback, TrainInfo } from '../callbacks.js';
import type { Param } from '../layers/layer.js';
import type { Model } from '../model/model.js';
import { checkBool, checkKeys, describe } from '../options.js';
import { Tensor, type TypedArray } from '../tensor.js';

export interface WeightAverageArgs {
  /** Weight of the old average per batch, in [0, 1) (default 0.999). */
  decay?: number;
  /** TensorFlow's num_updates rule: decay_t = min(decay, (1 + t)/(10 + t)) (default false). */
  warmup?: boolean;
}

export interface WeightAverage extends Callback {
  readonly decay: number;
  /** EMA updates so far (batches trained with this callback). */
  readonly updates: number;
  /** Whether the averaged weights are in the model now. */
  readonly swapped: boolean;
  /** Averaged weights in getWeights() order (non-averaged weights: the model's values). */
  averagedWeights(): Tensor[];
  /** Puts the averaged weights into the model; swapOut() restores the model's own. */
  swapIn(): void;
  swapOut(): void;
  /** A new model (save/load of the trained one) holding the averaged weights; the caller disposes it. */
  averagedModel(): Promise<Model>;
  /** Frees the wasm copies and forgets the averages (the model is left as it is). */
  dispose(): void;
}

type Float = Float32Array | Float64Array;

export function weightAverage(args: WeightAverageArgs = {}): WeightAverage {
  args ??= {};
  checkKeys(args, ['decay', 'warmup'], 'callbacks.weightAverage');
  const decay = args.decay ?? 0.999;
  if (typeof decay !== 'number' || !(decay >= 0 && decay < 1)) throw new Error(`Invalid weightAverage decay: ${describe(decay)} (a number in [0, 1))`);
  const warmup = checkBool(args.warmup ?? false, 'weightAverage warmup');

  let model: Model | null = null;
  /** Per parameter (getWeights order): a wasm average during fit, else null. */
  let live: (WasmTensor | null)[] = [];
  /** Per parameter: the JS copy of the average between fits, else null. */
  let host: (Float | null)[] = [];
  /** Per parameter: whether it is averaged. */
  let averaged: boolean[] = [];
  let shapes: string[] = [];
  let updates = 0;
  let saved: Tensor[] | null = null;
  // the trainable list the mask below was made from (Sequential returns the same array until it changes)
  let trainableList: readonly Param[] | null = null;
  let frozenMask: boolean[] = [];

  const freeLive = () => {
    for (const t of live) t?.free();
    live = [];
  };

  /** Copies live averages to the JS heap and frees them. */
  const toHost = () => {
    if (!live.length) return;
    host = live.map((t) => (t ? (t.read() as Float) : null));
    freeLive();
  };

  const params = (what: string): Param[] => {
    if (!model) throw new Error(`weightAverage.${what}: nothing averaged yet; pass this callback to fit first`);
    if (model.isDisposed) throw new Error(`weightAverage.${what}: model '${model.name}' has been disposed`);
    const ps = model.params();
    if (ps.length !== shapes.length || ps.some((p, i) => p.value.shape.join(',') !== shapes[i])) {
      throw new Error(`weightAverage.${what}: the model's weights changed (layers added or removed) since they were averaged`);
    }
    return ps;
  };

  const self: WeightAverage = {
    decay,
    get updates() { return updates; },
    get swapped() { return saved !== null; },

    onTrainBegin(info: TrainInfo) {
      const m = info.model as unknown as Model;
      if (typeof (m as { params?: unknown }).params !== 'function') throw new Error('callbacks.weightAverage needs a Sequential model (it reads model.params())');
      if (saved) throw new Error(`callbacks.weightAverage: the averaged weights are swapped into model '${model!.name}'; call swapOut() before training again`);
      toHost(); // a previous fit that threw left its averages in wasm
      const ps = m.params();
      const sh = ps.map((p) => p.value.shape.join(','));
      const resume = m === model && host.length === ps.length && sh.every((s, i) => s === shapes[i]);
      if (!resume) { host = []; updates = 0; saved = null; }
      model = m;
      shapes = sh;
      averaged = ps.map((p) => p.trainable && p.grad !== null);
      trainableList = null;
      live = WasmTensor.transaction(() => ps.map((p, i) => {
        if (!averaged[i]) return null;
        const t = new WasmTensor(p.value.shape, p.value.dtype, `weightAverage ${p.name}`);
        t.write(resume && host[i] ? host[i]! : p.value.view());
        return t;
      }));
      host = [];
    },

    onBatchEnd() {
      if (!model || !live.length) return;
      const ps = model.params();
      const tl = model.trainableParams();
      if (tl !== trainableList) {
        const set = new Set<Param>(tl);
        frozenMask = ps.map((p) => !set.has(p));
        trainableList = tl;
      }
      updates++;
      const d = warmup ? Math.min(decay, (1 + updates) / (10 + updates)) : decay;
      for (let i = 0; i < ps.length; i++) {
        const avg = live[i];
        if (!avg || frozenMask[i]) continue;
        const v = ps[i].value; // the optimizer may have swapped it for its spare: read it per batch
        runtime().kernels[avg.dtype as 'float32' | 'float64'].ema(avg, v, v.size, d);
      }
    },

    onTrainEnd() {
      toHost();
    },

    averagedWeights(): Tensor[] {
      const ps = params('averagedWeights');
      return ps.map((p, i) => {
        const src = averaged[i] ? (live[i]?.read() ?? (host[i] as TypedArray | null)?.slice()) : p.value.read();
        if (!src) throw new Error('weightAverage.averagedWeights: the averages were disposed');
        return new Tensor(src as TypedArray, p.value.shape, p.value.dtype);
      });
    },

    swapIn() {
      if (saved) throw new Error('weightAverage.swapIn: the averaged weights are already swapped in');
      const ws = self.averagedWeights();
      const own = model!.getWeights();
      model!.setWeights(ws);
      saved = own;
    },

    swapOut() {
      if (!saved) throw new Error('weightAverage.swapOut: the averaged weights are not swapped in');
      if (!model || model.isDisposed) throw new Error('weightAverage.swapOut: the model has been disposed');
      model.setWeights(saved);
      saved = null;
    },

    async averagedModel(): Promise<Model> {
      const ws = self.averagedWeights();
      const Ctor = model!.constructor as typeof Model;
      const copy = await Ctor.load(model!.save());
      try {
        copy.setWeights(ws);
      } catch (e) {
        copy.dispose();
        throw e;
      }
      return copy;
    },

    dispose() {
      freeLive();
      host = [];
      averaged = [];
      shapes = [];
      updates = 0;
      saved = null;
      model = null;
    },
  };
  return self;
}
