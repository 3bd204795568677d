// Tensor helpers users need around a model, computed in wasm like everything else:
//   softmax(logits)          rows of probabilities (over the last axis)
//   argMax(t)                Int32 index of the largest value of each row (first on ties)
//   oneHot(labels, depth)    one-hot rows of integer labels
// Each copies its input into scratch wasm memory, runs one kernel and returns a JS-owned
// Tensor; the scratch is freed before returning.

import { runtime, WasmTensor, type DType } from '../bindings/index.js';
import { describe, positiveInt } from './options.js';
import { Tensor, tensor, type TypedArray } from './tensor.js';

function asTensor(t: unknown, what: string): Tensor {
  if (t instanceof Tensor) return t;
  if (ArrayBuffer.isView(t) || Array.isArray(t)) return tensor(t as ArrayLike<number>);
  throw new Error(`${what} expects a Tensor, a typed array or an array, got ${describe(t)}`);
}

function floatType(t: Tensor, what: string): DType {
  if (t.dtype === 'int32') throw new Error(`${what} expects float32 or float64 values, got an int32 tensor`);
  return t.dtype;
}

/** Rows × columns of a tensor read along its last axis. */
function rowsOf(t: Tensor, what: string): [number, number] {
  if (t.shape.length === 0) throw new Error(`${what} expects at least one axis, got a scalar`);
  const cols = t.shape[t.shape.length - 1];
  if (cols === 0) throw new Error(`${what}: the last axis is empty (shape [${t.shape.join(', ')}])`);
  return [t.size / cols, cols];
}

function run<T extends TypedArray>(fn: (scratch: (data: ArrayLike<number>, dtype: DType | 'int32', n: number) => WasmTensor) => WasmTensor): T {
  const made: WasmTensor[] = [];
  try {
    const out = WasmTensor.transaction(() => fn((data, dtype, n) => {
      const w = new WasmTensor([Math.max(n, 1)], dtype, 'helper scratch');
      made.push(w);
      if (data.length) w.write(data);
      return w;
    }));
    return out.read() as T;
  } finally {
    for (const w of made) w.free();
  }
}

/** Softmax over the last axis (stable: max-shifted), in the input's float dtype. */
export function softmax(logits: Tensor | ArrayLike<number> | unknown[]): Tensor {
  const t = asTensor(logits, 'softmax');
  const dtype = floatType(t, 'softmax');
  const [rows, cols] = rowsOf(t, 'softmax');
  const data = run((scratch) => {
    const x = scratch(t.data, dtype, t.size);
    runtime().kernels[dtype].softmax(x, x, rows, cols);
    return x;
  });
  return new Tensor(data.slice(0, t.size) as TypedArray, t.shape, dtype);
}

/** Index of the largest value along the last axis (first on ties; NaN never wins): Int32 [rows]. */
export function argMax(t: Tensor | ArrayLike<number> | unknown[]): Tensor {
  const x = asTensor(t, 'argMax');
  const dtype = floatType(x, 'argMax');
  const [rows, cols] = rowsOf(x, 'argMax');
  const data = run((scratch) => {
    const src = scratch(x.data, dtype, x.size);
    const out = scratch([], 'int32', rows);
    runtime().kernels[dtype].argMax(out, src, rows, cols);
    return out;
  });
  return new Tensor(data.slice(0, rows) as TypedArray, x.shape.slice(0, -1), 'int32');
}

/** One-hot rows [n, depth] of integer labels in [0, depth) (float32 by default). */
export function oneHot(labels: Tensor | ArrayLike<number>, depth: number, dtype: DType = 'float32'): Tensor {
  const l = labels instanceof Tensor ? labels.data : labels;
  if (!l || typeof (l as ArrayLike<number>).length !== 'number') throw new Error(`oneHot expects integer labels, got ${describe(labels)}`);
  positiveInt(depth, 'oneHot depth');
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`oneHot dtype must be 'float32' or 'float64', got ${describe(dtype)}`);
  const n = (l as ArrayLike<number>).length;
  for (let i = 0; i < n; i++) {
    const v = (l as ArrayLike<number>)[i];
    if (!Number.isInteger(v) || v < 0 || v >= depth) throw new Error(`oneHot: label ${describe(v)} at index ${i} is not a class index in [0, ${depth})`);
  }
  const data = run((scratch) => {
    const lab = scratch(l as ArrayLike<number>, 'int32', n);
    const out = scratch([], dtype, n * depth);
    runtime().kernels[dtype].oneHot(out, lab, n, depth);
    return out;
  });
  return new Tensor(data.slice(0, n * depth) as TypedArray, [n, depth], dtype);
}
