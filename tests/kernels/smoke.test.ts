import { describe, it, expect } from 'vitest';
import { runtime } from '../../bindings/index.js';

describe('runtime', () => {
  it('loads the debug core and runs a small gemm', () => {
    const rt = runtime();
    const k = rt.raw.float32;
    const a = rt.arena.alloc(6 * 4), b = rt.arena.alloc(6 * 4), c = rt.arena.alloc(4 * 4);
    const w = rt.arena.alloc(k.gemmWorkBytes(2, 2, 3));
    new Float32Array(rt.arena.buffer, a, 6).set([1, 2, 3, 4, 5, 6]);
    new Float32Array(rt.arena.buffer, b, 6).set([7, 8, 9, 10, 11, 12]);
    k.gemm(c, w, a, b, 2, 2, 3, false, false, false);
    expect(Array.from(new Float32Array(rt.arena.buffer, c, 4))).toEqual([58, 64, 139, 154]);
  });
});
