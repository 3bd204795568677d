// Input coercion and validation: everything a user passes is checked here, before any
// model state changes, with errors that name the argument and the offending value.

import type { Kernels, WasmTensor } from '../../bindings/index.js';
import type { Param } from '../layers/layer.js';
import { Tensor, shapeStr, type TypedArray } from '../tensor.js';
import type { Loss, TargetKind } from '../losses.js';
import { describe as describeValue } from '../options.js';
import { isSymbolic } from './graph.js';

export type Features = Tensor | TypedArray | number[] | number[][] | unknown[];
export type Targets = Tensor | Int32Array | Float32Array | Float64Array | number[] | number[][];

export interface FeatureData { data: ArrayLike<number>; n: number; shape: number[] }
export interface TargetData { kind: TargetKind; data: ArrayLike<number> }

const sz = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Per-sample shape implied by x when the model has none yet. */
export function inferInputShape(x: Features, what = 'x'): number[] {
  if (x instanceof Tensor) {
    if (x.shape.length < 2) throw new Error(`${what} must have a batch axis: shape ${shapeStr(x.shape)} has rank ${x.shape.length}; the model has no inputShape to infer from`);
    return x.shape.slice(1);
  }
  if (Array.isArray(x) && Array.isArray(x[0])) {
    const inner: number[] = [];
    let cur: unknown = x[0];
    while (Array.isArray(cur)) { inner.push(cur.length); cur = cur[0]; }
    if (inner.some((d) => d === 0)) throw new Error(`${what} has an empty row: cannot infer the input shape`);
    return inner;
  }
  throw new Error(`cannot infer the input shape from a flat ${what}: give the first layer an inputShape or pass a Tensor`);
}

/** Flattens and checks x against the model's per-sample input shape. */
export function toFeatures(x: Features, inputShape: number[], what = 'x'): FeatureData {
  if (isSymbolic(x)) throw symbolicData(what);
  const per = sz(inputShape);
  let data: ArrayLike<number>;
  if (x instanceof Tensor) {
    if (x.dtype === 'int32') throw new Error(`${what} must be float32 or float64, got an int32 tensor`);
    if (x.shape.length !== inputShape.length + 1) {
      throw new Error(`${what} must have rank ${inputShape.length + 1} ([batch, ${inputShape.join(', ')}]) but has shape ${shapeStr(x.shape)}`);
    }
    const got = x.shape.slice(1);
    if (got.some((d, i) => d !== inputShape[i])) {
      throw new Error(`${what} has per-sample shape ${shapeStr(got)} but the model expects ${shapeStr(inputShape)} (feature size ${sz(got)} vs ${per})`);
    }
    data = x.data;
  } else if (ArrayBuffer.isView(x)) {
    data = x as TypedArray;
  } else if (Array.isArray(x)) {
    if (x.length > 0 && Array.isArray(x[0])) {
      const rowShape = inferInputShape(x as unknown[], what);
      const rowLen = sz(rowShape);
      if (rowLen !== per) throw new Error(`${what} rows have feature size ${rowLen} but the model expects ${per} (input shape ${shapeStr(inputShape)})`);
      (x as unknown[]).forEach((row, i) => checkNested(row, rowShape, `${what} row ${i}`));
      data = (x as unknown[]).flat(Infinity) as number[];
    } else {
      data = x as number[];
    }
  } else {
    throw new Error(`${what} must be a Tensor, a typed array or an array, got ${x === null ? 'null' : typeof x}`);
  }
  if (data.length % per !== 0) {
    throw new Error(`${what} has ${data.length} values, not a whole number of samples of feature size ${per} (input shape ${shapeStr(inputShape)})`);
  }
  // NOTE: typed arrays are checked for NaN/Infinity in wasm once copied in (a SIMD scan,
  // see checkFinite); plain arrays may also hold non-numbers, so they are checked here.
  if (!ArrayBuffer.isView(data)) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw nonFinite(what, v, i, per);
    }
  }
  return { data, n: data.length / per, shape: inputShape };
}

/** Throws unless `a` is a nested array of exactly this shape (ragged rows are named). */
function checkNested(a: unknown, shape: number[], what: string): void {
  if (shape.length === 0) {
    if (Array.isArray(a)) throw new Error(`${what} is ragged: an array where a number was expected`);
    return;
  }
  if (!Array.isArray(a)) throw new Error(`${what} is ragged: ${describeValue(a)} where an array of ${shape[0]} was expected`);
  if (a.length !== shape[0]) throw new Error(`${what} is ragged: it has ${a.length} entries, the first row has ${shape[0]}`);
  if (shape.length > 1) for (let i = 0; i < a.length; i++) checkNested(a[i], shape.slice(1), `${what}[${i}]`);
  else for (let i = 0; i < a.length; i++) if (Array.isArray(a[i])) throw new Error(`${what}[${i}] is ragged: an array where a number was expected`);
}

export function nonFinite(what: string, v: unknown, i: number, per: number): Error {
  return new Error(`${what} contains ${describe(v)} at sample ${Math.floor(i / per)}, feature ${i % per}; inputs must be finite numbers`);
}

/** Checks targets against n samples, the output width and what the loss accepts. */
export function toTargets(y: Targets, n: number, outputShape: number[], loss: Loss, what = 'y'): TargetData {
  if (isSymbolic(y)) throw symbolicData(what);
  const cols = sz(outputShape);
  let data: ArrayLike<number>;
  let shape: number[] | null = null;
  if (y instanceof Tensor) { data = y.data; shape = y.shape.slice(); }
  else if (ArrayBuffer.isView(y)) data = y as TypedArray;
  else if (Array.isArray(y)) {
    if (y.length > 0 && Array.isArray(y[0])) {
      shape = [y.length, (y[0] as number[]).length];
      (y as unknown[]).forEach((row, i) => checkNested(row, shape!.slice(1), `${what} row ${i}`));
      data = (y as number[][]).flat();
    } else data = y as number[];
  } else throw new Error(`${what} must be a Tensor, a typed array or an array, got ${y === null ? 'null' : typeof y}`);

  const isIntTyped = (y instanceof Tensor && y.dtype === 'int32') || y instanceof Int32Array;
  const labelsShaped = shape ? shape.length === 1 : data.length === n && (cols !== 1 || isIntTyped);
  const kind: TargetKind = loss.targets.includes('labels') && (isIntTyped || (labelsShaped && data.length === n && cols > 1)) ? 'labels' : 'dense';

  if (kind === 'labels') {
    if (data.length !== n) throw new Error(`${what} has ${data.length} labels but x has ${n} samples`);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isInteger(v)) throw new Error(`${what} label ${describe(v)} at index ${i} is not an integer class index`);
      if (v < 0 || v >= cols) throw new Error(`${what} label ${v} at index ${i} is out of range [0, ${cols}) for ${cols} output units`);
    }
    return { kind, data };
  }
  if (!loss.targets.includes('dense')) throw new Error(`loss '${loss.name}' needs integer labels`);
  if (data.length !== n * cols) {
    throw new Error(`${what} has ${data.length} values but ${n} samples × ${cols} outputs need ${n * cols}` +
      (loss.targets.includes('labels') ? ` (or ${n} integer labels)` : ''));
  }
  if (shape && shape.length > 1 && sz(shape.slice(1)) !== cols) {
    throw new Error(`${what} has per-sample shape ${shapeStr(shape.slice(1))} but the model outputs ${shapeStr(outputShape)}`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} contains ${describe(v)} at sample ${Math.floor(i / cols)}, output ${i % cols}`);
  }
  return { kind, data };
}

function describe(v: unknown): string {
  if (typeof v !== 'number') return `a non-number (${String(v)})`;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

/** Checks a setWeights() list against the parameters (count, shapes, finiteness); returns the data. */
export function checkWeights(params: Param[], weights: unknown): ArrayLike<number>[] {
  if (!Array.isArray(weights)) throw new Error(`setWeights expects an array of ${params.length} tensors, got ${typeof weights}`);
  if (weights.length !== params.length) throw new Error(`setWeights expects ${params.length} weight tensors, got ${weights.length}`);
  return weights.map((w: Tensor | ArrayLike<number>, i) => {
    const p = params[i];
    const data = w instanceof Tensor ? w.data : w;
    if (w instanceof Tensor && (w.shape.length !== p.value.shape.length || w.shape.some((d, j) => d !== p.value.shape[j]))) {
      throw new Error(`setWeights: weight ${i} (${p.name}) has shape ${shapeStr(w.shape)} but the model expects ${shapeStr(p.value.shape)}`);
    }
    if (!data || data.length !== p.value.size) {
      throw new Error(`setWeights: weight ${i} (${p.name}) has ${data?.length} values but shape ${shapeStr(p.value.shape)} needs ${p.value.size}`);
    }
    for (let j = 0; j < data.length; j++) {
      if (!Number.isFinite(data[j])) throw new Error(`setWeights: weight ${i} (${p.name}) contains ${data[j]} at index ${j}`);
    }
    return data;
  });
}

/** Throws the input error for the first NaN/Infinity among `count` values of a wasm buffer. */
export function checkFinite(k: Kernels, t: WasmTensor, count: number, per: number, firstSample: number, what: string): void {
  const i = k.firstNonFinite(t, count);
  if (i >= 0) throw nonFinite(what, t.view(count)[i], firstSample * per + i, per);
}

export function checkBatchSize(b: unknown): number {
  if (typeof b !== 'number' || !Number.isInteger(b) || b <= 0) throw new Error(`Invalid batchSize: ${describeValue(b)} (must be a positive integer)`);
  return b;
}

/** Rows [from, to) of flat data without copying typed arrays. */
export function subarray(a: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return ArrayBuffer.isView(a) ? (a as Float32Array).subarray(from, to) : Array.prototype.slice.call(a, from, to);
}

/**
 * Per-sample loss weights from fit's sampleWeight and classWeight (Keras: the two multiply;
 * a class missing from classWeight weighs 1), or null when neither is given.
 */
export function sampleWeights(sampleWeight: unknown, classWeight: unknown, ty: TargetData, n: number, classes: number, dtype: 'float32' | 'float64'): Float32Array | Float64Array | null {
  if (sampleWeight === undefined && classWeight === undefined) return null;
  const w = dtype === 'float32' ? new Float32Array(n).fill(1) : new Float64Array(n).fill(1);
  if (sampleWeight !== undefined) {
    const data = sampleWeight instanceof Tensor ? sampleWeight.data : sampleWeight;
    if (!data || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') throw new Error(`sampleWeight must be an array of ${n} numbers, got ${describeValue(sampleWeight)}`);
    const a = data as ArrayLike<number>;
    if (a.length !== n) throw new Error(`sampleWeight has ${a.length} weights but x has ${n} samples`);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`sampleWeight[${i}] is ${describeValue(v)}; weights must be finite and ≥ 0`);
      w[i] = v;
    }
  }
  if (classWeight !== undefined) {
    if (!classWeight || typeof classWeight !== 'object' || Array.isArray(classWeight)) throw new Error(`classWeight must be an object {classIndex: weight}, got ${describeValue(classWeight)}`);
    // NOTE: a single-output binary model has classes 0 and 1 (target ≤ or > 0.5)
    const nClasses = classes === 1 ? 2 : classes;
    const table = new Float64Array(nClasses).fill(1);
    for (const [key, v] of Object.entries(classWeight as Record<string, unknown>)) {
      const c = Number(key);
      if (!Number.isInteger(c) || c < 0 || c >= nClasses) throw new Error(`classWeight has class ${JSON.stringify(key)}, not a class index in [0, ${nClasses})`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`classWeight[${key}] is ${describeValue(v)}; weights must be finite and ≥ 0`);
      table[c] = v;
    }
    for (let i = 0; i < n; i++) w[i] *= table[classOf(ty, i, classes)];
  }
  return w;
}

/** The class of sample i: its label, or the argmax of its target row (first on ties). */
function classOf(ty: TargetData, i: number, classes: number): number {
  if (ty.kind === 'labels') return ty.data[i];
  if (classes === 1) return ty.data[i] > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < classes; c++) if (ty.data[i * classes + c] > ty.data[i * classes + best]) best = c;
  return best;
}

function symbolicData(what: string): Error {
  return new Error(`${what} is a symbolic tensor (from input() or layer.apply()): it describes a model's graph and holds no data; pass arrays, typed arrays or Tensors`);
}
