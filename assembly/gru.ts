// GRU cells (Keras gates z, r, h), the elementwise half of a step; layout and alignment as
// in assembly/rnn.ts (time-major [N, 3·units] blocks, T-aligned pointers), f32 through the
// vector activations of assembly/rnn-act.ts. Aliasing: stated per kernel. Tails: only the
// f32 gruCell runs 4 units per v128 (tail units through the same vector code, one lane at
// a time, as lstmCell); the other kernels are scalar loops. Two variants:
//   resetAfter: true (Keras 2, cuDNN, torch.nn.GRU): gruCell / gruCellBackward
//   resetAfter: false (Keras 1, TF.js): gruGates, gruCandidate and their backwards

import { actT, actV, dact } from "./rnn-act";

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
