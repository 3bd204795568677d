// Convolution of NHWC images as GEMMs over im2col rows, a chunk of images at a time:
//   convForward     y[N·OH·OW, F] = col · W                       (W read as [KH·KW·C, F])
//   convInputGrad   dx = col2im(dy · Wᵀ)
//   convFilterGrad  dW = colᵀ · dy, summed chunk by chunk in order
// col is the im2col of a chunk of images: [rows, KH·KW·C], row-major, column index
// (ky·KW + kx)·C + c, which matches a kernel stored [KH, KW, C, F] read as a [KH·KW·C, F]
// matrix. It lives in `work` (convWorkBytes<T> bytes, 16-byte aligned: the chunk's col, then
// the GEMM workspace), never in a batch-sized buffer: a chunk is as many images as keep its
// col within CHUNK_BYTES (at least one), so the GEMMs read it from cache right after im2col
// wrote it. Measured on the bench CNN's conv2 (14×14×16 → 32, 5×5, batch 64), forward and
// backward: 38 ms in chunks of one image against 50 ms through a 20 MB batch-wide col, im2col
// done twice (forward, then again for dW) included.
//
// Geometry (shared by every kernel here and by pool.ts): input x [N, H, W, C]; window KH×KW;
// strides SH, SW; padding padTop/padLeft (the bottom/right padding is implied by OH, OW);
// output [N, OH, OW, ·]. Sizes are usize; the window arithmetic goes signed (i32) where a
// window may start in the padding. Alignment: T-aligned pointers, `work` 16-byte aligned.
// Aliasing: no output may overlap an input or `work`.
//
// Bits: a row of y or of dy·Wᵀ, and every pixel of dx (its col entries added in col order,
// image by image), do not depend on the chunking. dW does: each element is the chunks' sums
// added in chunk order (each chunk's a GEMM's sequential sum over its rows), so the chunk size
// depends on the geometry and the element size only — never on the batch or a thread. A
// thread computes whole images (forward, input gradient) or whole kernel taps (filter
// gradient: its rows of dW, over every chunk), so any thread count gives the same bits.
// Tails: im2col only copies; col2im adds each in-bounds run in v128 lanes, then a scalar
// tail with the same addition.
//
// NOTE: for one (output pixel, ky) the KW·C input values of a window row are contiguous in
// NHWC, so each is one copy of the in-bounds run plus zero fill of the rest.

import { lanes } from "./common";
import { gemm, gemmWorkBytes } from "./gemm";

/** Bytes of im2col rows a chunk may hold (it takes one image at least). */
const CHUNK_BYTES: usize = 320 << 10;

/**
 * memory.copy / memory.fill for byte counts that are multiples of 4. NOTE: V8 runs bulk
 * memory ops through a runtime call; for the 20-byte runs of a 5×5 kernel on one channel
 * that call dominated im2col, so runs up to 1 KiB are copied in v128s and words (6% off the
 * bench CNN's conv1 against word by word up to 64 bytes).
 */
@inline function copyWords(dst: usize, src: usize, bytes: usize): void {
  if (bytes > 1024) { memory.copy(dst, src, bytes); return; }
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += 4) store<u32>(dst + o, load<u32>(src + o));
}

@inline function zeroWords(dst: usize, bytes: usize): void {
  if (bytes > 1024) { memory.fill(dst, 0, bytes); return; }
  let o: usize = 0;
  const z = i32x4.splat(0);
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, z);
  for (; o < bytes; o += 4) store<u32>(dst + o, 0);
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

/**
 * col [N·OH·OW, (t1 − t0)·C] = the window taps [t0, t1) (tap = ky·KW + kx) of images [0, N)
 * of x, zero where a tap falls in the padding.
 */
function im2col<T>(
  col: usize, x: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
  t0: usize, t1: usize,
): void {
  const es = sizeof<T>();
  const rowLen = (t1 - t0) * C * es;
  const ky0 = t0 / KW, ky1 = (t1 - 1) / KW; // the window rows the taps touch
  const whole = t0 == 0 && t1 == KH * KW, run = KW * C * es;
  let dst = col;
  for (let n: usize = 0; n < N; n++) {
    const xn = x + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      const iy0 = <i32>(oy * SH) - <i32>padTop;
      const rowsIn = iy0 >= 0 && iy0 + <i32>KH <= <i32>H;
      for (let ox: usize = 0; ox < OW; ox++) {
        const r = clampRun(ox, SW, padLeft, KW, W);
        const k0 = <i32>(r >>> 32), k1 = <i32>r;
        const ix0 = <i32>(ox * SW) - <i32>padLeft;
        if (rowsIn && k0 == 0 && k1 == <i32>KW) {
          // every tap in bounds (most windows): one run per window row, no clipping (1.3–1.5×
          // on the bench CNN's conv1, C = 1, where the runs are 5 values)
          const src = xn + (<usize>iy0 * W + <usize>ix0) * C * es;
          if (whole) {
            for (let ky: usize = 0; ky < KH; ky++) copyWords(dst + ky * run, src + ky * W * C * es, run);
            dst += rowLen;
            continue;
          }
          for (let ky = ky0; ky <= ky1; ky++) {
            const a = ky == ky0 ? t0 - ky * KW : 0;
            const b = ky == ky1 ? t1 - ky * KW : KW;
            copyWords(dst + (ky * KW + a - t0) * C * es, src + (ky * W + a) * C * es, (b - a) * C * es);
          }
          dst += rowLen;
          continue;
        }
        for (let ky = ky0; ky <= ky1; ky++) {
          // this window row's taps: columns [a, b) of the kernel, at d in the col row
          const a = ky == ky0 ? t0 - ky * KW : 0;
          const b = ky == ky1 ? t1 - ky * KW : KW;
          const d = dst + (ky * KW + a - t0) * C * es;
          const iy = <i32>(oy * SH + ky) - <i32>padTop;
          const lo = max<i32>(k0, <i32>a), hi = min<i32>(k1, <i32>b);
          if (iy < 0 || iy >= <i32>H || hi <= lo) {
            zeroWords(d, (b - a) * C * es);
            continue;
          }
          // in bounds: iy ≥ 0, a ≤ lo < hi ≤ b, ix0 + lo ≥ 0
          const l = <usize>lo, h = <usize>hi;
          if (l > a) zeroWords(d, (l - a) * C * es);
          copyWords(d + (l - a) * C * es, xn + (<usize>iy * W + <usize>(ix0 + lo)) * C * es, (h - l) * C * es);
          if (h < b) zeroWords(d + (h - a) * C * es, (b - h) * C * es);
        }
        dst += rowLen;
      }
    }
  }
}

/** dx = 0, then every col entry is added back to the input pixel it was copied from. */
function col2im<T>(
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

// ---- the conv kernels: chunks of images through `work` -----------------------------------

/** Images per chunk: as many as keep the chunk's col within CHUNK_BYTES, at least one. */
@inline function chunkImages<T>(C: usize, KH: usize, KW: usize, OH: usize, OW: usize): usize {
  const bytes = OH * OW * KH * KW * C * sizeof<T>();
  return bytes == 0 || bytes >= CHUNK_BYTES ? 1 : CHUNK_BYTES / bytes;
}

/** Bytes of a chunk's col, rounded up to 16 (the GEMM workspace follows it). */
@inline function colBytes<T>(C: usize, KH: usize, KW: usize, OH: usize, OW: usize): usize {
  const rows = chunkImages<T>(C, KH, KW, OH, OW) * OH * OW;
  return (rows * KH * KW * C * sizeof<T>() + 15) & ~(<usize>15);
}

/** Bytes of `work` for the conv kernels (one thread's): a chunk's col and its GEMMs' workspace. */
export function convWorkBytes<T>(C: usize, KH: usize, KW: usize, OH: usize, OW: usize, F: usize): usize {
  const rows = chunkImages<T>(C, KH, KW, OH, OW) * OH * OW;
  const K = KH * KW * C;
  const g = max(gemmWorkBytes<T>(rows, F, K), max(gemmWorkBytes<T>(K, F, rows), gemmWorkBytes<T>(rows, K, F)));
  return colBytes<T>(C, KH, KW, OH, OW) + g;
}

/** Debug build: a window of at least 1×1 and work 16-byte aligned (im2col's row arithmetic assumes both). */
@inline function checkWindow(KH: usize, KW: usize, work: usize): void {
  assert(KH > 0 && KW > 0, "conv window must be at least 1×1");
  assert(work % 16 == 0, "conv workspace must be 16-byte aligned");
}

/** y[N·OH·OW, F] = im2col(x) · w (no bias). */
export function convForward<T>(
  y: usize, work: usize, x: usize, w: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize, F: usize,
): void {
  checkWindow(KH, KW, work);
  const es = sizeof<T>();
  const chunk = chunkImages<T>(C, KH, KW, OH, OW);
  const gw = work + colBytes<T>(C, KH, KW, OH, OW);
  const K = KH * KW * C, P = OH * OW;
  for (let n0: usize = 0; n0 < N; n0 += chunk) {
    const c = min(chunk, N - n0);
    im2col<T>(work, x + n0 * H * W * C * es, c, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW, 0, KH * KW);
    gemm<T>(y + n0 * P * F * es, gw, work, w, c * P, F, K, false, false, false);
  }
}

/** dx[N, H, W, C] = col2im(dy · wᵀ): every window's gradient added back to its pixels. */
export function convInputGrad<T>(
  dx: usize, work: usize, dy: usize, w: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize, F: usize,
): void {
  checkWindow(KH, KW, work);
  const es = sizeof<T>();
  const chunk = chunkImages<T>(C, KH, KW, OH, OW);
  const gw = work + colBytes<T>(C, KH, KW, OH, OW);
  const K = KH * KW * C, P = OH * OW;
  for (let n0: usize = 0; n0 < N; n0 += chunk) {
    const c = min(chunk, N - n0);
    gemm<T>(work, gw, dy + n0 * P * F * es, w, c * P, K, F, false, true, false);
    col2im<T>(dx + n0 * H * W * C * es, work, c, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW);
  }
}

/**
 * The rows of dW for window taps [t0, t0 + taps): dw points at the first ([taps·C, F], the
 * rows t0·C… of the kernel read as [KH·KW·C, F]); dw = Σ over chunks, in order, of
 * im2col(x)ᵀ · dy restricted to those taps. N = 0 leaves them zero.
 */
export function convFilterGrad<T>(
  dw: usize, work: usize, x: usize, dy: usize, N: usize, H: usize, W: usize, C: usize,
  KH: usize, KW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize, F: usize,
  t0: usize, taps: usize,
): void {
  checkWindow(KH, KW, work);
  assert(t0 + taps <= KH * KW, "conv filter gradient: taps out of the window");
  const es = sizeof<T>();
  if (taps == 0) return;
  if (N == 0) { memory.fill(dw, 0, taps * C * F * es); return; }
  const chunk = chunkImages<T>(C, KH, KW, OH, OW);
  const gw = work + colBytes<T>(C, KH, KW, OH, OW);
  const P = OH * OW;
  for (let n0: usize = 0; n0 < N; n0 += chunk) {
    const c = min(chunk, N - n0);
    im2col<T>(work, x + n0 * H * W * C * es, c, H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW, t0, t0 + taps);
    gemm<T>(dw, gw, work, dy + n0 * P * F * es, taps * C, F, c * P, true, false, n0 > 0);
  }
}
