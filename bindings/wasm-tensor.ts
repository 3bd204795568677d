// A block of wasm memory with a shape and dtype: how src/ holds parameters, gradients,
// optimizer state and activations. The pointer stays inside; views are made fresh from the
// current memory buffer on each call, so they are never stale after memory.grow.

import type { DType } from './ops.js';
import { runtime } from './runtime.js';

export type StorageType = DType | 'int32';

export type WasmView = Float32Array | Float64Array | Int32Array;

export const BYTES: Record<StorageType, number> = { float32: 4, float64: 8, int32: 4 };

export class WasmTensor {
  readonly ptr: number;
  readonly shape: readonly number[];
  readonly dtype: StorageType;
  /** Element count. */
  readonly size: number;
  private freed = false;

  constructor(shape: readonly number[], dtype: StorageType) {
    this.shape = shape.slice();
    this.dtype = dtype;
    this.size = shape.reduce((a, b) => a * b, 1);
    this.ptr = runtime().arena.alloc(this.size * BYTES[dtype]);
  }

  get bytes(): number {
    return this.size * BYTES[this.dtype];
  }

  /** A live view of the first `count` elements (default all); invalid after memory.grow. */
  view(count = this.size): WasmView {
    const buf = runtime().arena.buffer;
    switch (this.dtype) {
      case 'float32': return new Float32Array(buf, this.ptr, count);
      case 'float64': return new Float64Array(buf, this.ptr, count);
      default: return new Int32Array(buf, this.ptr, count);
    }
  }

  /** Copies `src` in at element `offset` (converting element types as TypedArray.set does). */
  write(src: ArrayLike<number>, offset = 0): void {
    this.view().set(src, offset);
  }

  /** A JS-owned copy of the first `count` elements. */
  read(count = this.size): WasmView {
    return this.view(count).slice();
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    runtime().arena.release(this.ptr);
  }
}
