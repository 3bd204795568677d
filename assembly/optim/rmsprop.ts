// RMSprop, torch.optim.RMSprop (rho is torch's alpha):
//   g ← grad + weightDecay·p
//   v ← rho·v + (1 − rho)·g²
//   centered: ḡ ← ḡ + (1 − rho)(g − ḡ);  avg ← sqrt(v − ḡ²) + eps   else avg ← sqrt(v) + eps
//   momentum > 0:  buf ← momentum·buf + g / avg;  p ← p − lr·buf
//   else:          p ← p − lr·g / avg
// https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
// Layout, alignment, outputs, flush-to-zero, SIMD body and scalar tail as in sgd.ts.

import { lanes, ftz, ftzV, sqrt_, anyNonZero, countNonFinite } from "../common";

export function rmspropStep<T>(
  pOut: usize, sqOut: usize, gaOut: usize, bufOut: usize,
  p: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: usize,
  lr: f64, rho: f64, eps: f64, momentum: f64, centered: bool, weightDecay: f64,
): i32 {
  const es = sizeof<T>();
  const L = lanes<T>();
  const lrT = <T>lr, r = <T>rho, omr = <T>(1.0 - rho), e = <T>eps, mom = <T>momentum, wd = <T>weightDecay;
  const hasMom = momentum > 0, hasWd = weightDecay != 0;
  const vLr = v128.splat<T>(lrT), vR = v128.splat<T>(r), vOmr = v128.splat<T>(omr), vE = v128.splat<T>(e);
  const vMom = v128.splat<T>(mom), vWd = v128.splat<T>(wd);
  let chk = v128.splat<T>(0);
  let i: usize = 0;
  for (; i + L <= n; i += L) {
    const o = i * es;
    const w = v128.load(p + o);
    let g = v128.load(grad + o);
    if (hasWd) g = v128.add<T>(g, v128.mul<T>(vWd, w));
    const v = ftzV<T>(v128.add<T>(v128.mul<T>(vR, v128.load(squareAvg + o)), v128.mul<T>(v128.mul<T>(vOmr, g), g)));
    v128.store(sqOut + o, v);
    let avg: v128;
    if (centered) {
      let ga = v128.load(gradAvg + o);
      ga = ftzV<T>(v128.add<T>(ga, v128.mul<T>(vOmr, v128.sub<T>(g, ga))));
      v128.store(gaOut + o, ga);
      avg = v128.add<T>(v128.sqrt<T>(v128.sub<T>(v, v128.mul<T>(ga, ga))), vE);
    } else {
      avg = v128.add<T>(v128.sqrt<T>(v), vE);
    }
    let nw: v128;
    if (hasMom) {
      const b = ftzV<T>(v128.add<T>(v128.mul<T>(vMom, v128.load(buf + o)), v128.div<T>(g, avg)));
      v128.store(bufOut + o, b);
      nw = v128.sub<T>(w, v128.mul<T>(vLr, b));
    } else {
      nw = v128.sub<T>(w, v128.mul<T>(vLr, v128.div<T>(g, avg)));
    }
    chk = v128.add<T>(chk, v128.sub<T>(nw, nw));
    v128.store(pOut + o, nw);
  }
  let bad: i32 = anyNonZero<T>(chk) ? countNonFinite<T>(pOut, i) : 0;
  for (; i < n; i++) {
    const o = i * es;
    const w = load<T>(p + o);
    let g = load<T>(grad + o);
    if (hasWd) g += wd * w;
    const v = ftz<T>(r * load<T>(squareAvg + o) + omr * g * g);
    store<T>(sqOut + o, v);
    let avg: T;
    if (centered) {
      let ga = load<T>(gradAvg + o);
      ga = ftz<T>(ga + omr * (g - ga));
      store<T>(gaOut + o, ga);
      avg = sqrt_<T>(v - ga * ga) + e;
    } else {
      avg = sqrt_<T>(v) + e;
    }
    let nw: T;
    if (hasMom) {
      const b = ftz<T>(mom * load<T>(buf + o) + g / avg);
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
