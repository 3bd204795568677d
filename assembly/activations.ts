// Activations: fused bias + activation forward, and the backward from the saved output.
//
// Activation codes (bindings/ops.ts mirrors them): 0 linear, 1 relu, 2 sigmoid, 3 tanh,
// 4 leakyRelu(alpha ≥ 0), 5 elu(alpha > 0).
// NOTE: every backward here uses the forward *output* y, never the input: with alpha ≥ 0
// (leaky) and alpha > 0 (elu), y > 0 ⇔ x > 0, and elu'(x) = y + alpha for x ≤ 0. So a
// Dense layer with a fused activation keeps one buffer, not two.
// PReLU needs the input (its alpha is learned and may turn negative) and has its own pair.
//
// Layout: row-major [rows, cols] (bias, alpha: [cols]; maxout's z: [rows, units·pieces]);
// actBackward is flat over n. Alignment: T-aligned pointers, idx i32 (v128 loads need no
// 16-byte alignment). Aliasing: stated per kernel.
// Tails: only biasAct (linear, relu) and actBackward (relu) run in SIMD; the scalar tail
// after the last whole vector makes the same comparison per element, so an element gets
// the same bits on either path. Every other kernel here is a scalar loop.

import { lanes, sigmoid_, tanh_, expm1_, exp_ } from "./common";

export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_SIGMOID = 2;
export const ACT_TANH = 3;
export const ACT_LEAKY_RELU = 4;
export const ACT_ELU = 5;

@inline function activate<T>(v: T, act: i32, alpha: T): T {
  switch (act) {
    case ACT_RELU: return v > <T>0 ? v : <T>0;
    case ACT_SIGMOID: return sigmoid_<T>(v);
    case ACT_TANH: return tanh_<T>(v);
    case ACT_LEAKY_RELU: return v > <T>0 ? v : alpha * v;
    case ACT_ELU: return v > <T>0 ? v : alpha * expm1_<T>(v);
    default: return v;
  }
}

/**
 * y[r, c] = act(x[r, c] + bias[c]) for r < rows, c < cols. `bias` 0 means no bias.
 * y may alias x. Linear and relu run in SIMD with a scalar tail per row.
 */
export function biasAct<T>(y: usize, x: usize, bias: usize, rows: usize, cols: usize, act: i32, alpha: T): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  const zero = v128.splat<T>(0);
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    const yr = y + r * cols * es;
    let c: usize = 0;
    if (act == ACT_LINEAR || act == ACT_RELU) {
      for (; c + L <= cols; c += L) {
        let v = v128.load(xr + c * es);
        if (bias) v = v128.add<T>(v, v128.load(bias + c * es));
        // pmax(0, v) = 0 < v ? v : 0, the same comparison as the scalar tail.
        if (act == ACT_RELU) v = v128.pmax<T>(zero, v);
        v128.store(yr + c * es, v);
      }
    }
    for (; c < cols; c++) {
      let v = load<T>(xr + c * es);
      if (bias) v += load<T>(bias + c * es);
      store<T>(yr + c * es, activate<T>(v, act, alpha));
    }
  }
}

/** dx = dy ⊙ act'(·) expressed through y = act(x). dx may alias dy. */
export function actBackward<T>(dx: usize, dy: usize, y: usize, n: usize, act: i32, alpha: T): void {
  const es = sizeof<T>();
  const L = lanes<T>();
  let i: usize = 0;
  if (act == ACT_LINEAR) {
    if (dx != dy) memory.copy(dx, dy, n * es);
    return;
  }
  if (act == ACT_RELU) {
    const zero = v128.splat<T>(0);
    for (; i + L <= n; i += L) {
      const mask = v128.gt<T>(v128.load(y + i * es), zero);
      v128.store(dx + i * es, v128.and(v128.load(dy + i * es), mask));
    }
  }
  for (; i < n; i++) {
    const g = load<T>(dy + i * es);
    const v = load<T>(y + i * es);
    let d: T;
    switch (act) {
      case ACT_RELU: d = v > <T>0 ? g : <T>0; break;
      case ACT_SIGMOID: d = g * v * (<T>1 - v); break;
      case ACT_TANH: d = g * (<T>1 - v * v); break;
      case ACT_LEAKY_RELU: d = v > <T>0 ? g : alpha * g; break;
      case ACT_ELU: d = v > <T>0 ? g : g * (v + alpha); break;
      default: d = g;
    }
    store<T>(dx + i * es, d);
  }
}

/** PReLU forward: y[r, c] = x > 0 ? x : alpha[c]·x. y may alias x only if backward gets a copy. */
export function prelu<T>(y: usize, x: usize, alpha: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const o = r * cols * es;
    for (let c: usize = 0; c < cols; c++) {
      const v = load<T>(x + o + c * es);
      store<T>(y + o + c * es, v > <T>0 ? v : load<T>(alpha + c * es) * v);
    }
  }
}

/**
 * PReLU backward from the input x: dx = x > 0 ? dy : alpha[c]·dy (dx may alias dy);
 * dalpha[c] = Σ_r (x ≤ 0 ? dy·x : 0), overwritten (not accumulated).
 */
export function preluBackward<T>(dx: usize, dalpha: usize, dy: usize, x: usize, alpha: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  memory.fill(dalpha, 0, cols * es);
  for (let r: usize = 0; r < rows; r++) {
    const o = r * cols * es;
    for (let c: usize = 0; c < cols; c++) {
      const v = load<T>(x + o + c * es);
      const g = load<T>(dy + o + c * es);
      if (v > <T>0) {
        store<T>(dx + o + c * es, g);
      } else {
        store<T>(dalpha + c * es, load<T>(dalpha + c * es) + g * v);
        store<T>(dx + o + c * es, load<T>(alpha + c * es) * g);
      }
    }
  }
}

/**
 * Maxout forward: z is [rows, units·pieces] (pre-activations with bias), y is [rows, units],
 * y[r, u] = max_p z[r, u·pieces + p]; idx (i32) records the winning p for backward.
 * Ties go to the lowest p.
 */
export function maxout<T>(y: usize, idx: usize, z: usize, rows: usize, units: usize, pieces: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    for (let u: usize = 0; u < units; u++) {
      const zp = z + (r * units + u) * pieces * es;
      let best = load<T>(zp);
      let arg: i32 = 0;
      for (let p: usize = 1; p < pieces; p++) {
        const v = load<T>(zp + p * es);
        if (v > best) { best = v; arg = <i32>p; }
      }
      store<T>(y + (r * units + u) * es, best);
      store<i32>(idx + (r * units + u) * 4, arg);
    }
  }
}

/** Maxout backward: dz[r, u·pieces + p] = p == idx[r, u] ? dy[r, u] : 0. dz must not alias dy. */
export function maxoutBackward<T>(dz: usize, dy: usize, idx: usize, rows: usize, units: usize, pieces: usize): void {
  const es = sizeof<T>();
  memory.fill(dz, 0, rows * units * pieces * es);
  for (let i: usize = 0; i < rows * units; i++) {
    const p = <usize>load<i32>(idx + i * 4);
    store<T>(dz + (i * pieces + p) * es, load<T>(dy + i * es));
  }
}

/**
 * Row-wise softmax: y[r, :] = exp(x[r, :] − max_r) / Σ exp(x[r, :] − max_r). Stable for any
 * finite logits; y may alias x. The output layer of a classifier and the `softmax` helper.
 */
export function softmax<T>(y: usize, x: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const xr = x + r * cols * es;
    const yr = y + r * cols * es;
    let mx = load<T>(xr);
    for (let c: usize = 1; c < cols; c++) { const v = load<T>(xr + c * es); if (v > mx) mx = v; }
    let sum: T = 0;
    for (let c: usize = 0; c < cols; c++) { const e = exp_<T>(load<T>(xr + c * es) - mx); store<T>(yr + c * es, e); sum += e; }
    const inv = <T>1 / sum;
    for (let c: usize = 0; c < cols; c++) store<T>(yr + c * es, load<T>(yr + c * es) * inv);
  }
}

/** Softmax backward from its output: dx = y ⊙ (dy − Σ_c dy·y), per row. dx may alias dy. */
export function softmaxBackward<T>(dx: usize, dy: usize, y: usize, rows: usize, cols: usize): void {
  const es = sizeof<T>();
  for (let r: usize = 0; r < rows; r++) {
    const o = r * cols * es;
    let dot: T = 0;
    for (let c: usize = 0; c < cols; c++) dot += load<T>(dy + o + c * es) * load<T>(y + o + c * es);
    for (let c: usize = 0; c < cols; c++) store<T>(dx + o + c * es, load<T>(y + o + c * es) * (load<T>(dy + o + c * es) - dot));
  }
}
