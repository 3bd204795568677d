// RMSprop, in place (torch.optim.RMSprop; rho is torch's alpha):
//   g ← grad + weightDecay·p
//   v ← rho·v + (1 − rho)·g²
//   centered: ḡ ← ḡ + (1 − rho)(g − ḡ);  avg ← sqrt(v − ḡ²) + eps   else avg ← sqrt(v) + eps
//   momentum > 0:  buf ← momentum·buf + g / avg;  p ← p − lr·buf
//   else:          p ← p − lr·g / avg
// https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html

import { sqrt_ } from "../common";

/** Outputs and the non-finite count as in sgd.ts. */
export function rmspropStep<T>(
  pOut: usize, sqOut: usize, gaOut: usize, bufOut: usize,
  p: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: usize,
  lr: f64, rho: f64, eps: f64, momentum: f64, centered: bool, weightDecay: f64,
): i32 {
  let bad: i32 = 0;
  const es = sizeof<T>();
  const lrT = <T>lr, r = <T>rho, omr = <T>(1.0 - rho), e = <T>eps, mom = <T>momentum, wd = <T>weightDecay;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    const v = r * load<T>(squareAvg + o) + omr * g * g;
    store<T>(sqOut + o, v);
    let avg: T;
    if (centered) {
      let ga = load<T>(gradAvg + o);
      ga = ga + omr * (g - ga);
      store<T>(gaOut + o, ga);
      avg = sqrt_<T>(v - ga * ga) + e;
    } else {
      avg = sqrt_<T>(v) + e;
    }
    let nw: T;
    if (momentum > 0) {
      const b = mom * load<T>(buf + o) + g / avg;
      store<T>(bufOut + o, b);
      nw = w - lrT * b;
    } else {
      nw = w - lrT * (g / avg);
    }
    if (nw - nw != <T>0) bad++;
    store<T>(pOut + o, nw);
  }
  return bad;
}
