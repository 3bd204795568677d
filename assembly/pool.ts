// Pooling over NHWC images. Geometry as in conv.ts: x [N, H, W, C], window PH×PW, strides
// SH, SW, padding padTop/padLeft, output [N, OH, OW, C]. Padded positions never take part:
// max pooling ignores them and average pooling divides by the number of in-bounds
// positions (TensorFlow's 'same' rule). Channels are innermost and contiguous, so every
// loop runs over C with v128 lanes and a scalar tail.

import { lanes } from "./common";

/** y = window max per channel; idx (i32) records the input pixel iy·W + ix of the max (first on ties). */
export function maxPool<T>(
  y: usize, idx: usize, x: usize, N: i32, H: i32, W: i32, C: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const es = <usize>sizeof<T>();
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * H * W * C) * es;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * SH - padTop, 0), y1 = min(oy * SH - padTop + PH, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * SW - padLeft, 0), x1 = min(ox * SW - padLeft + PW, W);
        const o = <usize>(((n * OH + oy) * OW + ox) * C);
        let c = 0;
        if (sizeof<T>() == 4) {
          // four channels at a time: strict > keeps the first maximum, as the scalar loop
          for (; c + 4 <= C; c += 4) {
            const first = y0 * W + x0;
            let best = v128.load(xn + <usize>(first * C + c) * es);
            let arg = i32x4.splat(first);
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const v = v128.load(xn + <usize>((iy * W + ix) * C + c) * es);
                const gt = f32x4.gt(v, best);
                best = v128.bitselect(v, best, gt);
                arg = v128.bitselect(i32x4.splat(iy * W + ix), arg, gt);
              }
            }
            v128.store(y + (o + <usize>c) * es, best);
            v128.store(idx + (o + <usize>c) * 4, arg);
          }
        }
        for (; c < C; c++) {
          let best = load<T>(xn + <usize>((y0 * W + x0) * C + c) * es);
          let arg = y0 * W + x0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = load<T>(xn + <usize>((iy * W + ix) * C + c) * es);
              if (v > best) { best = v; arg = iy * W + ix; }
            }
          }
          store<T>(y + (o + <usize>c) * es, best);
          store<i32>(idx + (o + <usize>c) * 4, arg);
        }
      }
    }
  }
}

/** dx = 0, then each dy goes to the input pixel that won the max. */
export function maxPoolBackward<T>(dx: usize, dy: usize, idx: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32): void {
  const es = <usize>sizeof<T>();
  memory.fill(dx, 0, <usize>(N * H * W * C) * es);
  for (let n = 0; n < N; n++) {
    const dn = dx + <usize>(n * H * W * C) * es;
    const base = <usize>(n * OH * OW * C);
    for (let i = 0; i < OH * OW; i++) {
      for (let c = 0; c < C; c++) {
        const o = base + <usize>(i * C + c);
        const p = dn + <usize>(load<i32>(idx + o * 4) * C + c) * es;
        store<T>(p, load<T>(p) + load<T>(dy + o * es));
      }
    }
  }
}

/** y = mean of the in-bounds window positions, per channel. */
export function avgPool<T>(
  y: usize, x: usize, N: i32, H: i32, W: i32, C: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const es = <usize>sizeof<T>();
  const L = <i32>lanes<T>();
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>(n * H * W * C) * es;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * SH - padTop, 0), y1 = min(oy * SH - padTop + PH, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * SW - padLeft, 0), x1 = min(ox * SW - padLeft + PW, W);
        const inv = <T>1 / <T>((y1 - y0) * (x1 - x0));
        const out = y + <usize>(((n * OH + oy) * OW + ox) * C) * es;
        memory.fill(out, 0, <usize>C * es);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const src = xn + <usize>((iy * W + ix) * C) * es;
            let c = 0;
            for (; c + L <= C; c += L) {
              const o = <usize>c * es;
              v128.store(out + o, v128.add<T>(v128.load(out + o), v128.load(src + o)));
            }
            for (; c < C; c++) store<T>(out + <usize>c * es, load<T>(out + <usize>c * es) + load<T>(src + <usize>c * es));
          }
        }
        for (let c = 0; c < C; c++) store<T>(out + <usize>c * es, load<T>(out + <usize>c * es) * inv);
      }
    }
  }
}

/** dx = 0, then each dy is spread evenly over its window's in-bounds positions. */
export function avgPoolBackward<T>(
  dx: usize, dy: usize, N: i32, H: i32, W: i32, C: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
): void {
  const es = <usize>sizeof<T>();
  memory.fill(dx, 0, <usize>(N * H * W * C) * es);
  for (let n = 0; n < N; n++) {
    const dn = dx + <usize>(n * H * W * C) * es;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * SH - padTop, 0), y1 = min(oy * SH - padTop + PH, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * SW - padLeft, 0), x1 = min(ox * SW - padLeft + PW, W);
        const inv = <T>1 / <T>((y1 - y0) * (x1 - x0));
        const g = dy + <usize>(((n * OH + oy) * OW + ox) * C) * es;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const d = dn + <usize>((iy * W + ix) * C) * es;
            for (let c = 0; c < C; c++) store<T>(d + <usize>c * es, load<T>(d + <usize>c * es) + load<T>(g + <usize>c * es) * inv);
          }
        }
      }
    }
  }
}
