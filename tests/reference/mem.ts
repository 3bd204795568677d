// Test-side access to wasm memory: allocate arrays in the arena (optionally misaligned by
// a few bytes, as a view that starts one element after a 16-byte boundary), copy values
// in and out, and release everything at the end of a test.
// Views are always made fresh from arena.buffer: an alloc may grow (and detach) it.

import { runtime, type DType } from '../../bindings/index.js';

export function bytesOf(dtype: DType): 4 | 8 {
  return dtype === 'float32' ? 4 : 8;
}

export class Mem {
  private blocks: number[] = [];

  get rt() {
    return runtime();
  }

  /** `bytes` zero-filled bytes starting `offset` bytes after a 16-byte-aligned block. */
  alloc(bytes: number, offset = 0): number {
    const base = this.rt.arena.alloc(bytes + offset);
    this.blocks.push(base);
    return base + offset;
  }

  /** Copies `values` into a new `dtype` array; `offset` in bytes from 16-byte alignment. */
  put(dtype: DType, values: ArrayLike<number>, offset = 0): number {
    const ptr = this.alloc(values.length * bytesOf(dtype), offset);
    this.write(dtype, ptr, values);
    return ptr;
  }

  putI32(values: ArrayLike<number>, offset = 0): number {
    const ptr = this.alloc(values.length * 4, offset);
    new Int32Array(this.rt.arena.buffer, ptr, values.length).set(values);
    return ptr;
  }

  write(dtype: DType, ptr: number, values: ArrayLike<number>): void {
    const View = dtype === 'float32' ? Float32Array : Float64Array;
    new View(this.rt.arena.buffer, ptr, values.length).set(values);
  }

  /** A float64 copy of n elements at ptr. */
  read(dtype: DType, ptr: number, n: number): Float64Array {
    const View = dtype === 'float32' ? Float32Array : Float64Array;
    return Float64Array.from(new View(this.rt.arena.buffer, ptr, n));
  }

  readI32(ptr: number, n: number): Int32Array {
    return Int32Array.from(new Int32Array(this.rt.arena.buffer, ptr, n));
  }

  readU32(ptr: number, n: number): Uint32Array {
    return Uint32Array.from(new Uint32Array(this.rt.arena.buffer, ptr, n));
  }

  writeU32(ptr: number, values: ArrayLike<number>): void {
    new Uint32Array(this.rt.arena.buffer, ptr, values.length).set(values);
  }

  /** Releases every block allocated through this Mem. */
  freeAll(): void {
    for (const b of this.blocks) this.rt.arena.release(b);
    this.blocks = [];
  }
}

/** An f64 value no kernel computes by accident: marks memory that must not be written. */
export const SENTINEL = -12345.5;

/** `n` copies of SENTINEL. */
export function sentinels(n: number): Float64Array {
  return new Float64Array(n).fill(SENTINEL);
}
