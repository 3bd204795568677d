// Convolution support for NHWC images: im2col / col2im, so that a conv2d is one GEMM
// forward (Y = col · W) and two backward (dW = colᵀ · dY, dcol = dY · Wᵀ), all on the
// packed-panel micro-kernel.
//
// Geometry (shared by every kernel here): input x [N, H, W, C]; window KH×KW; strides
// SH, SW; padding padTop/padLeft (the bottom/right padding is implied by OH, OW);
// output [N, OH, OW, ·]. col is [N·OH·OW, KH·KW·C], row-major, column index (ky·KW + kx)·C + c,
// which matches a kernel stored [KH, KW, C, F] read as a [KH·KW·C, F] matrix.
//
// NOTE: for one (output pixel, ky) the KW·C input values of a window row are contiguous
// in NHWC, so each is one memory.copy of the in-bounds run plus zero fill of the rest.

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

@inline function clampRun(ox: i32, SW: i32, padLeft: i32, KW: i32, W: i32): i64 {
  const ix0 = ox * SW - padLeft;
  const k0 = ix0 < 0 ? -ix0 : 0;
  const k1 = ix0 + KW > W ? W - ix0 : KW;
  return (<i64>k0 << 32) | <i64><u32>k1;
}

export function im2col<T>(
  col: usize, x: usize, N: i32, H: i32, W: i32, C: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const es = <usize>sizeof<T>();
  const rowLen = <usize>(KH * KW * C) * es;
  const run = <usize>(KW * C) * es;
  let dst = col;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * H * W * C) * es;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const r = clampRun(ox, SW, padLeft, KW, W);
        const k0 = <i32>(r >>> 32), k1 = <i32>r;
        const ix0 = ox * SW - padLeft;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky;
          const d = dst + <usize>(ky * KW * C) * es;
          if (iy < 0 || iy >= H || k1 <= k0) {
            zeroWords(d, run);
            continue;
          }
          if (k0 > 0) zeroWords(d, <usize>(k0 * C) * es);
          copyWords(d + <usize>(k0 * C) * es, xn + <usize>((iy * W + ix0 + k0) * C) * es, <usize>((k1 - k0) * C) * es);
          if (k1 < KW) zeroWords(d + <usize>(k1 * C) * es, <usize>((KW - k1) * C) * es);
        }
        dst += rowLen;
      }
    }
  }
}

/** dx = 0, then every col entry is added back to the input pixel it was copied from. */
export function col2im<T>(
  dx: usize, col: usize, N: i32, H: i32, W: i32, C: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const es = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  memory.fill(dx, 0, <usize>(N * H * W * C) * es);
  const rowLen = <usize>(KH * KW * C) * es;
  let src = col;
  for (let n = 0; n < N; n++) {
    const xn = dx + <usize>(n * H * W * C) * es;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const r = clampRun(ox, SW, padLeft, KW, W);
        const k0 = <i32>(r >>> 32), k1 = <i32>r;
        const ix0 = ox * SW - padLeft;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H || k1 <= k0) continue;
          const s = src + <usize>((ky * KW + k0) * C) * es;
          const d = xn + <usize>((iy * W + ix0 + k0) * C) * es;
          const len = (k1 - k0) * C;
          let i = 0;
          for (; i + L <= len; i += L) {
            const o = <usize>i * es;
            v128.store(d + o, v128.add<T>(v128.load(d + o), v128.load(s + o)));
          }
          for (; i < len; i++) {
            const o = <usize>i * es;
            store<T>(d + o, load<T>(d + o) + load<T>(s + o));
          }
        }
        src += rowLen;
      }
    }
  }
}
