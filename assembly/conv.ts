// Convolution support for NHWC images: im2col / col2im, so that a conv2d is one GEMM
// forward (Y = col · W) and two backward (dW = colᵀ · dY, dcol = dY · Wᵀ), all on the
// packed-panel micro-kernel.
//
// Geometry (shared by every kernel here): input x [N, H, W, C]; window KH×KW; strides
// SH, SW; padding padTop/padLeft (the bottom/right padding is implied by OH, OW);
// output [N, OH, OW, ·]. col is [N·OH·OW, KH·KW·C], row-major, column index (ky·KW + kx)·C + c,
// which matches a kernel stored [KH, KW, C, F] read as a [KH·KW·C, F] matrix.
//
// Sizes are usize; the window arithmetic goes signed (i32) where a window may start in the
// padding. Alignment: T-aligned pointers. Aliasing: col must not alias x, nor dx col.
// Tails: im2col only copies; col2im adds each in-bounds run in v128 lanes, then a scalar
// tail with the same addition, so every element gets the same bits on either path.
//
// NOTE: for one (output pixel, ky) the KW·C input values of a window row are contiguous
// in NHWC, so each is one memory.copy of the in-bounds run plus zero fill of the rest.

import { lanes } from "./common";

/**
 * memory.copy / memory.fill for byte counts that are multiples of 4. NOTE: V8 runs bulk
 * memory ops through a runtime call; for the 20-byte runs of a 5×5 kernel on one channel
 * that call dominated im2col, so short runs are copied word by word.
 */
@inline function copyWords(dst: usize, src: usize, bytes: usize): void {
  if (bytes > 64) { memory.copy(dst, src, bytes); return; }
  for (let o: usize = 0; o < bytes; o += 4) store<u32>(dst + o, load<u32>(src + o));
}

@inline function zeroWords(dst: usize, bytes: usize): void {
  if (bytes > 64) { memory.fill(dst, 0, bytes); return; }
  for (let o: usize = 0; o < bytes; o += 4) store<u32>(dst + o, 0);
}

/**
 * The in-bounds kernel columns [k0, k1) of the window at output column ox (none when
 * k1 ≤ k0), packed as k0 << 32 | k1. Signed: a window may start in the left padding.
 */
@inline function clampRun(ox: usize, SW: usize, padLeft: usize, KW: usize, W: usize): i64 {
  const ix0 = <i32>(ox * SW) - <i32>padLeft;
  const k0 = ix0 < 0 ? -ix0 : 0;
  const k1 = ix0 + <i32>KW > <i32>W ? <i32>W - ix0 : <i32>KW;
  return (<i64>k0 << 32) | <i64><u32>k1;
}

export function im2col<T>(
  col: usize, x: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
): void {
  const es = sizeof<T>();
  const rowLen = KH * KW * C * es;
  const run = KW * C * es;
  let dst = col;
  for (let n: usize = 0; n < N; n++) {
    const xn = x + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      for (let ox: usize = 0; ox < OW; ox++) {
        const r = clampRun(ox, SW, padLeft, KW, W);
        const k0 = <i32>(r >>> 32), k1 = <i32>r;
        const ix0 = <i32>(ox * SW) - <i32>padLeft;
        for (let ky: usize = 0; ky < KH; ky++) {
          const iy = <i32>(oy * SH + ky) - <i32>padTop;
          const d = dst + ky * KW * C * es;
          if (iy < 0 || iy >= <i32>H || k1 <= k0) {
            zeroWords(d, run);
            continue;
          }
          // in bounds: iy ≥ 0, 0 ≤ k0 < k1 ≤ KW, ix0 + k0 ≥ 0
          const a = <usize>k0, b = <usize>k1;
          if (a > 0) zeroWords(d, a * C * es);
          copyWords(d + a * C * es, xn + (<usize>iy * W + <usize>(ix0 + k0)) * C * es, (b - a) * C * es);
          if (b < KW) zeroWords(d + b * C * es, (KW - b) * C * es);
        }
        dst += rowLen;
      }
    }
  }
}

/** dx = 0, then every col entry is added back to the input pixel it was copied from. */
export function col2im<T>(
  dx: usize, col: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  memory.fill(dx, 0, N * H * W * C * es);
  const rowLen = KH * KW * C * es;
  let src = col;
  for (let n: usize = 0; n < N; n++) {
    const xn = dx + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      for (let ox: usize = 0; ox < OW; ox++) {
        const r = clampRun(ox, SW, padLeft, KW, W);
        const k0 = <i32>(r >>> 32), k1 = <i32>r;
        const ix0 = <i32>(ox * SW) - <i32>padLeft;
        for (let ky: usize = 0; ky < KH; ky++) {
          const iy = <i32>(oy * SH + ky) - <i32>padTop;
          if (iy < 0 || iy >= <i32>H || k1 <= k0) continue;
          const s = src + (ky * KW + <usize>k0) * C * es;
          const d = xn + (<usize>iy * W + <usize>(ix0 + k0)) * C * es;
          const len = <usize>(k1 - k0) * C;
          let i: usize = 0;
          for (; i + L <= len; i += L) {
            const o = i * es;
            v128.store(d + o, v128.add<T>(v128.load(d + o), v128.load(s + o)));
          }
          for (; i < len; i++) {
            const o = i * es;
            store<T>(d + o, load<T>(d + o) + load<T>(s + o));
          }
        }
        src += rowLen;
      }
    }
  }
}
