// Adam and AdamW, in place (torch.optim.Adam / AdamW), t = 1, 2, ...:
//   adam:  g ← grad + weightDecay·p          (L2 folded into the gradient)
//   adamw: p ← p·(1 − lr·weightDecay)        (decoupled decay, Loshchilov & Hutter)
//   m ← m + (1 − β1)(g − m)                  (torch's lerp form of β1·m + (1 − β1)·g)
//   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1ᵗ)) · m / (sqrt(v) / sqrt(1 − β2ᵗ) + eps)
// Bias corrections are computed here in f64 (torch computes them as Python floats).
// https://pytorch.org/docs/stable/generated/torch.optim.Adam.html

import { sqrt_ } from "../common";

// Outputs and the non-finite count as in sgd.ts.
@inline function adamCore<T>(
  pOut: usize, mOut: usize, vOut: usize, p: usize, grad: usize, m: usize, v: usize, n: usize,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, t: f64, decoupled: bool,
): i32 {
  let bad: i32 = 0;
  const es = sizeof<T>();
  const stepSize = <T>(lr / (1.0 - Math.pow(beta1, t)));
  const bc2Sqrt = <T>Math.sqrt(1.0 - Math.pow(beta2, t));
  const omb1 = <T>(1.0 - beta1), b2 = <T>beta2, omb2 = <T>(1.0 - beta2);
  const e = <T>eps, wd = <T>weightDecay, decay = <T>(1.0 - lr * weightDecay);
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    let w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) {
      if (decoupled) w *= decay;
      else g += wd * w;
    }
    let mi = load<T>(m + o);
    mi = mi + omb1 * (g - mi);
    const vi = b2 * load<T>(v + o) + omb2 * g * g;
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
