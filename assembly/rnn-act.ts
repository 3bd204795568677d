// Activations of the recurrent cells (assembly/rnn.ts, assembly/gru.ts): scalar ones for
// f64 (musl's exp/tanh, as in assembly/activations.ts), vector ones for f32, and the
// derivatives through the activation's output. Codes as in assembly/activations.ts
// (0 linear, 1 relu, 2 sigmoid, 3 tanh).
//
// NOTE: f32 cells run 4 units per v128 with their own sigmoid/tanh (expV below): with musl's
// scalar expf/tanhf the transcendentals were 23% of LSTM(128) training time (profile of the
// MNIST LSTM step), the whole cell 31%. The polynomial is Cephes's expf (|rel. err| ≲ 2 ulp),
// built from IEEE add/mul/div only, so every runtime gives the same bits. Tail units (U not a
// multiple of 4) go through the same vector code one lane at a time (splat), so a unit's value
// never depends on where it falls. f64 (gradient checks) keeps the scalar libm path.

import { sigmoid_, tanh_ } from "./common";
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from "./activations";

@inline export function act<T>(v: T, code: i32): T {
  if (code == ACT_SIGMOID) return sigmoid_<T>(v);
  if (code == ACT_TANH) return tanh_<T>(v);
  if (code == ACT_RELU) return v > <T>0 ? v : <T>0;
  return v;
}

/** act'(x) expressed through y = act(x). */
@inline export function dact<T>(y: T, code: i32): T {
  if (code == ACT_SIGMOID) return y * (<T>1 - y);
  if (code == ACT_TANH) return <T>1 - y * y;
  if (code == ACT_RELU) return y > <T>0 ? <T>1 : <T>0;
  return <T>1;
}

/** e^x on 4 f32 lanes (Cephes expf: x = n·ln2 + r, degree-6 polynomial in r, 2^n by exponent bits). */
@inline export function expV(x: v128): v128 {
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
@inline export function sigmoidV(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

/** tanh on 4 f32 lanes: Cephes tanhf (odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1)). */
@inline export function tanhV(x: v128): v128 {
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
@inline export function dactV<T>(y: v128, code: i32): v128 {
  const one = v128.splat<T>(1);
  if (code == ACT_SIGMOID) return v128.mul<T>(y, v128.sub<T>(one, y));
  if (code == ACT_TANH) return v128.sub<T>(one, v128.mul<T>(y, y));
  if (code == ACT_RELU) return v128.and(one, v128.gt<T>(y, v128.splat<T>(0)));
  return one;
}

@inline export function actV(v: v128, code: i32): v128 {
  if (code == ACT_SIGMOID) return sigmoidV(v);
  if (code == ACT_TANH) return tanhV(v);
  if (code == ACT_RELU) return f32x4.pmax(f32x4.splat(0), v);
  return v;
}

/** act on one f32 through the vector code (tail units). */
@inline export function act1(v: f32, code: i32): f32 {
  return f32x4.extract_lane(actV(f32x4.splat(v), code), 0);
}

/** The activation of T: the vector formulas for f32, libm for f64. */
@inline export function actT<T>(v: T, code: i32): T {
  if (sizeof<T>() == 4) return <T>act1(<f32>v, code);
  return act<T>(v, code);
}
