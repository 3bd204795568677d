// Pooling over NHWC images. Geometry as in conv.ts: x [N, H, W, C], window PH×PW, strides
// SH, SW, padding padTop/padLeft, output [N, OH, OW, C]. Padded positions never take part:
// max pooling ignores them and average pooling divides by the number of in-bounds
// positions (TensorFlow's 'same' rule).
// Alignment: T-aligned pointers; idx is i32 [N, OH, OW, C]. Aliasing: outputs must not
// alias inputs (the backward kernels zero dx before scattering into it).
// Tails: channels are innermost and contiguous. f32 maxPool runs 4 channels per v128 with
// the same strict > as its scalar tail (first maximum wins on either path); avgPool sums
// in v128 lanes with a scalar tail doing the same addition; the f64 maxPool, the scaling
// and both backward kernels are scalar loops.

import { lanes } from "./common";

/**
 * First in-bounds input row (or column) of the window at output position o. Signed, as
 * the window bounds below: a window may start in the padding.
 */
@inline function windowStart(o: usize, stride: usize, pad: usize): i32 {
  return max(<i32>(o * stride) - <i32>pad, 0);
}

/** One past the last in-bounds input row (or column) of the window at output position o. */
@inline function windowEnd(o: usize, stride: usize, pad: usize, window: usize, size: usize): i32 {
  return min(<i32>(o * stride + window) - <i32>pad, <i32>size);
}

/** y = window max per channel; idx (i32) records the input pixel iy·W + ix of the max (first on ties). */
export function maxPool<T>(
  y: usize, idx: usize, x: usize, N: usize, H: usize, W: usize, C: usize,
  PH: usize, PW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
): void {
  const es = sizeof<T>();
  for (let n: usize = 0; n < N; n++) {
    const xn = x + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      const y0 = windowStart(oy, SH, padTop), y1 = windowEnd(oy, SH, padTop, PH, H);
      for (let ox: usize = 0; ox < OW; ox++) {
        const x0 = windowStart(ox, SW, padLeft), x1 = windowEnd(ox, SW, padLeft, PW, W);
        const o = ((n * OH + oy) * OW + ox) * C;
        let c: usize = 0;
        if (sizeof<T>() == 4) {
          // four channels at a time: strict > keeps the first maximum, as the scalar loop
          for (; c + 4 <= C; c += 4) {
            const first = y0 * <i32>W + x0;
            let best = v128.load(xn + (<usize>first * C + c) * es);
            let arg = i32x4.splat(first);
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const v = v128.load(xn + (<usize>(iy * <i32>W + ix) * C + c) * es);
                const gt = f32x4.gt(v, best);
                best = v128.bitselect(v, best, gt);
                arg = v128.bitselect(i32x4.splat(iy * <i32>W + ix), arg, gt);
              }
            }
            v128.store(y + (o + c) * es, best);
            v128.store(idx + (o + c) * 4, arg);
          }
        }
        for (; c < C; c++) {
          let best = load<T>(xn + (<usize>(y0 * <i32>W + x0) * C + c) * es);
          let arg = y0 * <i32>W + x0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = load<T>(xn + (<usize>(iy * <i32>W + ix) * C + c) * es);
              if (v > best) { best = v; arg = iy * <i32>W + ix; }
            }
          }
          store<T>(y + (o + c) * es, best);
          store<i32>(idx + (o + c) * 4, arg);
        }
      }
    }
  }
}

/** dx = 0, then each dy goes to the input pixel that won the max. */
export function maxPoolBackward<T>(dx: usize, dy: usize, idx: usize, N: usize, H: usize, W: usize, C: usize, OH: usize, OW: usize): void {
  const es = sizeof<T>();
  memory.fill(dx, 0, N * H * W * C * es);
  for (let n: usize = 0; n < N; n++) {
    const dn = dx + n * H * W * C * es;
    const base = n * OH * OW * C;
    for (let i: usize = 0; i < OH * OW; i++) {
      for (let c: usize = 0; c < C; c++) {
        const o = base + i * C + c;
        const p = dn + (<usize>load<i32>(idx + o * 4) * C + c) * es;
        store<T>(p, load<T>(p) + load<T>(dy + o * es));
      }
    }
  }
}

/** y = mean of the in-bounds window positions, per channel. */
export function avgPool<T>(
  y: usize, x: usize, N: usize, H: usize, W: usize, C: usize,
  PH: usize, PW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  for (let n: usize = 0; n < N; n++) {
    const xn = x + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      const y0 = windowStart(oy, SH, padTop), y1 = windowEnd(oy, SH, padTop, PH, H);
      for (let ox: usize = 0; ox < OW; ox++) {
        const x0 = windowStart(ox, SW, padLeft), x1 = windowEnd(ox, SW, padLeft, PW, W);
        const inv = <T>1 / <T>((y1 - y0) * (x1 - x0));
        const out = y + ((n * OH + oy) * OW + ox) * C * es;
        memory.fill(out, 0, C * es);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const src = xn + <usize>(iy * <i32>W + ix) * C * es;
            let c: usize = 0;
            for (; c + L <= C; c += L) {
              const o = c * es;
              v128.store(out + o, v128.add<T>(v128.load(out + o), v128.load(src + o)));
            }
            for (; c < C; c++) store<T>(out + c * es, load<T>(out + c * es) + load<T>(src + c * es));
          }
        }
        for (let c: usize = 0; c < C; c++) store<T>(out + c * es, load<T>(out + c * es) * inv);
      }
    }
  }
}

/** dx = 0, then each dy is spread evenly over its window's in-bounds positions. */
export function avgPoolBackward<T>(
  dx: usize, dy: usize, N: usize, H: usize, W: usize, C: usize,
  PH: usize, PW: usize, SH: usize, SW: usize, padTop: usize, padLeft: usize, OH: usize, OW: usize,
): void {
  const es = sizeof<T>();
  memory.fill(dx, 0, N * H * W * C * es);
  for (let n: usize = 0; n < N; n++) {
    const dn = dx + n * H * W * C * es;
    for (let oy: usize = 0; oy < OH; oy++) {
      const y0 = windowStart(oy, SH, padTop), y1 = windowEnd(oy, SH, padTop, PH, H);
      for (let ox: usize = 0; ox < OW; ox++) {
        const x0 = windowStart(ox, SW, padLeft), x1 = windowEnd(ox, SW, padLeft, PW, W);
        const inv = <T>1 / <T>((y1 - y0) * (x1 - x0));
        const g = dy + ((n * OH + oy) * OW + ox) * C * es;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const d = dn + <usize>(iy * <i32>W + ix) * C * es;
            for (let c: usize = 0; c < C; c++) store<T>(d + c * es, load<T>(d + c * es) + load<T>(g + c * es) * inv);
          }
        }
      }
    }
  }
}
