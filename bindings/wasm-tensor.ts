// A block of wasm memory with a shape and dtype: how src/ holds parameters, gradients,
// optimizer state and activations. The pointer stays inside; views are made fresh from the
// current memory buffer on each call, so they are never stale after memory.grow. A freed
// tensor throws on every use instead of handing out memory that something else now owns.

import type { DType } from './ops.js';
import { runtime } from './runtime.js';
import { MAX_BYTES, formatBytes } from './arena.js';

export type StorageType = DType | 'int32';

export type WasmView = Float32Array | Float64Array | Int32Array;

export const BYTES: Record<StorageType, number> = { float32: 4, float64: 8, int32: 4 };

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
    return new Error(`${this.label} [${this.shape.join(', ')}] has been freed (its model or optimizer was disposed)`);
  }
}
