// Adagrad, in place (torch.optim.Adagrad), t = 1, 2, ...:
//   g ← grad + weightDecay·p
//   clr ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²
//   p ← p − clr·g / (sqrt(s) + eps)
// https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html

import { sqrt_ } from "../common";

/** Outputs and the non-finite count as in sgd.ts. */
export function adagradStep<T>(
  pOut: usize, sumOut: usize, p: usize, grad: usize, sum: usize, n: usize,
  lr: f64, eps: f64, lrDecay: f64, weightDecay: f64, t: f64,
): i32 {
  let bad: i32 = 0;
  const es = sizeof<T>();
  const clr = <T>(lr / (1.0 + (t - 1.0) * lrDecay));
  const e = <T>eps, wd = <T>weightDecay;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    const s = load<T>(sum + o) + g * g;
    store<T>(sumOut + o, s);
    const nw = w - clr * (g / (sqrt_<T>(s) + e));
    if (nw - nw != <T>0) bad++;
    store<T>(pOut + o, nw);
  }
  return bad;
}
