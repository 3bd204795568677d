// Window geometry shared by conv2d and the pooling layers (docs/ARCHITECTURE.md: TensorFlow's rule).
//   'valid': out = ⌊(in − k)/s⌋ + 1, no padding; in < k is an error.
//   'same':  out = ⌈in/s⌉, total padding max((out − 1)·s + k − in, 0), the odd extra
//            row/column at the bottom/right.

import type { Geometry } from '../../bindings/index.js';

export type Padding = 'valid' | 'same';

/** H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW: what the window kernels take (bindings/ops.ts). */
export type Geometry2D = Geometry;

/** A positive integer or a pair of them. */
export function pair(v: unknown, what: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
    throw new Error(`${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

export function checkPadding(p: unknown, what: string): Padding {
  if (p !== 'valid' && p !== 'same') throw new Error(`${what} padding must be 'valid' or 'same', got ${JSON.stringify(p)}`);
  return p;
}

export function imageShape(inputShape: number[], what: string): [number, number, number] {
  if (inputShape.length !== 3) {
    throw new Error(`${what} expects images [batch, height, width, channels], got per-sample shape [${inputShape.join(', ')}] (rank ${inputShape.length + 1} input)`);
  }
  return inputShape as [number, number, number];
}

function axis(n: number, k: number, s: number, padding: Padding, what: string, name: string): [number, number] {
  // NOTE: a pool window larger than the image is an error even with 'same' padding
  // (TensorFlow allows it; it is almost always a mistake in the model)
  if (name.startsWith('pool') && k > n) throw new Error(`${what}: ${name} ${k} is larger than the input ${name.endsWith('height') ? 'height' : 'width'} ${n}`);
  if (padding === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + k - n, 0);
    return [out, Math.floor(total / 2)];
  }
  if (k > n) throw new Error(`${what}: ${name} ${k} is larger than the input ${name.endsWith('height') ? 'height' : 'width'} ${n} with 'valid' padding`);
  return [Math.floor((n - k) / s) + 1, 0];
}

export function geometry(
  inputShape: number[], [KH, KW]: [number, number], [SH, SW]: [number, number], padding: Padding, what: string, window: 'kernel' | 'pool',
): Geometry2D {
  const [H, W, C] = imageShape(inputShape, what);
  const [OH, padTop] = axis(H, KH, SH, padding, what, `${window} height`);
  const [OW, padLeft] = axis(W, KW, SW, padding, what, `${window} width`);
  return { H, W, C, KH, KW, SH, SW, padTop, padLeft, OH, OW };
}
