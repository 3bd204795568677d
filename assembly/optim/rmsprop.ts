// RMSprop, in place (torch.optim.RMSprop; rho is torch's alpha):
//   g ← grad + weightDecay·p
//   v ← rho·v + (1 − rho)·g²
//   centered: ḡ ← ḡ + (1 − rho)(g − ḡ);  avg ← sqrt(v − ḡ²) + eps   else avg ← sqrt(v) + eps
//   momentum > 0:  buf ← momentum·buf + g / avg;  p ← p − lr·buf
//   else:          p ← p − lr·g / avg
// https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html

import { sqrt_ } from "../common";

export function rmspropStep<T>(
  p: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: usize,
  lr: f64, rho: f64, eps: f64, momentum: f64, centered: bool, weightDecay: f64,
): void {
  const es = sizeof<T>();
  const lrT = <T>lr, r = <T>rho, omr = <T>(1.0 - rho), e = <T>eps, mom = <T>momentum, wd = <T>weightDecay;
  for (let i: usize = 0; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (weightDecay != 0) g += wd * w;
    const v = r * load<T>(squareAvg + o) + omr * g * g;
    store<T>(squareAvg + o, v);
    let avg: T;
    if (centered) {
      let ga = load<T>(gradAvg + o);
      ga = ga + omr * (g - ga);
      store<T>(gradAvg + o, ga);
      avg = sqrt_<T>(v - ga * ga) + e;
    } else {
      avg = sqrt_<T>(v) + e;
    }
    if (momentum > 0) {
      const b = mom * load<T>(buf + o) + g / avg;
      store<T>(buf + o, b);
      store<T>(p + o, w - lrT * b);
    } else {
      store<T>(p + o, w - lrT * (g / avg));
    }
  }
}
