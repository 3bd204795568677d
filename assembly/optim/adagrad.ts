// Adagrad, in place (torch.optim.Adagrad), t = 1, 2, ...:
//   g ← grad + weightDecay·p
//   clr ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²
//   p ← p − clr·g / (sqrt(s) + eps)
// https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html

import { sqrt_ } from "../common";

export function adagradStep<T>(
  p: usize, grad: usize, sum: usize, n: usize,
  lr: f64, eps: f64, lrDecay: f64, weightDecay: f64, t: f64,
): void {
  const es = sizeof<T>();
  const clr = <T>(lr / (1.0 + (t - 1.0) * lrDecay));
  const e = <T>eps, wd = <T>weightDecay;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    const s = load<T>(sum + o) + g * g;
    store<T>(sum + o, s);
    store<T>(p + o, w - clr * (g / (sqrt_<T>(s) + e)));
  }
}
