// Adam and AdamW (torch.optim.Adam / AdamW), t = 1, 2, …:
//   adam:  g ← grad + weightDecay·p          (L2 folded into the gradient)
//   adamw: p ← p·(1 − lr·weightDecay)        (decoupled decay, Loshchilov & Hutter)
//   m ← m + (1 − β1)(g − m)                  (torch's lerp form of β1·m + (1 − β1)·g)
//   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
// Bias corrections are computed here in f64 (torch computes them as Python floats), once per
// (β1, β2, t): every parameter of a step reuses the last pair (two pows cost more than the
// update of a small tensor);
// m and v are flushed to zero below the smallest normal (see ftz in common.ts).
// https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
// Layout, alignment, outputs, aliasing and the returned non-finite count as in sgd.ts.
// SIMD body with a scalar tail that performs the same operations in the same order (same
// bits).

import { lanes, ftz, ftzV, sqrt_, anyNonZero, countNonFinite } from "../common";

let lastBeta1 = NaN, lastBeta2 = NaN, lastT = NaN, lastBc1 = 0.0, lastBc2 = 0.0;

/** 1 − β1ᵗ and 1 − β2ᵗ (kept for the next call with the same β1, β2, t). */
@inline function biasCorrections(beta1: f64, beta2: f64, t: f64): void {
  if (beta1 != lastBeta1 || beta2 != lastBeta2 || t != lastT) {
    lastBc1 = 1.0 - Math.pow(beta1, t);
    lastBc2 = 1.0 - Math.pow(beta2, t);
    lastBeta1 = beta1; lastBeta2 = beta2; lastT = t;
  }
}

@inline function adamCore<T>(
  pOut: usize, mOut: usize, vOut: usize, p: usize, grad: usize, m: usize, v: usize, n: usize,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, t: f64, decoupled: bool,
): i32 {
  const es = sizeof<T>();
  const L = lanes<T>();
  biasCorrections(beta1, beta2, t);
  const stepSize = <T>(lr / lastBc1);
  const bc2Sqrt = <T>Math.sqrt(lastBc2);
  const omb1 = <T>(1.0 - beta1), b2 = <T>beta2, omb2 = <T>(1.0 - beta2);
  const e = <T>eps, wd = <T>weightDecay, decay = <T>(1.0 - lr * weightDecay);
  const hasWd = weightDecay != 0;
  const vStep = v128.splat<T>(stepSize), vBc2 = v128.splat<T>(bc2Sqrt), vOmb1 = v128.splat<T>(omb1);
  const vB2 = v128.splat<T>(b2), vOmb2 = v128.splat<T>(omb2), vE = v128.splat<T>(e);
  const vWd = v128.splat<T>(wd), vDecay = v128.splat<T>(decay);
  let chk = v128.splat<T>(0);
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    const o = i * es;
    let w = v128.load(p + o);
    let g = v128.load(grad + o);
    if (hasWd) {
      if (decoupled) w = v128.mul<T>(w, vDecay);
      else g = v128.add<T>(g, v128.mul<T>(vWd, w));
    }
    let mi = v128.load(m + o);
    mi = ftzV<T>(v128.add<T>(mi, v128.mul<T>(vOmb1, v128.sub<T>(g, mi))));
    const vi = ftzV<T>(v128.add<T>(v128.mul<T>(vB2, v128.load(v + o)), v128.mul<T>(v128.mul<T>(vOmb2, g), g)));
    v128.store(mOut + o, mi);
    v128.store(vOut + o, vi);
    const den = v128.add<T>(v128.div<T>(v128.sqrt<T>(vi), vBc2), vE);
    const nw = v128.sub<T>(w, v128.mul<T>(vStep, v128.div<T>(mi, den)));
    chk = v128.add<T>(chk, v128.sub<T>(nw, nw));
    v128.store(pOut + o, nw);
  }
  let bad: i32 = anyNonZero<T>(chk) ? countNonFinite<T>(pOut, i) : 0;
  for (; i < n; i++) {
    const o = i * es;
    let w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (hasWd) {
      if (decoupled) w *= decay;
      else g += wd * w;
    }
    let mi = load<T>(m + o);
    mi = ftz<T>(mi + omb1 * (g - mi));
    const vi = ftz<T>(b2 * load<T>(v + o) + omb2 * g * g);
    store<T>(mOut + o, mi);
    store<T>(vOut + o, vi);
    const nw = w - stepSize * (mi / (sqrt_<T>(vi) / bc2Sqrt + e));
    if (nw - nw != <T>0) bad++;
    store<T>(pOut + o, nw);
  }
  return bad;
}

export function adamStep<T>(
  pOut: usize, mOut: usize, vOut: usize, p: usize, grad: usize, m: usize, v: usize, n: usize,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, t: f64,
): i32 {
  return adamCore<T>(pOut, mOut, vOut, p, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, t, false);
}

export function adamwStep<T>(
  pOut: usize, mOut: usize, vOut: usize, p: usize, grad: usize, m: usize, v: usize, n: usize,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, t: f64,
): i32 {
  return adamCore<T>(pOut, mOut, vOut, p, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, t, true);
}
