// Plain f64 activations, their derivatives, PReLU and maxout.
// Codes mirror `Act` in bindings/ops.ts: 0 linear, 1 relu, 2 sigmoid, 3 tanh, 4 leakyRelu, 5 elu.

import { Act } from '../../bindings/index.js';

/** act(v) from its definition. */
export function act(v: number, code: number, alpha: number): number {
  switch (code) {
    case Act.relu: return v > 0 ? v : 0;
    case Act.sigmoid: return 1 / (1 + Math.exp(-v));
    case Act.tanh: return Math.tanh(v);
    case Act.leakyRelu: return v > 0 ? v : alpha * v;
    case Act.elu: return v > 0 ? v : alpha * Math.expm1(v); // expm1: exp(v) − 1 cancels near 0
    default: return v;
  }
}

/** act'(x) from the input x (the textbook derivative; relu'(0) = 0, leaky'(0) = alpha). */
export function actDerivFromX(x: number, code: number, alpha: number): number {
  switch (code) {
    case Act.relu: return x > 0 ? 1 : 0;
    case Act.sigmoid: { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s); }
    case Act.tanh: { const t = Math.tanh(x); return 1 - t * t; }
    case Act.leakyRelu: return x > 0 ? 1 : alpha;
    case Act.elu: return x > 0 ? 1 : alpha * Math.exp(x);
    default: return 1;
  }
}

/** act'(·) expressed through the output y = act(x), as the kernel's contract states. */
export function actDerivFromY(y: number, code: number, alpha: number): number {
  switch (code) {
    case Act.relu: return y > 0 ? 1 : 0;
    case Act.sigmoid: return y * (1 - y);
    case Act.tanh: return 1 - y * y;
    case Act.leakyRelu: return y > 0 ? 1 : alpha;
    case Act.elu: return y > 0 ? 1 : y + alpha;
    default: return 1;
  }
}

/** y[r, c] = act(round(x[r, c] + bias[c])); `round` models the kernel's T-precision add. */
export function biasActRef(
  x: ArrayLike<number>, bias: ArrayLike<number> | null, rows: number, cols: number,
  code: number, alpha: number, round: (v: number) => number,
): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = bias ? round(x[r * cols + c] + bias[c]) : x[r * cols + c];
      y[r * cols + c] = act(v, code, alpha);
    }
  }
  return y;
}

export function preluRef(x: ArrayLike<number>, alpha: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      y[r * cols + c] = v > 0 ? v : alpha[c] * v;
    }
  }
  return y;
}

/** dx = x > 0 ? dy : alpha·dy; dalpha[c] = Σ_r [x ≤ 0]·dy·x, with Σ|terms| for tolerances. */
export function preluBackwardRef(
  dy: ArrayLike<number>, x: ArrayLike<number>, alpha: ArrayLike<number>, rows: number, cols: number,
): { dx: Float64Array; dalpha: Float64Array; dalphaAbs: Float64Array } {
  const dx = new Float64Array(rows * cols);
  const dalpha = new Float64Array(cols);
  const dalphaAbs = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (x[i] > 0) {
        dx[i] = dy[i];
      } else {
        dx[i] = alpha[c] * dy[i];
        dalpha[c] += dy[i] * x[i];
        dalphaAbs[c] += Math.abs(dy[i] * x[i]);
      }
    }
  }
  return { dx, dalpha, dalphaAbs };
}

/** y[r, u] = max_p z[r, u, p]; idx = the lowest p that attains it. */
export function maxoutRef(z: ArrayLike<number>, rows: number, units: number, pieces: number): { y: Float64Array; idx: Int32Array } {
  const y = new Float64Array(rows * units);
  const idx = new Int32Array(rows * units);
  for (let i = 0; i < rows * units; i++) {
    let best = -Infinity;
    for (let p = 0; p < pieces; p++) best = Math.max(best, z[i * pieces + p]);
    let arg = 0;
    while (z[i * pieces + arg] !== best) arg++;
    y[i] = best;
    idx[i] = arg;
  }
  return { y, idx };
}

export function maxoutBackwardRef(dy: ArrayLike<number>, idx: ArrayLike<number>, rows: number, units: number, pieces: number): Float64Array {
  const dz = new Float64Array(rows * units * pieces);
  for (let i = 0; i < rows * units; i++) dz[i * pieces + idx[i]] = dy[i];
  return dz;
}
