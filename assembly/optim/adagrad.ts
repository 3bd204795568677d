// Adagrad, torch.optim.Adagrad, t = 1, 2, ...:
//   g ← grad + weightDecay·p
//   clr ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²
//   p ← p − clr·g / (sqrt(s) + eps)
// https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html
// Layout, alignment, outputs, SIMD body and scalar tail as in sgd.ts (s only grows: no flush
// needed).

import { lanes, sqrt_, anyNonZero, countNonFinite } from "../common";

export function adagradStep<T>(
  pOut: usize, sumOut: usize, p: usize, grad: usize, sum: usize, n: usize,
  lr: f64, eps: f64, lrDecay: f64, weightDecay: f64, t: f64,
): i32 {
  const es = sizeof<T>();
  const L = lanes<T>();
  const clr = <T>(lr / (1.0 + (t - 1.0) * lrDecay));
  const e = <T>eps, wd = <T>weightDecay;
  const hasWd = weightDecay != 0;
  const vClr = v128.splat<T>(clr), vE = v128.splat<T>(e), vWd = v128.splat<T>(wd);
  let chk = v128.splat<T>(0);
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    const o = i * es;
    const w = v128.load(p + o);
    let g = v128.load(grad + o);
    if (hasWd) g = v128.add<T>(g, v128.mul<T>(vWd, w));
    const s = v128.add<T>(v128.load(sum + o), v128.mul<T>(g, g));
    v128.store(sumOut + o, s);
    const nw = v128.sub<T>(w, v128.mul<T>(vClr, v128.div<T>(g, v128.add<T>(v128.sqrt<T>(s), vE))));
    chk = v128.add<T>(chk, v128.sub<T>(nw, nw));
    v128.store(pOut + o, nw);
  }
  let bad: i32 = anyNonZero<T>(chk) ? countNonFinite<T>(pOut, i) : 0;
  for (; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (hasWd) g += wd * w;
    const s = load<T>(sum + o) + g * g;
    store<T>(sumOut + o, s);
    const nw = w - clr * (g / (sqrt_<T>(s) + e));
    if (nw - nw != <T>0) bad++;
    store<T>(pOut + o, nw);
  }
  return bad;
}
