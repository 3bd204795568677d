// Recurrent cells: the elementwise half of SimpleRNN, LSTM and GRU steps, fused per step.
// The GEMMs (input projection of all timesteps at once, one recurrence product per step,
// dW/dU/dx over all timesteps at once) are planned by the layers on the `gemm` kernel.
//
// Layout: time-major. A step's tensors are contiguous [N, units] / [N, k·units] blocks
// (row n, gate g, unit u at n·k·units + g·units + u), so the per-step GEMM writes and the
// cell kernels read one dense block with no stride, and "all timesteps" is one [T·N, ·]
// matrix for the big GEMMs. Gates are in Keras order: LSTM i, f, c, o; GRU z, r, h.
// Activation codes are those of assembly/activations.ts (0 linear, 1 relu, 2 sigmoid,
// 3 tanh); derivatives are taken from the activation's output, as there.
// Alignment: T-aligned pointers. Tails: scalar loops, no tail case (no SIMD here: the
// cost is the exp in sigmoid/tanh, which stays the libm one so every runtime agrees).

import { sigmoid_, tanh_ } from "./common";
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from "./activations";

@inline function act<T>(v: T, code: i32): T {
  if (code == ACT_SIGMOID) return sigmoid_<T>(v);
  if (code == ACT_TANH) return tanh_<T>(v);
  if (code == ACT_RELU) return v > <T>0 ? v : <T>0;
  return v;
}

/** act'(x) expressed through y = act(x). */
@inline function dact<T>(y: T, code: i32): T {
  if (code == ACT_SIGMOID) return y * (<T>1 - y);
  if (code == ACT_TANH) return <T>1 - y * y;
  if (code == ACT_RELU) return y > <T>0 ? <T>1 : <T>0;
  return <T>1;
}

/**
 * out[j, i, :] = x[i, j, :] for x [a, b, c]: batch-major [N, T, F] ↔ time-major [T, N, F].
 * out must not alias x. Rows of c elements are copied whole.
 */
export function swapAxes<T>(out: usize, x: usize, a: usize, b: usize, c: usize): void {
  const row = c * sizeof<T>();
  for (let i: usize = 0; i < a; i++) {
    for (let j: usize = 0; j < b; j++) memory.copy(out + (j * a + i) * row, x + (i * b + j) * row, row);
  }
}

/**
 * LSTM step, elementwise half. In: gates [N, 4U] pre-activations (x·W + b + h_{t-1}·U),
 * cPrev [N, U] (0 = zeros). Out: gates overwritten by their activations (i, f, g, o: what
 * BPTT needs), c = f⊙cPrev + i⊙g, ac = act(c) (saved for backward), h = o⊙ac.
 * h, c, ac must not alias each other, gates or cPrev.
 */
export function lstmCell<T>(h: usize, c: usize, ac: usize, gates: usize, cPrev: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 4 * U * es;
    const r = n * U * es;
    for (let u: usize = 0; u < U; u++) {
      const pi = g0 + u * es, pf = pi + U * es, pg = pf + U * es, po = pg + U * es;
      const i = act<T>(load<T>(pi), recCode);
      const f = act<T>(load<T>(pf), recCode);
      const g = act<T>(load<T>(pg), actCode);
      const o = act<T>(load<T>(po), recCode);
      store<T>(pi, i); store<T>(pf, f); store<T>(pg, g); store<T>(po, o);
      const cp = cPrev ? load<T>(cPrev + r + u * es) : <T>0;
      const cv = f * cp + i * g;
      const a = act<T>(cv, actCode);
      store<T>(c + r + u * es, cv);
      store<T>(ac + r + u * es, a);
      store<T>(h + r + u * es, o * a);
    }
  }
}

/**
 * LSTM step backward. In: dh [N, U] (d loss/d h_t, recurrence included), dc [N, U] (carried
 * d loss/d c_t from step t+1; zeros at the last step), the saved activated gates [N, 4U],
 * cPrev (0 = zeros) and ac = act(c_t). Out: dgates [N, 4U] (d loss/d pre-activations, i f g o)
 * and dc overwritten in place by d loss/d c_{t−1}. dgates may alias gates (each unit's four
 * gates are read before they are written); nothing else may alias.
 */
export function lstmCellBackward<T>(dgates: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, ac: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 4 * U * es;
    const d0 = dgates + n * 4 * U * es;
    const r = n * U * es;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es, Ue = U * es;
      const i = load<T>(g0 + q), f = load<T>(g0 + Ue + q), g = load<T>(g0 + 2 * Ue + q), o = load<T>(g0 + 3 * Ue + q);
      const a = load<T>(ac + r + q);
      const dhv = load<T>(dh + r + q);
      const dct = load<T>(dc + r + q) + dhv * o * dact<T>(a, actCode);
      const cp = cPrev ? load<T>(cPrev + r + q) : <T>0;
      store<T>(d0 + q, dct * g * dact<T>(i, recCode));
      store<T>(d0 + Ue + q, dct * cp * dact<T>(f, recCode));
      store<T>(d0 + 2 * Ue + q, dct * i * dact<T>(g, actCode));
      store<T>(d0 + 3 * Ue + q, dhv * a * dact<T>(o, recCode));
      store<T>(dc + r + q, dct * f);
    }
  }
}

/**
 * GRU step (reset after the recurrent product, Keras resetAfter: true / torch.nn.GRU).
 * In: gates [N, 3U] = x·W + b_input (z, r, h), rec [N, 3U] = h_{t−1}·U (no bias), recBias
 * [3U] (0 = none), hPrev [N, U] (0 = zeros).
 *   z = σ(gz + rz + bz), r = σ(gr + rr + br), hh = act(gh + r⊙(rh + bh)), h = z⊙hPrev + (1−z)⊙hh
 * Out: h [N, U]; gates overwritten by z, r, hh and rec's h block by rh + bh (what BPTT needs).
 * h must not alias the others.
 */
export function gruCell<T>(h: usize, gates: usize, rec: usize, hPrev: usize, recBias: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue;
    const r0 = rec + n * 3 * Ue;
    const row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const bz = recBias ? load<T>(recBias + q) : <T>0;
      const br = recBias ? load<T>(recBias + Ue + q) : <T>0;
      const bh = recBias ? load<T>(recBias + 2 * Ue + q) : <T>0;
      const z = act<T>(load<T>(g0 + q) + load<T>(r0 + q) + bz, recCode);
      const r = act<T>(load<T>(g0 + Ue + q) + load<T>(r0 + Ue + q) + br, recCode);
      const rh = load<T>(r0 + 2 * Ue + q) + bh;
      const hh = act<T>(load<T>(g0 + 2 * Ue + q) + r * rh, actCode);
      const hp = hPrev ? load<T>(hPrev + row + q) : <T>0;
      store<T>(g0 + q, z); store<T>(g0 + Ue + q, r); store<T>(g0 + 2 * Ue + q, hh);
      store<T>(r0 + 2 * Ue + q, rh);
      store<T>(h + row + q, z * hp + (<T>1 - z) * hh);
    }
  }
}

/**
 * GRU step backward. In: dh [N, U] (recurrence included), the saved gates (z, r, hh) and
 * rec (its h block holds rh + bh), hPrev (0 = zeros). Out: dgates [N, 3U] = d/d(x·W + b)
 * (dz, dr, dhh), drec [N, 3U] = d/d(h_{t−1}·U + b_rec) (dz, dr, dhh⊙r), and, unless 0,
 * dhPrev += dh⊙z (the direct path; the caller adds drec·Uᵀ). dgates may alias gates and
 * drec may alias rec (each unit is read before written); nothing else may alias.
 */
export function gruCellBackward<T>(dgates: usize, drec: usize, dhPrev: usize, dh: usize, gates: usize, rec: usize, hPrev: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue, r0 = rec + n * 3 * Ue;
    const dg0 = dgates + n * 3 * Ue, dr0 = drec + n * 3 * Ue;
    const row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const z = load<T>(g0 + q), r = load<T>(g0 + Ue + q), hh = load<T>(g0 + 2 * Ue + q);
      const rh = load<T>(r0 + 2 * Ue + q);
      const dhv = load<T>(dh + row + q);
      const hp = hPrev ? load<T>(hPrev + row + q) : <T>0;
      const dz = dhv * (hp - hh) * dact<T>(z, recCode);
      const dhh = dhv * (<T>1 - z) * dact<T>(hh, actCode);
      const dr = dhh * rh * dact<T>(r, recCode);
      store<T>(dg0 + q, dz); store<T>(dg0 + Ue + q, dr); store<T>(dg0 + 2 * Ue + q, dhh);
      store<T>(dr0 + q, dz); store<T>(dr0 + Ue + q, dr); store<T>(dr0 + 2 * Ue + q, dhh * r);
      if (dhPrev) store<T>(dhPrev + row + q, load<T>(dhPrev + row + q) + dhv * z);
    }
  }
}

/**
 * Embedding lookup: out[i, :] = table[tokens[i], :] for i < n; table [inputDim, D].
 * Tokens arrive in T (the model's input dtype). Returns −1, or the index of the first token
 * that is not an integer in [0, inputDim) (then out is partly written; callers throw).
 * out must not alias table or tokens.
 */
export function embedding<T>(out: usize, table: usize, tokens: usize, n: usize, inputDim: usize, D: usize): i32 {
  const es = sizeof<T>();
  for (let i: usize = 0; i < n; i++) {
    const v = <f64>load<T>(tokens + i * es);
    if (!(v >= 0 && v < <f64>inputDim && Math.floor(v) == v)) return <i32>i;
    memory.copy(out + i * D * es, table + <usize>v * D * es, D * es);
  }
  return -1;
}

/**
 * dtable = Σ over i of dy[i, :] scattered to row tokens[i] (tokens already validated by the
 * forward). dtable is overwritten (zeroed first, then rows added in order i = 0, 1, …, so
 * repeated tokens sum in a fixed order).
 */
export function embeddingBackward<T>(dtable: usize, dy: usize, tokens: usize, n: usize, inputDim: usize, D: usize): void {
  const es = sizeof<T>();
  memory.fill(dtable, 0, inputDim * D * es);
  for (let i: usize = 0; i < n; i++) {
    const row = dtable + <usize>load<T>(tokens + i * es) * D * es;
    const src = dy + i * D * es;
    for (let j: usize = 0; j < D; j++) store<T>(row + j * es, load<T>(row + j * es) + load<T>(src + j * es));
  }
}
