// gradCheck(model, x, y): CS231n's gradient check of a compiled model. For every trainable
// parameter it compares the analytic gradient of the loss (model.computeGradients: the
// training-mode loss with the L2 terms) with the centred difference
//     numeric = (L(w + h) − L(w − h)) / ((w + h) − (w − h))        h = epsilon
// (the denominator is the step actually taken after rounding, 2h up to one ulp of w) on a
// few entries per tensor, and reports the relative error
//     |a − n| / max(|a|, |n|)        0 when max(|a|, |n|) < floor (default 1e-10)
// The floor keeps weights whose gradient is zero or at round-off level (a dead unit, an
// unused input) from reporting 0/0 or noise/noise: there is no relative precision to
// measure below it. CS231n's reading of the error: > 1e-2 wrong, 1e-4..1e-2 suspect (fine
// only across kinks such as ReLU's), < 1e-7 right; a float64 check of this library's layers
// gives ≤ 1e-7 away from kinks.
//
// Precision. Everything runs in float64: a float32 model is checked on a float64 copy
// (same layers, classes and weights; see clone.ts), because in float32 the round-off of
// the loss (≈ 6e-8·|L|) divided by 2h swamps any useful h. A float64 model is checked in
// place: one weight at a time is moved to w ± h and written back bit for bit.
//
// Randomness. Every loss value comes from computeGradients(x, y).loss, which rewinds the
// model's RNG streams: the analytic gradient and every numeric evaluation see the same
// dropout masks, and the model's streams end where they started. Entries of tensors with
// more than `samples` elements are drawn (distinct, uniformly) from a seeded JS generator,
// so a check is reproducible.
//
// The original model is left as it was: weights (restored exactly), optimizer state,
// RNG streams. An unbuilt model is built first, as computeGradients would build it.

import { describe as describeValue, checkKeys, positiveInt } from '../options.js';
import { inferInputShape, type Features, type Targets } from '../model/data.js';
import { Model } from '../model/model.js';
import type { Param } from '../layers/layer.js';
import { cloneModel } from './clone.js';

export interface GradCheckOptions {
  /** Step h of the centred difference (default 1e-5, CS231n's). */
  epsilon?: number;
  /** Entries checked per parameter tensor (default 20; every entry of a smaller tensor). */
  samples?: number;
  /** Seed of the entry sampling (default 0). */
  seed?: number;
  /** Below this, max(|analytic|, |numeric|) counts as zero and the error as 0 (default 1e-10). */
  floor?: number;
}

export interface ParamCheck {
  /** e.g. 'dense_1/kernel' */
  name: string;
  maxRelError: number;
  /** Entries compared. */
  checked: number;
  /** The entry with the largest error (null when nothing was checked). */
  worst: { index: number; analytic: number; numeric: number } | null;
}

export interface GradCheckResult {
  /** The largest relative error over every checked entry. */
  maxRelError: number;
  /** One entry per trainable parameter, in getWeights() order. */
  perParam: ParamCheck[];
}

/** Compares analytic and numeric gradients of the model's loss on (x, y); see the file header. */
export async function gradCheck(model: Model, x: Features, y: Targets, options: GradCheckOptions = {}): Promise<GradCheckResult> {
  if (!(model instanceof Model)) throw new Error(`gradCheck expects a model (Sequential or Model), got ${describeValue(model)}`);
  checkKeys(options, ['epsilon', 'samples', 'seed', 'floor'], 'gradCheck');
  const epsilon = options?.epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new Error(`gradCheck: epsilon must be a finite number > 0, got ${describeValue(epsilon)}`);
  const samples = positiveInt(options?.samples ?? 20, 'gradCheck samples');
  const seed = options?.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new Error(`gradCheck: seed must be a non-negative integer, got ${describeValue(seed)}`);
  const floor = options?.floor ?? 1e-10;
  if (typeof floor !== 'number' || !Number.isFinite(floor) || floor < 0) throw new Error(`gradCheck: floor must be a finite number ≥ 0, got ${describeValue(floor)}`);
  if (model.isDisposed) throw new Error(`gradCheck: model '${model.name}' has been disposed`);
  if (!model.loss || !model.optimizer) throw new Error('gradCheck: the model must be compiled first (model.compile({optimizer, loss})): the check differentiates its loss');
  if (model.layers.length === 0) throw new Error('gradCheck: the model has no layers');
  if (!model.built) model.build(model.inputShape ?? inferInputShape(x));

  const target = model.dtype === 'float64' ? model : cloneModel(model, { dtype: 'float64', what: 'gradCheck' });
  try {
    return check(target, x, y, epsilon, samples, seed, floor);
  } finally {
    if (target !== model) target.dispose();
  }
}

function check(m: Model, x: Features, y: Targets, h: number, samples: number, seed: number, floor: number): GradCheckResult {
  const { grads } = m.computeGradients(x, y); // validates x and y before any weight moves
  const params = m.params();
  const trainable = new Set<Param>(m.trainableParams());
  const rand = mulberry32(seed);
  const loss = () => m.computeGradients(x, y).loss;
  const perParam: ParamCheck[] = [];
  let maxRelError = 0;
  params.forEach((p, i) => {
    if (!trainable.has(p)) return;
    const analytic = grads[i].data;
    const entries = pick(p.value.size, samples, rand);
    const r: ParamCheck = { name: p.name, maxRelError: 0, checked: 0, worst: null };
    for (const j of entries) {
      // NOTE: views are made afresh: an evaluation may grow wasm memory (batch buffers)
      const w0 = p.value.view()[j];
      const wp = w0 + h, wm = w0 - h;
      let fp: number, fm: number;
      try {
        p.value.view()[j] = wp;
        fp = loss();
        p.value.view()[j] = wm;
        fm = loss();
      } finally {
        p.value.view()[j] = w0;
      }
      const numeric = (fp - fm) / (wp - wm);
      const a = analytic[j];
      const scale = Math.max(Math.abs(a), Math.abs(numeric));
      const err = scale < floor ? 0 : Math.abs(a - numeric) / scale;
      r.checked++;
      if (r.worst === null || err > r.maxRelError || (Number.isNaN(err) && !Number.isNaN(r.maxRelError))) {
        r.maxRelError = err; // a NaN sticks
        r.worst = { index: j, analytic: a, numeric };
      }
    }
    if (r.maxRelError > maxRelError || Number.isNaN(r.maxRelError)) maxRelError = r.maxRelError;
    perParam.push(r);
  });
  return { maxRelError, perParam };
}

/** Every index below n when n ≤ k, else k distinct indices (partial Fisher–Yates over a sparse map), sorted. */
function pick(n: number, k: number, rand: () => number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(vj);
  }
  return out.sort((a, b) => a - b);
}

/** mulberry32: a small seeded uniform generator on [0, 1) (entry sampling only). */
function mulberry32(seed: number): () => number {
  let a = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
