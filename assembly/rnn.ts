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
// Alignment: T-aligned pointers (no 16-byte alignment needed: v128 loads are unaligned).
//
// NOTE: f32 cells run 4 units per v128 with their own sigmoid/tanh (expV below): with musl's
// scalar expf/tanhf the transcendentals were 23% of LSTM(128) training time (profile of the
// MNIST LSTM step), the whole cell 31%. The polynomial is Cephes's expf (|rel. err| ≲ 2 ulp),
// built from IEEE add/mul/div only, so every runtime gives the same bits. Tail units (U not a
// multiple of 4) go through the same vector code one lane at a time (splat), so a unit's value
// never depends on where it falls. f64 (gradient checks) keeps the scalar libm path.

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

/** e^x on 4 f32 lanes (Cephes expf: x = n·ln2 + r, degree-6 polynomial in r, 2^n by exponent bits). */
@inline function expV(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** 1/(1 + e^−x) on 4 f32 lanes. */
@inline function sigmoidV(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

/** tanh on 4 f32 lanes: Cephes tanhf (odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1)). */
@inline function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z), p));
  const one = f32x4.splat(1.0);
  const t = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(expV(f32x4.add(ax, ax)), one)));
  // copy the sign of x onto t (tanh is odd)
  const big = v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** dact on a vector of T (the same operations as the scalar dact, so the same bits). */
@inline function dactV<T>(y: v128, code: i32): v128 {
  const one = v128.splat<T>(1);
  if (code == ACT_SIGMOID) return v128.mul<T>(y, v128.sub<T>(one, y));
  if (code == ACT_TANH) return v128.sub<T>(one, v128.mul<T>(y, y));
  if (code == ACT_RELU) return v128.and(one, v128.gt<T>(y, v128.splat<T>(0)));
  return one;
}

@inline function actV(v: v128, code: i32): v128 {
  if (code == ACT_SIGMOID) return sigmoidV(v);
  if (code == ACT_TANH) return tanhV(v);
  if (code == ACT_RELU) return f32x4.pmax(f32x4.splat(0), v);
  return v;
}

/** act on one f32 through the vector code (tail units). */
@inline function act1(v: f32, code: i32): f32 {
  return f32x4.extract_lane(actV(f32x4.splat(v), code), 0);
}

/** The activation of T: the vector formulas for f32, libm for f64. */
@inline function actT<T>(v: T, code: i32): T {
  if (sizeof<T>() == 4) return <T>act1(<f32>v, code);
  return act<T>(v, code);
}

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

/**
 * GRU step (reset after the recurrent product, Keras resetAfter: true / torch.nn.GRU).
 * In: gates [N, 3U] = x·W + b_input (z, r, h), rec [N, 3U] = h_{t−1}·U (no bias), recBias
 * [3U] (0 = none), hPrev [N, U] (0 = zeros).
 *   z = σ(gz + rz + bz), r = σ(gr + rr + br), hh = act(gh + r⊙(rh + bh)), h = z⊙hPrev + (1−z)⊙hh
 * Out: h [N, U]; gates overwritten by z, r, hh and rec's h block by rh + bh (what BPTT needs).
 * h must not alias the others. f32: 4 units per v128 as lstmCell; f64 scalar. The backward
 * below is scalar (no transcendentals; GRU is not on the measured hot path).
 */
export function gruCell<T>(h: usize, gates: usize, rec: usize, hPrev: usize, recBias: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue;
    const r0 = rec + n * 3 * Ue;
    const row = n * Ue;
    let u: usize = 0;
    if (sizeof<T>() == 4) {
      const zero = f32x4.splat(0);
      for (; u + 4 <= U; u += 4) {
        const q = u * 4;
        const bz = recBias ? v128.load(recBias + q) : zero;
        const br = recBias ? v128.load(recBias + Ue + q) : zero;
        const bh = recBias ? v128.load(recBias + 2 * Ue + q) : zero;
        const z = actV(f32x4.add(f32x4.add(v128.load(g0 + q), v128.load(r0 + q)), bz), recCode);
        const r = actV(f32x4.add(f32x4.add(v128.load(g0 + Ue + q), v128.load(r0 + Ue + q)), br), recCode);
        const rh = f32x4.add(v128.load(r0 + 2 * Ue + q), bh);
        const hh = actV(f32x4.add(v128.load(g0 + 2 * Ue + q), f32x4.mul(r, rh)), actCode);
        const hp = hPrev ? v128.load(hPrev + row + q) : zero;
        v128.store(g0 + q, z); v128.store(g0 + Ue + q, r); v128.store(g0 + 2 * Ue + q, hh);
        v128.store(r0 + 2 * Ue + q, rh);
        v128.store(h + row + q, f32x4.add(f32x4.mul(z, hp), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)));
      }
    }
    for (; u < U; u++) {
      const q = u * es;
      const bz = recBias ? load<T>(recBias + q) : <T>0;
      const br = recBias ? load<T>(recBias + Ue + q) : <T>0;
      const bh = recBias ? load<T>(recBias + 2 * Ue + q) : <T>0;
      const z = actT<T>(load<T>(g0 + q) + load<T>(r0 + q) + bz, recCode);
      const r = actT<T>(load<T>(g0 + Ue + q) + load<T>(r0 + Ue + q) + br, recCode);
      const rh = load<T>(r0 + 2 * Ue + q) + bh;
      const hh = actT<T>(load<T>(g0 + 2 * Ue + q) + r * rh, actCode);
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

// ---- GRU with the reset gate before the recurrent product (Keras resetAfter: false) ----
// hh = act(x·W_h + b_h + (r⊙h_{t−1})·U_h) needs r before the h-block product, so a step is
// two GEMMs (h·U_zr, then (r⊙h)·U_h) with a kernel after each; U_zr and U_h are contiguous
// copies of U's column blocks made by the layer. Scalar loops (f32 through the same vector
// activation formulas as the other cells).

/**
 * First half of a step. In: gates [N, 3U] = x·W + b (z, r, h), zr [N, 2U] = h_{t−1}·U_zr
 * (0 = zeros), hPrev (0 = zeros). Out: gates' z, r blocks = z, r; rh [N, U] = r⊙hPrev.
 * rh must not alias the others.
 */
export function gruGates<T>(rh: usize, gates: usize, zr: usize, hPrev: usize, N: usize, U: usize, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue, z0 = zr + n * 2 * Ue, row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const z = actT<T>(load<T>(g0 + q) + (zr ? load<T>(z0 + q) : <T>0), recCode);
      const r = actT<T>(load<T>(g0 + Ue + q) + (zr ? load<T>(z0 + Ue + q) : <T>0), recCode);
      store<T>(g0 + q, z); store<T>(g0 + Ue + q, r);
      store<T>(rh + row + q, hPrev ? r * load<T>(hPrev + row + q) : <T>0);
    }
  }
}

/**
 * Second half. In: gates (z, r from gruGates; h block x·W_h + b_h), hu [N, U] = rh·U_h
 * (0 = zeros), hPrev (0 = zeros). Out: gates' h block = hh = act(gh + hu);
 * h = z⊙hPrev + (1−z)⊙hh. h must not alias the others.
 */
export function gruCandidate<T>(h: usize, gates: usize, hu: usize, hPrev: usize, N: usize, U: usize, actCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue, row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const z = load<T>(g0 + q);
      const hh = actT<T>(load<T>(g0 + 2 * Ue + q) + (hu ? load<T>(hu + row + q) : <T>0), actCode);
      store<T>(g0 + 2 * Ue + q, hh);
      const hp = hPrev ? load<T>(hPrev + row + q) : <T>0;
      store<T>(h + row + q, z * hp + (<T>1 - z) * hh);
    }
  }
}

/**
 * Backward, first half. In: dh [N, U] (recurrence included), the saved gates (z, r, hh),
 * hPrev (0 = zeros). Out: dgates' z and h blocks = dz, dhh (pre-activation gradients);
 * dzr's z block = dz; dhh [N, U] = dhh (contiguous, for the U_h GEMMs); dhPrev += dh⊙z
 * unless 0. dgates may alias gates (the r block is left for gruResetBackward).
 */
export function gruCandidateBackward<T>(dgates: usize, dzr: usize, dhh: usize, dhPrev: usize, dh: usize, gates: usize, hPrev: usize, N: usize, U: usize, actCode: i32, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue, d0 = dgates + n * 3 * Ue, z0 = dzr + n * 2 * Ue, row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const z = load<T>(g0 + q), hh = load<T>(g0 + 2 * Ue + q);
      const dhv = load<T>(dh + row + q);
      const hp = hPrev ? load<T>(hPrev + row + q) : <T>0;
      const dz = dhv * (hp - hh) * dact<T>(z, recCode);
      const dc = dhv * (<T>1 - z) * dact<T>(hh, actCode);
      store<T>(d0 + q, dz); store<T>(d0 + 2 * Ue + q, dc);
      store<T>(z0 + q, dz);
      store<T>(dhh + row + q, dc);
      if (dhPrev) store<T>(dhPrev + row + q, load<T>(dhPrev + row + q) + dhv * z);
    }
  }
}

/**
 * Backward, second half. In: drh [N, U] = dhh·U_hᵀ (0 = zeros), the saved r (gates' r
 * block), hPrev (0 = zeros). Out: dgates' r block and dzr's r block = dr = drh⊙hPrev⊙σ'(r);
 * dhPrev += drh⊙r unless 0. dgates may alias gates.
 */
export function gruResetBackward<T>(dgates: usize, dzr: usize, dhPrev: usize, drh: usize, gates: usize, hPrev: usize, N: usize, U: usize, recCode: i32): void {
  const es = sizeof<T>();
  const Ue = U * es;
  for (let n: usize = 0; n < N; n++) {
    const g0 = gates + n * 3 * Ue, d0 = dgates + n * 3 * Ue, z0 = dzr + n * 2 * Ue, row = n * Ue;
    for (let u: usize = 0; u < U; u++) {
      const q = u * es;
      const r = load<T>(g0 + Ue + q);
      const d = drh ? load<T>(drh + row + q) : <T>0;
      const hp = hPrev ? load<T>(hPrev + row + q) : <T>0;
      const dr = d * hp * dact<T>(r, recCode);
      store<T>(d0 + Ue + q, dr);
      store<T>(z0 + Ue + q, dr);
      if (dhPrev) store<T>(dhPrev + row + q, load<T>(dhPrev + row + q) + d * r);
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
