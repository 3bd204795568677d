// A block of wasm memory with a shape and dtype: how src/ holds parameters, gradients,
// optimizer state and activations. The pointer stays inside; typed-array views are made
// fresh from the current memory buffer on each call, so they are never stale after
// memory.grow. A freed tensor throws on every use instead of handing out memory that
// something else now owns.
//
// Kernels (bindings/kernels.ts) take Operands: a whole WasmTensor, or a TensorView — a
// window of `size` elements from element `offset` of one tensor (a time step of a
// recurrent buffer, a block of a concatenation, a batch of a shuffled index array).
// NOTE: making a view allocates a small JS object, so views used inside a training step
// are made once, when their tensor is allocated, and re-pointed per call with moveTo()
// (and retarget(), for a weight the optimizer swaps between two buffers).

import type { DType } from './ops.js';
import { runtime } from './runtime.js';
import { MAX_BYTES, formatBytes } from './arena.js';

export type StorageType = DType | 'int32';

export type WasmView = Float32Array | Float64Array | Int32Array;

export const BYTES: Record<StorageType, number> = { float32: 4, float64: 8, int32: 4 };

/** What a kernel takes for a buffer argument: a whole tensor or a window of one. */
export type Operand = WasmTensor | TensorView;

export class WasmTensor {
  readonly shape: readonly number[];
  readonly dtype: StorageType;
  /** Element count. */
  readonly size: number;
  /** What this tensor is, for error messages ("dense 'd1' kernel"). */
  readonly label: string;
  private readonly address: number;
  private freed = false;
  private whole: WasmView | null = null;

  /**
   * Allocates zero-filled memory. The size is checked against the 4 GiB limit before any
   * allocation, so an absurd shape fails at once with its label, shape and byte count.
   */
  constructor(shape: readonly number[], dtype: StorageType, label = 'a tensor') {
    this.shape = shape.slice();
    this.dtype = dtype;
    this.label = label;
    this.size = shape.reduce((a, b) => a * b, 1);
    const bytes = this.size * BYTES[dtype];
    const what = `${label} [${shape.join(', ')}]`;
    if (!Number.isSafeInteger(bytes) || bytes > MAX_BYTES) {
      throw new Error(`${what} needs ${formatBytes(bytes)}; wasm memory is limited to 4 GiB`);
    }
    const arena = runtime().arena;
    this.address = arena.alloc(bytes, what);
    arena.track(this);
  }

  /** Runs fn as one arena transaction: if it throws, every tensor it allocated is freed. */
  static transaction<T>(fn: () => T, budget?: { bytes: number; what: string }): T {
    return runtime().arena.transaction(fn, budget);
  }

  /** Byte offset in wasm memory. Throws once the tensor is freed. */
  get ptr(): number {
    if (this.freed) throw this.useAfterFree();
    return this.address;
  }

  get bytes(): number {
    return this.size * BYTES[this.dtype];
  }

  get isFreed(): boolean {
    return this.freed;
  }

  /**
   * A view of `count` elements from element `offset` (default: to the end). Allocates a
   * small object: make views when buffers are allocated and move them per step.
   */
  at(offset: number, count: number = this.size - offset): TensorView {
    return new TensorView(this, offset, count);
  }

  /** "dense 'd1' kernel [4, 8]": the tensor in error messages. */
  describe(): string {
    return `${this.label} [${this.shape.join(', ')}]`;
  }

  /**
   * A live view of the first `count` elements (default all); invalid after memory.grow. The
   * whole-tensor view is made once per memory buffer and reused (no allocation per step).
   */
  view(count = this.size): WasmView {
    const buf = runtime().arena.buffer;
    const ptr = this.ptr;
    if (count === this.size) {
      const c = this.whole;
      if (c !== null && c.buffer === buf) return c;
      return (this.whole = this.makeView(buf, ptr, count));
    }
    return this.makeView(buf, ptr, count);
  }

  private makeView(buf: ArrayBufferLike, ptr: number, count: number): WasmView {
    switch (this.dtype) {
      case 'float32': return new Float32Array(buf, ptr, count);
      case 'float64': return new Float64Array(buf, ptr, count);
      default: return new Int32Array(buf, ptr, count);
    }
  }

  /** The tensor's bytes as a live Uint8Array view (for save/load). */
  byteView(): Uint8Array {
    return new Uint8Array(runtime().arena.buffer, this.ptr, this.bytes);
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
    this.whole = null;
    runtime().arena.release(this.address);
  }

  private useAfterFree(): Error {
    return new Error(`${this.describe()} has been freed (its model or optimizer was disposed)`);
  }
}

/**
 * `size` elements of a WasmTensor from element `offset`: the same ptr/dtype/size surface
 * as a tensor, so kernels take either. Its address follows the tensor's (and throws once
 * the tensor is freed). moveTo() and retarget() re-point it without allocating; both check
 * that the window stays inside the tensor.
 */
export class TensorView {
  private tensor: WasmTensor;
  private first = 0;
  private count = 0;
  private byteOffset = 0;

  constructor(base: WasmTensor, offset: number, count: number) {
    this.tensor = base;
    this.moveTo(offset, count);
  }

  /** The tensor this is a window of. */
  get base(): WasmTensor {
    return this.tensor;
  }

  /** First element, counted in the base tensor. */
  get offset(): number {
    return this.first;
  }

  /** Element count. */
  get size(): number {
    return this.count;
  }

  get dtype(): StorageType {
    return this.tensor.dtype;
  }

  /** Byte offset in wasm memory. Throws once the base tensor is freed. */
  get ptr(): number {
    return this.tensor.ptr + this.byteOffset;
  }

  get bytes(): number {
    return this.count * BYTES[this.tensor.dtype];
  }

  get isFreed(): boolean {
    return this.tensor.isFreed;
  }

  /** Re-points the view at `count` elements from `offset` (default: to the end); returns it. */
  moveTo(offset: number, count: number = this.tensor.size - offset): this {
    const size = this.tensor.size;
    if (!Number.isInteger(offset) || !Number.isInteger(count) || offset < 0 || count < 0 || offset + count > size) {
      throw new Error(`a view of ${count} elements at element ${offset} does not fit in ${this.tensor.describe()} (${size} elements)`);
    }
    this.first = offset;
    this.count = count;
    this.byteOffset = offset * BYTES[this.tensor.dtype];
    return this;
  }

  /** The same window of another tensor of the same dtype (a weight's other buffer); returns the view. */
  retarget(base: WasmTensor): this {
    if (base === this.tensor) return this;
    if (base.dtype !== this.tensor.dtype || this.first + this.count > base.size) {
      throw new Error(`cannot move a view of elements [${this.first}, ${this.first + this.count}) of ${this.tensor.describe()} to ${base.describe()} (${base.dtype}, ${base.size} elements)`);
    }
    this.tensor = base;
    return this;
  }

  /** A live typed-array view of the window's first `count` elements (default all); invalid after memory.grow. */
  view(count = this.count): WasmView {
    const buf = runtime().arena.buffer;
    const ptr = this.ptr;
    switch (this.tensor.dtype) {
      case 'float32': return new Float32Array(buf, ptr, count);
      case 'float64': return new Float64Array(buf, ptr, count);
      default: return new Int32Array(buf, ptr, count);
    }
  }

  /** The window's bytes as a live Uint8Array view. */
  byteView(): Uint8Array {
    return new Uint8Array(runtime().arena.buffer, this.ptr, this.bytes);
  }

  /** "elements [4, 8) of dense 'd1' kernel [4, 8]". */
  describe(): string {
    return `elements [${this.first}, ${this.first + this.count}) of ${this.tensor.describe()}`;
  }
}
