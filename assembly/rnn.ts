// Recurrent cells: the elementwise half of LSTM steps, fused per step, and the batch-major ↔
// time-major swap all recurrent layers use (GRU cells: assembly/gru.ts; activations:
// assembly/rnn-act.ts; SimpleRNN's step is bias_act / act_backward).
// The GEMMs (input projection of all timesteps at once, one recurrence product per step,
// dW/dU/dx over all timesteps at once) are planned by the layers on the `gemm` kernel.
//
// Layout: time-major. A step's tensors are contiguous [N, units] / [N, k·units] blocks
// (row n, gate g, unit u at n·k·units + g·units + u), so the per-step GEMM writes and the
// cell kernels read one dense block with no stride, and "all timesteps" is one [T·N, ·]
// matrix for the big GEMMs. Gates are in Keras order: LSTM i, f, c, o; GRU z, r, h.
// Activation codes are those of assembly/activations.ts (0 linear, 1 relu, 2 sigmoid,
// 3 tanh); derivatives are taken from the activation's output, as there.
// Alignment: T-aligned pointers (no 16-byte alignment needed: v128 loads are unaligned).
// f32 cells run 4 units per v128 (assembly/rnn-act.ts says why and how tails are handled).

import { actT, actV, dact, dactV } from "./rnn-act";

/**
 * out[j, i, :] = x[i, j, :] for x [a, b, c]: batch-major [N, T, F] ↔ time-major [T, N, F];
 * with c = 1 a matrix transpose.
 * out must not alias x. Rows of c elements are copied whole.
 */
export function swapAxes<T>(out: usize, x: usize, a: usize, b: usize, c: usize): void {
  const row = c * sizeof<T>();
  if (c == 1) {
    // a plain matrix transpose (the recurrent kernel for backward): element moves, no calls
    for (let i: usize = 0; i < a; i++) {
      for (let j: usize = 0; j < b; j++) store<T>(out + (j * a + i) * row, load<T>(x + (i * b + j) * row));
    }
    return;
  }
  for (let i: usize = 0; i < a; i++) {
    for (let j: usize = 0; j < b; j++) memory.copy(out + (j * a + i) * row, x + (i * b + j) * row, row);
  }
}

/**
 * LSTM step, elementwise half. In: gates [N, 4U] pre-activations (x·W + b + h_{t-1}·U),
 * cPrev [N, U] (0 = zeros). Out: gates overwritten by their activations (i, f, g, o: what
 * BPTT needs), c = f⊙cPrev + i⊙g, ac = act(c) (saved for backward), h = o⊙ac.
 * h, c, ac must not alias each other, gates or cPrev. f32: 4 units per v128 (expV
 * activations), tail units one lane at a time through the same code; f64: scalar libm.
 */
export function lstmCell<T>(h: usize, c: usize, ac: usize, gates: usize, cPrev: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 4 * Ue;
    const r = n * Ue;
    let u: usize = 0;
    if (sizeof<T>() == 4) {
      for (; u + 4 <= U; u += 4) {
        const q = u * 4;
        const pi = g0 + q, pf = pi + Ue, pg = pf + Ue, po = pg + Ue;
        const i = actV(v128.load(pi), recCode), f = actV(v128.load(pf), recCode);
        const g = actV(v128.load(pg), actCode), o = actV(v128.load(po), recCode);
        v128.store(pi, i); v128.store(pf, f); v128.store(pg, g); v128.store(po, o);
        const cp = cPrev ? v128.load(cPrev + r + q) : f32x4.splat(0);
        const cv = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
        const a = actV(cv, actCode);
        v128.store(c + r + q, cv);
        v128.store(ac + r + q, a);
        v128.store(h + r + q, f32x4.mul(o, a));
      }
    }
    for (; u < U; u++) {
      const pi = g0 + u * es, pf = pi + Ue, pg = pf + Ue, po = pg + Ue;
      const i = actT<T>(load<T>(pi), recCode);
      const f = actT<T>(load<T>(pf), recCode);
      const g = actT<T>(load<T>(pg), actCode);
      const o = actT<T>(load<T>(po), recCode);
      store<T>(pi, i); store<T>(pf, f); store<T>(pg, g); store<T>(po, o);
      const cp = cPrev ? load<T>(cPrev + r + u * es) : <T>0;
      const cv = f * cp + i * g;
      const a = actT<T>(cv, actCode);
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
 * gates are read before they are written); nothing else may alias. SIMD over units in T
 * (4 f32 or 2 f64 lanes), scalar tail with the same operations.
 */
export function lstmCellBackward<T>(dgates: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, ac: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const L: usize = 16 / es;
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 4 * Ue;
    const d0 = dgates + n * 4 * Ue;
    const r = n * Ue;
    let u: usize = 0;
    for (; u + L <= U; u += L) {
      const q = u * es;
      const i = v128.load(g0 + q), f = v128.load(g0 + Ue + q), g = v128.load(g0 + 2 * Ue + q), o = v128.load(g0 + 3 * Ue + q);
      const a = v128.load(ac + r + q);
      const dhv = v128.load(dh + r + q);
      const dct = v128.add<T>(v128.load(dc + r + q), v128.mul<T>(v128.mul<T>(dhv, o), dactV<T>(a, actCode)));
      const cp = cPrev ? v128.load(cPrev + r + q) : v128.splat<T>(0);
      v128.store(d0 + q, v128.mul<T>(v128.mul<T>(dct, g), dactV<T>(i, recCode)));
      v128.store(d0 + Ue + q, v128.mul<T>(v128.mul<T>(dct, cp), dactV<T>(f, recCode)));
      v128.store(d0 + 2 * Ue + q, v128.mul<T>(v128.mul<T>(dct, i), dactV<T>(g, actCode)));
      v128.store(d0 + 3 * Ue + q, v128.mul<T>(v128.mul<T>(dhv, a), dactV<T>(o, recCode)));
      v128.store(dc + r + q, v128.mul<T>(dct, f));
    }
    for (; u < U; u++) {
      const q = u * es;
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
