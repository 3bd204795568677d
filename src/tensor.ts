// The user-facing Tensor: plain JS data with a shape. It owns its typed array (not wasm
// memory), so a Tensor stays valid after the model that produced it is disposed.

import type { DType } from '../bindings/index.js';

export type { DType };
export type TypedArray = Float32Array | Float64Array | Int32Array;
export type TensorDType = DType | 'int32';

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: TensorDType;
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: readonly number[], dtype: TensorDType) {
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
  }

  get size(): number {
    return this.data.length;
  }

  /** Rows as nested arrays (for small tensors and printing). */
  toArray(): unknown {
    const rec = (off: number, dim: number): unknown => {
      if (dim === this.shape.length) return this.data[off];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => rec(off + i * stride, dim + 1));
    };
    return rec(0, 0);
  }
}

const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

/**
 * Makes a Tensor. `data` is a typed array, a flat number array or nested arrays; `shape`
 * defaults to the nesting of `data`. dtype defaults to the typed array's own type
 * (Int32Array → 'int32'), else 'float32'.
 */
export function tensor(data: ArrayLike<number> | unknown[], shape?: readonly number[], dtype?: TensorDType): Tensor {
  const nestedShape = Array.isArray(data) ? shapeOf(data) : [data.length];
  const flat: ArrayLike<number> = Array.isArray(data) && nestedShape.length > 1 ? (data.flat(Infinity) as number[]) : (data as ArrayLike<number>);
  const dt: TensorDType = dtype ?? (data instanceof Float64Array ? 'float64' : data instanceof Int32Array ? 'int32' : 'float32');
  if (!(dt in CTORS)) throw new Error(`tensor: unknown dtype '${dt}' (expected 'float32', 'float64' or 'int32')`);
  const s = shape ?? nestedShape;
  checkShape(s, 'tensor');
  const size = s.reduce((a, b) => a * b, 1);
  if (flat.length !== size) {
    throw new Error(`tensor: data length ${flat.length} does not match shape [${s.join(', ')}] (${size} elements)`);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') throw new Error(`tensor: element ${i} is not a number (${String(flat[i])})`);
  }
  const arr = data instanceof CTORS[dt] ? (data as TypedArray) : CTORS[dt].from(flat);
  if (dt === 'int32') {
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isInteger(flat[i])) throw new Error(`tensor: int32 data must be integers; element ${i} is ${flat[i]}`);
    }
  }
  return new Tensor(arr, s, dt);
}

export function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) throw new Error(`${what}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: shape [${shape.join(', ')}] has an invalid dimension ${d}`);
  }
}

function shapeOf(data: unknown[]): number[] {
  const shape = [data.length];
  let cur: unknown = data[0];
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  // ragged arrays are caught by the length check in tensor()
  return shape;
}

export function shapeStr(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}
